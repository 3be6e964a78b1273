package uri

import "testing"

// benchURIs are typical inputs: a plain SIP URI, a Contact with escapes,
// a tel URI and a Route entry with an IPv6 host.
var benchURIs = []struct{ name, in string }{
	{"typical", "sip:bob@biloxi.example.com;transport=tcp"},
	{"escaped", "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31"},
	{"ipv6", "sip:[2001:db8::1]:5060;lr;maddr=192.0.2.1"},
	{"tel", "tel:+1-201-555-0123;ext=1234"},
}

func BenchmarkParse(b *testing.B) {
	for _, bb := range benchURIs {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.in)))
			for b.Loop() {
				if _, err := Parse(bb.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAppendTo(b *testing.B) {
	for _, bb := range benchURIs {
		u := mustParse(b, bb.in)
		buf := make([]byte, 0, 256)
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf = u.AppendTo(buf[:0])
			}
		})
	}
}

func BenchmarkString(b *testing.B) {
	u := mustParse(b, benchURIs[0].in)
	b.ReportAllocs()
	for b.Loop() {
		_ = u.String()
	}
}

func BenchmarkEqual(b *testing.B) {
	x := mustParse(b, "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com")
	y := mustParse(b, "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")
	b.ReportAllocs()
	for b.Loop() {
		if !x.Equal(y) {
			b.Fatal("not equal")
		}
	}
}
