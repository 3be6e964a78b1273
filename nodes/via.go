package nodes

import (
	"net/netip"
	"strings"

	"github.com/sipsim/sipsim/sim"
	"github.com/sipsim/sipsim/sipstack"
	"github.com/sipsim/sipsim/sipstack/transaction"
)

// viaDestination returns where a response goes by Via v alone (RFC 3261 18.2.2,
// RFC 3581): the received address or the sent-by host (an address or the
// name of a host of net), the rport value or the sent-by port, and the
// Via's transport. Stateful proxies use it for responses they forward
// without a server transaction (16.7), and the stateless proxy, which keeps
// nothing else, for every response (16.11).
func viaDestination(net *sim.Network, v sipstack.Via) transaction.Destination {
	tr, err := transaction.ParseTransport(v.Transport)
	if err != nil {
		tr = transaction.UDP
	}
	host := v.Received()
	if host == "" {
		host = strings.Trim(v.Host, "[]")
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		if h := net.Host(host); h != nil {
			a = h.Addr()
		}
	}
	port := v.Port
	if rp, ok := v.RPort(); ok && rp > 0 {
		port = rp
	}
	if port <= 0 || port > 65535 {
		port = int(tr.DefaultPort())
	}
	return transaction.Destination{Addr: netip.AddrPortFrom(a, uint16(port)), Transport: tr}
}
