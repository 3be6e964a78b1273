package sdp

import "testing"

func BenchmarkParse(b *testing.B) {
	in := []byte(typicalOffer)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	s := mustParse(b, typicalOffer)
	b.ReportAllocs()
	b.SetBytes(int64(len(typicalOffer)))
	for b.Loop() {
		if _, err := s.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendTo measures writing into a reused buffer, without the
// validation Marshal does.
func BenchmarkAppendTo(b *testing.B) {
	s := mustParse(b, typicalOffer)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = s.AppendTo(buf[:0])
	}
}

func BenchmarkAnswer(b *testing.B) {
	offer := mustParse(b, typicalOffer)
	caps := Capabilities{Media: []MediaCapability{{Type: "audio", Port: 5000, Codecs: []Codec{pcma, dtmf}}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Answer(offer, caps, bob); err != nil {
			b.Fatal(err)
		}
	}
}
