package nodes

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sipsim/sipsim/sim"
)

// TestUANoRinging: with AnswerOptions.NoRinging (and the Trying policy
// none of uaTestNet) bob answers the INVITE with 200 OK and no provisional
// response at all (RFC 3261 13.3.1.1); the 2xx creates the dialog, and the
// call completes like any other.
func TestUANoRinging(t *testing.T) {
	tn := uaNewNet(t, 1, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com", UAOptions{Answer: AnswerOptions{NoRinging: true}})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{HoldTime: sim.Constant{V: 1}})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{
		"alice -> bob INVITE",
		"bob -> alice 200/INVITE",
		"alice -> bob ACK",
		"alice -> bob BYE",
		"bob -> alice 200/BYE",
	}, tn.wire())
	assert.Equal(t, CallCompleted, call.Outcome())
	require.Len(t, bob.Calls(), 1)
	assert.Equal(t, CallCompleted, bob.Calls()[0].Outcome())
	assert.Equal(t, 200, bob.Calls()[0].Status())
	uaAssertIdle(t, alice, bob)
}

// TestUANoRingingDecline: a declining UA without provisional responses
// answers 603 at once, with no 180 first.
func TestUANoRingingDecline(t *testing.T) {
	tn := uaNewNet(t, 1, 0)
	alice := tn.ua(t, "alice", "sip:alice@atlanta.example.com", UAOptions{})
	bob := tn.ua(t, "bob", "sip:bob@biloxi.example.com",
		UAOptions{Answer: AnswerOptions{NoRinging: true, Decline: 1, RingTime: sim.Constant{V: 0.2}}})
	call, err := alice.Call(uaURI(t, "sip:bob@biloxi.example.com"), CallOptions{})
	require.NoError(t, err)
	tn.net.Sim().Run()
	assert.Equal(t, []string{"alice -> bob INVITE", "bob -> alice 603/INVITE", "alice -> bob ACK"}, tn.wire())
	assert.Equal(t, CallFailed, call.Outcome())
	assert.Equal(t, 603, call.Status())
	sends := tn.rec.OfKind(sim.KindSend)
	assert.Equal(t, 210*time.Millisecond, time.Duration(sends[1].Time), "603 after the ring time, 10 ms after the INVITE left")
	uaAssertIdle(t, alice, bob)
}
