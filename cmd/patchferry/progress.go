package main

import (
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/patchferry/patchferry/media/escape"
)

// progress returns a byte counter for a long operation and a function to end
// it. The bar is drawn on stderr only when stderr is a terminal and output
// is not JSON.
func (a *app) progress(total int64, desc string) (func(int64), func()) {
	add, _, done := a.progressDescribed(total, desc)
	return add, done
}

// progressDescribed is progress with a function that changes the bar's
// description as the work moves on (fetch: the source being fetched).
func (a *app) progressDescribed(total int64, desc string) (add func(int64), describe func(string), done func()) {
	if !a.stderrTerminal || a.jsonOut {
		return nil, func(string) {}, func() {}
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(a.barOut),
		progressbar.OptionSetDescription(escape.String(desc)),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
	)
	return func(n int64) { bar.Add64(n) }, func(s string) { bar.Describe(escape.String(s)) }, func() { bar.Finish() }
}
