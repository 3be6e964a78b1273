package uri

import (
	"strings"
	"testing"
)

// labelHostname is the label-by-label reading of the hostname rule that
// isHostname implements in one pass.
func labelHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" {
		return false
	}
	labels := strings.Split(h, ".")
	for i, label := range labels {
		if label == "" || !isAlnum(label[0]) || !isAlnum(label[len(label)-1]) {
			return false
		}
		if i == len(labels)-1 && !isAlpha(label[0]) {
			return false // toplabel
		}
		for j := 1; j < len(label)-1; j++ {
			if c := label[j]; !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

// TestIsHostname compares isHostname with labelHostname on every string
// of up to 7 characters over an alphabet of each kind of host character.
func TestIsHostname(t *testing.T) {
	alphabet := []byte("a1-.Z")
	var walk func(b []byte, n int)
	walk = func(b []byte, n int) {
		if got, want := isHostname(string(b)), labelHostname(string(b)); got != want {
			t.Fatalf("isHostname(%q) = %v, want %v", b, got, want)
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			walk(append(b, c), n-1)
		}
	}
	walk(nil, 7)
}

// TestScanHostname compares scanHostname with the scan and isHostname it
// fuses, on every string of up to 7 characters over an alphabet of each
// kind of host character and two octets that end the run.
func TestScanHostname(t *testing.T) {
	alphabet := []byte("a1-.Z;@")
	var walk func(b []byte, n int)
	walk = func(b []byte, n int) {
		s := string(b)
		for i := 0; i <= len(s) && i < 2; i++ {
			wantEnd, _ := scan(s, i, hostLo, hostHi, false)
			want := isHostname(s[i:wantEnd])
			if end, got := scanHostname(s, i); end != wantEnd || (got != want && end > i) {
				t.Fatalf("scanHostname(%q, %d) = %d, %v, want %d, %v", s, i, end, got, wantEnd, want)
			}
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			walk(append(b, c), n-1)
		}
	}
	walk(nil, 7)
}
