// Package dialog implements the dialogs of RFC 3261 section 12 for user
// agents: their creation on the client (UAC) and server (UAS) sides, the
// requests sent within them, the checks applied to requests received in
// them, and the CANCEL of section 9.
//
// A [Dialog] is the state that RFC 3261 12 lists: the dialog [ID] (Call-ID,
// local tag, remote tag), the local and remote sequence numbers, the local
// and remote URIs, the remote target, the "secure" flag and the route set,
// plus the early or confirmed [State]. It is created from the INVITE and the
// response that establishes it, by [NewUAC] on the caller's side (RFC 3261
// 12.1.2) and by [NewUAS] on the callee's side (RFC 3261 12.1.1), and kept
// by the user agent in a [Table] that matches incoming messages to it.
//
// Within the dialog, [Dialog.NewRequest] builds BYE, re-INVITE, UPDATE, INFO,
// OPTIONS and any other request, and [Dialog.NewACK] the ACK for a 2xx
// response (RFC 3261 12.2.1.1, 13.2.2.4): Request-URI and Route headers
// follow the route set, for loose and for strict routers alike.
// [Dialog.CheckRequest] and [Dialog.ReceiveRequest] apply RFC 3261 12.2.2
// to requests received in the dialog, and [Dialog.ReceiveResponse] RFC 3261
// 12.2.1.2 to the responses of the requests sent in it.
//
// [NewCancel] builds the CANCEL of a pending request (RFC 3261 9.1), and
// [NewRequestTerminated] and [NewCancelOK] the two responses a UAS sends when
// a CANCEL matches its INVITE (RFC 3261 9.2). [NewUASResponse] builds any
// response of a UAS with the To tag rule of RFC 3261 8.2.6.2.
//
// The package is sans-I/O and holds no clock: it neither sends nor
// receives, and adds no Via header. The transport layer adds the Via of a
// request once it has chosen the next hop (RFC 3261 8.1.1.7), with a new
// branch from package ident; the transaction layer, if any, sends it. A
// Dialog is not safe for concurrent use; the simulator never needs it to be.
// Nothing in the package panics on a message: malformed input gives an
// error.
package dialog
