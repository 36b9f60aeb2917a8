package media

import (
	"fmt"
	"strings"
	"time"
)

// readmeTime is how README.txt shows a time: local date and time to the
// minute, and the zone's name (JST, UTC; its offset, e.g. -0300, where the zone
// has no name). bundle.json keeps the exact RFC 3339 time.
const readmeTime = "2006-01-02 15:04 MST"

// Readme returns README.txt for one bundle directory, in Japanese and
// English, with its times in zone (nil: UTC) as the people who carry the
// medium read a clock: "2026-12-02 19:30 JST". It depends only on the
// manifest, the directory name and the zone, so it is reproducible: the
// same bundle written on machines set to the same time zone has the same
// bytes.
func Readme(m *Manifest, d DirName, zone *time.Location) string {
	if zone == nil {
		zone = time.UTC
	}
	created := m.Created.In(zone).Format(readmeTime)
	kind, kindJA := "full bundle", "フル"
	if m.Base != 0 {
		kind = fmt.Sprintf("delta on top of sequence %d", m.Base)
		kindJA = fmt.Sprintf("差分（連番 %d の上に適用）", m.Base)
	}
	expires, expiresJA := "never", "なし"
	if !m.Expires.IsZero() {
		expires = m.Expires.In(zone).Format(readmeTime)
		expiresJA = expires
	}
	vol, volJA := "", ""
	if d.Volumes > 1 {
		vol = fmt.Sprintf("Volume:   %d of %d (import needs all volumes, in any order)\n", d.Volume, d.Volumes)
		volJA = fmt.Sprintf("巻:       %d / %d（取り込みには全巻が必要です。順序は問いません）\n", d.Volume, d.Volumes)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `patchferry 更新バンドル / update bundle
========================================

このフォルダは patchferry の署名付き更新バンドルです。中身を編集・追加・削除しないでください。
1 バイトでも変わると、LGWAN 側のミラーは取り込みを拒否します。

サイト:   %s
連番:     %d（%s）
作成:     %s
有効期限: %s
ファイル: %d 件
%s
取り込み（LGWAN 側ミラー）:
  patchferry mirror import --data <ミラーのデータフォルダ> %s
取り込まずに検証だけ:
  patchferry bundle verify --trust publisher.pub %s
上司の承認（承認者の鍵で副署名）:
  patchferry bundle approve --key approver.key --name <氏名> %s

------------------------------------------------------------------------

This folder is a signed patchferry update bundle. Do not edit, add or remove
anything in it: if a single byte changes, the LGWAN-side mirror refuses it.

Site:     %s
Sequence: %d (%s)
Created:  %s
Expires:  %s
Files:    %d
%s
Import (LGWAN-side mirror):
  patchferry mirror import --data <mirror data dir> %s
Verify without importing:
  patchferry bundle verify --trust publisher.pub %s
Approve (countersign with an approver key):
  patchferry bundle approve --key approver.key --name <name> %s
`,
		m.Site, m.Sequence, kindJA, created, expiresJA, len(m.Artifacts), volJA,
		d, d, d,
		m.Site, m.Sequence, kind, created, expires, len(m.Artifacts), vol,
		d, d, d)
	return b.String()
}
