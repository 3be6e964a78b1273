package transaction

import (
	"fmt"

	"github.com/sipsim/sipsim/sipstack"
)

// NewACK returns the ACK that an INVITE client transaction sends for a
// non-2xx final response resp to invite, built as RFC 3261 17.1.1.3 says:
//
//   - "The ACK request constructed by the client transaction MUST contain
//     values for the Call-ID, From, and Request-URI that are equal to the
//     values of those header fields in the request passed to the transport
//     by the client transaction";
//   - "The To header field in the ACK MUST equal the To header field in the
//     response being acknowledged, and therefore will usually differ from
//     the To header field in the original request by the addition of the
//     tag parameter";
//   - "The ACK MUST contain a single Via header field, and this MUST be
//     equal to the top Via header field of the original request";
//   - "The CSeq header field in the ACK MUST contain the same value for the
//     sequence number as was present in the original request, but the
//     method parameter MUST be equal to "ACK"";
//   - "If the INVITE request whose response is being acknowledged had Route
//     header fields, those header fields MUST appear in the ACK";
//
// and Max-Forwards 70 (RFC 3261 8.1.1.6). The header order is Via, Route,
// Max-Forwards, From, To, Call-ID, CSeq; the ACK has no body. The ACK of a
// 2xx is not built here: it belongs to the TU (RFC 3261 13.2.2.4).
func NewACK(invite *sipstack.Request, resp *sipstack.Response) (*sipstack.Request, error) {
	if invite.Method != sipstack.INVITE {
		return nil, fmt.Errorf("%w: ACK for a %s", ErrMethod, invite.Method)
	}
	via, err := invite.Header.Via()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	cseq, err := invite.Header.CSeq()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMessage, err)
	}
	ack := sipstack.NewRequest(sipstack.ACK, invite.RequestURI)
	ack.Header.Add("Via", via.String())
	for name, value := range invite.Header.All() {
		if name == "Route" {
			ack.Header.Add(name, value)
		}
	}
	ack.Header.Add("Max-Forwards", "70")
	ack.Header.Add("From", invite.Header.Get("From"))
	ack.Header.Add("To", resp.Header.Get("To"))
	ack.Header.Add("Call-ID", invite.Header.CallID())
	ack.Header.Add("CSeq", sipstack.CSeq{Seq: cseq.Seq, Method: sipstack.ACK}.String())
	return ack, nil
}
