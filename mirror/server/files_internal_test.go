package server

import "testing"

func TestHumanSizeUnits(t *testing.T) {
	for n, want := range map[int64]string{
		0: "0 B", 1023: "1023 B", 1024: "1.0 KB", 1536: "1.5 KB", 1048575: "1.0 MB", 1572864: "1.5 MB",
		1<<30 - 1: "1.0 GB", 3 << 29: "1.5 GB", 4<<30 - 1: "4.0 GB", 1 << 40: "1024.0 GB",
	} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1572864: "1,572,864", 1 << 40: "1,099,511,627,776"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}
