package transaction

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/sipsim/sipsim/sipstack"
)

func TestResponseDestination(t *testing.T) {
	src := netip.MustParseAddrPort("198.51.100.7:40000")
	for _, tc := range []struct {
		via     string
		tr      Transport
		want    string
		wantErr error
	}{
		// Reliable: the connection the request came on, whatever the Via.
		{"SIP/2.0/TCP a.example.com:5070;branch=z9hG4bK1", TCP, "198.51.100.7:40000/TCP", nil},
		{"SIP/2.0/TLS 192.0.2.1;branch=z9hG4bK1;maddr=224.0.1.75", TLS, "198.51.100.7:40000/TLS", nil},
		{"SIP/2.0/SCTP 192.0.2.1;received=203.0.113.1", SCTP, "198.51.100.7:40000/SCTP", nil},
		// maddr, port of sent-by or 5060.
		{"SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1;maddr=224.0.1.75;ttl=16", UDP, "224.0.1.75:5070/UDP", nil},
		{"SIP/2.0/UDP 192.0.2.1;maddr=224.0.1.75", UDP, "224.0.1.75:5060/UDP", nil},
		{"SIP/2.0/UDP 192.0.2.1;maddr=[2001:db8::9]", UDP, "[2001:db8::9]:5060/UDP", nil},
		{"SIP/2.0/UDP 192.0.2.1:5070;maddr=mcast.example.com", UDP, "198.51.100.7:5070/UDP", ErrUnresolved},
		// received, port of sent-by or 5060.
		{"SIP/2.0/UDP a.example.com:5070;branch=z9hG4bK1;received=203.0.113.1", UDP, "203.0.113.1:5070/UDP", nil},
		{"SIP/2.0/UDP a.example.com;received=203.0.113.1", UDP, "203.0.113.1:5060/UDP", nil},
		{"SIP/2.0/UDP a.example.com;received=2001:db8::1", UDP, "[2001:db8::1]:5060/UDP", nil},
		// rport (RFC 3581): source port, or the rport value.
		{"SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bK1", UDP, "198.51.100.7:40000/UDP", nil},
		{"SIP/2.0/UDP 10.0.0.1:5060;rport=41000;received=203.0.113.1", UDP, "203.0.113.1:41000/UDP", nil},
		{"SIP/2.0/UDP 10.0.0.1:5060;received=203.0.113.1;rport", UDP, "203.0.113.1:40000/UDP", nil},
		// sent-by.
		{"SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bK1", UDP, "192.0.2.1:5070/UDP", nil},
		{"SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", UDP, "192.0.2.1:5060/UDP", nil},
		{"SIP/2.0/UDP [2001:db8::2]:5090", UDP, "[2001:db8::2]:5090/UDP", nil},
		// A host name in sent-by: the source address, as if received had
		// been added (RFC 3261 18.2.1), with the sent-by port.
		{"SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=z9hG4bK1", UDP, "198.51.100.7:5062/UDP", nil},
		// A received value that is not an address is ignored.
		{"SIP/2.0/UDP 192.0.2.1;received=bogus", UDP, "192.0.2.1:5060/UDP", nil},
	} {
		via, err := sipstack.ParseVia(tc.via)
		if err != nil {
			t.Fatalf("ParseVia(%q): %v", tc.via, err)
		}
		got, err := ResponseDestination(via, Destination{src, tc.tr})
		if got.String() != tc.want || !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
			t.Errorf("ResponseDestination(%q, %v) = %v, %v; want %s, %v", tc.via, tc.tr, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestTransport(t *testing.T) {
	for _, tc := range []struct {
		s        string
		tr       Transport
		reliable bool
		port     uint16
	}{{"udp", UDP, false, 5060}, {"TCP", TCP, true, 5060}, {"Tls", TLS, true, 5061}, {"SCTP", SCTP, true, 5060}} {
		tr, err := ParseTransport(tc.s)
		if err != nil || tr != tc.tr {
			t.Errorf("ParseTransport(%q) = %v, %v; want %v", tc.s, tr, err, tc.tr)
		}
		if tr.Reliable() != tc.reliable || tr.DefaultPort() != tc.port {
			t.Errorf("%v: Reliable %v DefaultPort %d", tr, tr.Reliable(), tr.DefaultPort())
		}
		if parseTransportOrZero(tr.String()) != tr {
			t.Errorf("String %q does not parse back", tr)
		}
	}
	if _, err := ParseTransport("WS"); err == nil {
		t.Error("ParseTransport(WS) succeeded")
	}
	if s := Transport(9).String(); s != "Transport(9)" {
		t.Errorf("Transport(9).String() = %q", s)
	}
}

// parseTransportOrZero is ParseTransport without the error.
func parseTransportOrZero(s string) Transport { t, _ := ParseTransport(s); return t }
