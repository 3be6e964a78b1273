package sipstack

import (
	"bytes"
	"testing"
)

// FuzzParseMessage checks that the parser never panics and that accepted
// messages round-trip: parse, serialize, parse again gives the same
// message, and serializing that gives the same bytes. The committed corpus
// in testdata/fuzz/FuzzParseMessage holds the RFC 4475 torture messages
// and the benchmark messages.
func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(minimal + "\r\n"))
	f.Add([]byte(minimal + "Content-Length: 3\r\n\r\nabcdef"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMessage(data)
		if err != nil {
			if m != nil {
				t.Fatalf("ParseMessage returned a message and an error %v", err)
			}
			return
		}
		first := m.AppendTo(nil)
		m2, err := ParseMessage(first)
		if err != nil {
			t.Fatalf("re-parse of the serialization failed: %v\n%q", err, first)
		}
		second := m2.AppendTo(nil)
		if !bytes.Equal(first, second) {
			t.Fatalf("serialization is not stable:\n%q\n%q", first, second)
		}
		if !bytes.Equal(m.Content(), m2.Content()) {
			t.Fatalf("body changed: %q, %q", m.Content(), m2.Content())
		}
		h1, h2 := withoutCL(*m.Headers()), withoutCL(*m2.Headers())
		if len(h1) != len(h2) {
			t.Fatalf("header count changed: %d, %d", len(h1), len(h2))
		}
		for i := range h1 {
			if h1[i] != h2[i] {
				t.Fatalf("header %d changed: %q, %q", i, h1[i], h2[i])
			}
		}
		// The stream framer agrees with the datagram parser on the
		// canonical form, which always has Content-Length.
		var fr Framer
		fr.Write(first)
		m3, err := fr.Next()
		if err != nil || m3 == nil {
			t.Fatalf("Framer on the canonical form: %v, %v", m3, err)
		}
		if got := m3.AppendTo(nil); !bytes.Equal(got, first) {
			t.Fatalf("Framer result differs:\n%q\n%q", got, first)
		}
	})
}

// FuzzFramer checks that the framer never panics on arbitrary chunks and
// that its buffer stays bounded.
func FuzzFramer(f *testing.F) {
	f.Add([]byte("\r\n\r\n"+minimal+"Content-Length: 0\r\n\r\n"), 7)
	f.Fuzz(func(t *testing.T, data []byte, chunk int) {
		if chunk <= 0 {
			chunk = 1
		}
		var fr Framer
		for i := 0; i < len(data); i += chunk {
			fr.Write(data[i:min(i+chunk, len(data))])
			for {
				m, err := fr.Next()
				if m == nil || err != nil {
					break
				}
			}
			if fr.Buffered() > MaxMessageSize+chunk {
				t.Fatalf("framer holds %d bytes", fr.Buffered())
			}
		}
	})
}
