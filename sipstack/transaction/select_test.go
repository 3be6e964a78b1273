package transaction

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sipsim/sipsim/sipstack"
)

// TestTransportPolicyChoose checks the size rule of RFC 3261 18.1.1 at its
// boundaries.
func TestTransportPolicyChoose(t *testing.T) {
	tests := []struct {
		p      TransportPolicy
		size   int
		want   Transport
		bySize bool
	}{
		// UDP by default; the MTU is unknown: 1300 bytes is the limit.
		{TransportPolicy{}, 0, UDP, false},
		{TransportPolicy{}, 500, UDP, false},
		{TransportPolicy{}, 1300, UDP, false},
		{TransportPolicy{}, 1301, TCP, true},
		{TransportPolicy{}, 65000, TCP, true},
		// A known MTU: the limit is MTU - 200.
		{TransportPolicy{PathMTU: 1500}, 1300, UDP, false},
		{TransportPolicy{PathMTU: 1500}, 1301, TCP, true},
		{TransportPolicy{PathMTU: 9000}, 8800, UDP, false},
		{TransportPolicy{PathMTU: 9000}, 8801, TCP, true},
		{TransportPolicy{PathMTU: 576}, 376, UDP, false},
		{TransportPolicy{PathMTU: 576}, 377, TCP, true},
		// An MTU below the margin leaves no room for any request.
		{TransportPolicy{PathMTU: 68}, 0, TCP, true},
		// Congestion-controlled transports are kept whatever the size.
		{TransportPolicy{Transport: TCP}, 100, TCP, false},
		{TransportPolicy{Transport: TCP}, 5000, TCP, false},
		{TransportPolicy{Transport: TLS, PathMTU: 576}, 5000, TLS, false},
		{TransportPolicy{Transport: SCTP}, 5000, SCTP, false},
	}
	for _, tt := range tests {
		got, bySize := tt.p.Choose(tt.size)
		if got != tt.want || bySize != tt.bySize {
			t.Errorf("%+v.Choose(%d) = %v, %v; want %v, %v", tt.p, tt.size, got, bySize, tt.want, tt.bySize)
		}
	}
}

// TestTransportPolicyMaxUDPRequest checks the limit itself.
func TestTransportPolicyMaxUDPRequest(t *testing.T) {
	tests := []struct {
		mtu, want int
	}{
		{0, 1300},
		{1500, 1300},
		{1280, 1080},
		{9000, 8800},
		{65535, 65335},
		{68, -132},
	}
	for _, tt := range tests {
		if got := (TransportPolicy{PathMTU: tt.mtu}).MaxUDPRequest(); got != tt.want {
			t.Errorf("MaxUDPRequest with MTU %d = %d, want %d", tt.mtu, got, tt.want)
		}
	}
}

// TestTransportPolicyValidate checks what Validate refuses.
func TestTransportPolicyValidate(t *testing.T) {
	tests := []struct {
		p  TransportPolicy
		ok bool
	}{
		{TransportPolicy{}, true},
		{TransportPolicy{Transport: SCTP, PathMTU: 68}, true},
		{TransportPolicy{PathMTU: 65535}, true},
		{TransportPolicy{Transport: SCTP + 1}, false},
		{TransportPolicy{PathMTU: 67}, false},
		{TransportPolicy{PathMTU: -1}, false},
		{TransportPolicy{PathMTU: 65536}, false},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrConfig)) {
			t.Errorf("%+v.Validate() = %v, want ok %v", tt.p, err, tt.ok)
		}
	}
}

// selRequest returns an OPTIONS request with the given Via field values
// (one field each) and a body of bodySize bytes.
func selRequest(t *testing.T, bodySize int, vias ...string) *sipstack.Request {
	t.Helper()
	var b strings.Builder
	b.WriteString("OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n")
	for _, v := range vias {
		b.WriteString(v + "\r\n")
	}
	b.WriteString("Max-Forwards: 70\r\n" +
		"To: <sip:bob@biloxi.example.com>\r\n" +
		"From: <sip:alice@atlanta.example.com>;tag=sel1\r\n" +
		"Call-ID: sel@atlanta.example.com\r\n" +
		"CSeq: 1 OPTIONS\r\n")
	if bodySize > 0 {
		b.WriteString("Content-Type: text/plain\r\n")
	}
	b.WriteString("Content-Length: " + strconv.Itoa(bodySize) + "\r\n\r\n")
	b.WriteString(strings.Repeat("x", bodySize))
	req, err := sipstack.ParseRequest([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// selFirstVia returns the position of the first Via field of h, or -1.
func selFirstVia(h sipstack.Header) int {
	for i := range h.Len() {
		if h.Field(i).Name == "Via" {
			return i
		}
	}
	return -1
}

// TestPrepareRequest checks the destination chosen and the rewrite of the
// top Via (RFC 3261 18.1.1).
func TestPrepareRequest(t *testing.T) {
	addr := netip.MustParseAddrPort("192.0.2.20:5060")
	const top = "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsel1"
	tests := []struct {
		name     string
		p        TransportPolicy
		req      *sipstack.Request
		want     Destination
		bySize   bool
		wantVias []string // top first
	}{
		{
			name: "small request over UDP: unchanged",
			req:  selRequest(t, 0, top),
			want: Destination{addr, UDP},
			wantVias: []string{
				"SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsel1",
			},
		},
		{
			name:   "request over 1300 bytes, MTU unknown: TCP, Via changed",
			req:    selRequest(t, 1400, top),
			want:   Destination{addr, TCP},
			bySize: true,
			wantVias: []string{
				"SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKsel1",
			},
		},
		{
			name: "the same request with a 9000-byte path MTU: UDP",
			p:    TransportPolicy{PathMTU: 9000},
			req:  selRequest(t, 1400, top),
			want: Destination{addr, UDP},
			wantVias: []string{
				"SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsel1",
			},
		},
		{
			name: "TCP configured: Via made to say TCP",
			p:    TransportPolicy{Transport: TCP},
			req:  selRequest(t, 0, top),
			want: Destination{addr, TCP},
			wantVias: []string{
				"SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKsel1",
			},
		},
		{
			name: "Via already TCP, token in lower case: left as written",
			p:    TransportPolicy{Transport: TCP},
			req:  selRequest(t, 0, "Via: SIP/2.0/tcp 192.0.2.1:5060;branch=z9hG4bKsel1"),
			want: Destination{addr, TCP},
			wantVias: []string{
				"SIP/2.0/tcp 192.0.2.1:5060;branch=z9hG4bKsel1",
			},
		},
		{
			// A proxy forwarding a large request: only its own Via, the
			// first value of a compact field holding two, changes.
			name:   "two values in one compact field, then another field",
			req:    selRequest(t, 1400, "v: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKp1;rport, SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsel1", "Via: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKz"),
			want:   Destination{addr, TCP},
			bySize: true,
			wantVias: []string{
				"SIP/2.0/TCP 192.0.2.9:5060;branch=z9hG4bKp1;rport",
				"SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsel1",
				"SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKz",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(tt.req.AppendTo(nil))
			fields := tt.req.Header.Len()
			viaAt := selFirstVia(tt.req.Header)
			keyBefore, err := ClientKey(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			dest, bySize, err := tt.p.PrepareRequest(tt.req, addr)
			if err != nil {
				t.Fatal(err)
			}
			if dest != tt.want || bySize != tt.bySize {
				t.Errorf("PrepareRequest = %v, %v; want %v, %v", dest, bySize, tt.want, tt.bySize)
			}
			// The request still parses, has the Vias wanted, the same
			// fields, size and transaction key.
			data := tt.req.AppendTo(nil)
			again, err := sipstack.ParseRequest(data)
			if err != nil {
				t.Fatalf("rewritten request does not parse: %v\n%s", err, data)
			}
			vias, err := again.Header.Vias()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range vias {
				got = append(got, v.String())
			}
			if !slices.Equal(got, tt.wantVias) {
				t.Errorf("Vias = %q, want %q", got, tt.wantVias)
			}
			if len(data) != before || tt.req.Header.Len() != fields {
				t.Errorf("size %d -> %d, fields %d -> %d; want unchanged", before, len(data), fields, tt.req.Header.Len())
			}
			if at := selFirstVia(tt.req.Header); at != viaAt {
				t.Errorf("the top Via field moved from position %d to %d", viaAt, at)
			}
			if key, _ := ClientKey(again); key != keyBefore {
				t.Errorf("client key %v, want %v", key, keyBefore)
			}
		})
	}
}

// TestPrepareRequestErrors checks the refusals, which leave the request
// unchanged.
func TestPrepareRequestErrors(t *testing.T) {
	addr := netip.MustParseAddrPort("192.0.2.20:5060")
	const top = "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsel1"
	noVia := selRequest(t, 1400, top)
	noVia.Header.Del("Via")
	before := noVia.String()
	if _, _, err := (TransportPolicy{}).PrepareRequest(noVia, addr); !errors.Is(err, ErrMessage) {
		t.Errorf("PrepareRequest without Via: %v, want ErrMessage", err)
	}
	badVia := selRequest(t, 1400, top)
	badVia.Header.Set("Via", "SIP/3.0/UDP 192.0.2.1")
	if _, _, err := (TransportPolicy{}).PrepareRequest(badVia, addr); !errors.Is(err, ErrMessage) {
		t.Errorf("PrepareRequest with a bad Via: %v, want ErrMessage", err)
	}
	ok := selRequest(t, 1400, top)
	okBefore := ok.String()
	if _, _, err := (TransportPolicy{PathMTU: 10}).PrepareRequest(ok, addr); !errors.Is(err, ErrConfig) {
		t.Errorf("PrepareRequest with MTU 10: %v, want ErrConfig", err)
	}
	if noVia.String() != before || ok.String() != okBefore {
		t.Error("a refused request was changed")
	}
}

// A request that outgrows UDP: RFC 3261 18.1.1 sends a request larger than
// 1300 bytes over TCP when the path MTU is unknown, and changes its top
// Via to say so.
func ExampleTransportPolicy_PrepareRequest() {
	req, err := sipstack.ParseRequest([]byte("MESSAGE sip:bob@biloxi.example.com SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKex1\r\n" +
		"Max-Forwards: 70\r\n" +
		"To: <sip:bob@biloxi.example.com>\r\n" +
		"From: <sip:alice@atlanta.example.com>;tag=ex1\r\n" +
		"Call-ID: ex1@atlanta.example.com\r\n" +
		"CSeq: 1 MESSAGE\r\n" +
		"Content-Type: text/plain\r\n" +
		"Content-Length: 1500\r\n\r\n" + strings.Repeat("x", 1500)))
	if err != nil {
		panic(err)
	}
	var policy TransportPolicy // UDP, path MTU unknown
	dest, bySize, err := policy.PrepareRequest(req, netip.MustParseAddrPort("192.0.2.20:5060"))
	if err != nil {
		panic(err)
	}
	fmt.Println(dest, bySize)
	fmt.Println(req.Header.Get("Via"))
	// Output:
	// 192.0.2.20:5060/TCP true
	// SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bKex1
}
