// Package analysis computes sipsim's outputs from the trace of a run, the
// single source of every output (see DESIGN.md): the JSON-lines trace
// ([TraceWriter], [ReadRecords]); the ladder ([Ladder]) as text, PlantUML
// and Mermaid (package analysis/diagram draws it as an image); per-call
// metrics ([CallTracker], [CallSink], [CallMetrics], written by
// [CallWriter]); statistics ([MeanCI], [Histogram], [QuantileCI]); and
// sweeps over parameters and replications ([Sweep], [RepStats] and the
// tables of [Sweep.SummaryRow]). Package analysis/charts draws the figures.
//
// # Metrics from the trace
//
// A [CallTracker] follows each call from its caller's "call-placed"
// decision through every record carrying its Call-ID, and hands over its
// [CallMetrics] once the call has ended and been quiet for
// [RetransmitWindow]: set-up delay, the RFC 6076 delays (SRD 4.3, SDD
// 4.4, SDT 4.5), post-dial delay, hops, messages, retransmissions and the
// outcome as the caller saw it. Only calls in progress are held, so its
// memory does not grow with the length of a run. [RepStats] folds calls
// into counts, sums and a [Histogram], from which the RFC 6076 ratios
// (SER 4.6, SEER 4.7, ISA 4.8, SCR 4.9) and RRD (4.1) follow.
//
// # Sweeps
//
// A [Sweep] runs replications of every point of a parameter product on
// worker goroutines, each with its own simulator and a seed derived from
// the sweep's seed, the point and the replication ([RepSeed]), and hands
// the points over in order: tables are the same bytes for any number of
// workers. Means get a Student-t interval across replications; quantiles
// a percentile-bootstrap interval that resamples replications, the
// independent units (calls of one run share its queues).
//
// # The JSON-lines trace
//
// [TraceWriter] is a [sim.Sink] that writes one JSON object per line, one
// line per SIP message sent, delivered or dropped and per node event, in
// trace order. [ReadRecords] reads such a file back into [Record] values.
// Every line has every field below, in this order, zero ("" , 0 or false)
// when it does not apply, so that the bytes of a run depend on its seed
// alone:
//
//	t_ns            integer  virtual time in nanoseconds since the run started
//	event           string   "send", "recv", "drop", "timer", "decision",
//	                         "host-down" or "host-up"
//	id              integer  the network's id of the message: the same on its
//	                         send, recv and drop lines (0 for node events)
//	node            string   the node of a timer, decision or host event
//	from            string   the node that sent the message
//	to              string   the node the message is addressed to, whatever
//	                         routers it crosses
//	transport       string   "UDP" or "TCP"
//	method          string   the request's method, or the CSeq method of a
//	                         response
//	status          integer  the response's status code, 0 for a request
//	reason          string   the response's reason phrase; on a drop, why
//	                         the message was lost ("loss", "queue-overflow",
//	                         "mtu", "link-down", "host-down", "no-route",
//	                         "filter", "reset", "timeout")
//	call_id         string   the Call-ID; on a timer or decision, the
//	                         Call-ID of the call it is about ("" if none)
//	cseq            integer  the CSeq sequence number
//	branch          string   the branch parameter of the top Via
//	size            integer  the message size in bytes
//	retransmission  boolean  on a send: the sender sent the same bytes to
//	                         the same destination before (a SIP
//	                         retransmission, RFC 3261 17.1.1.2, 17.1.2.2,
//	                         17.2.1, 13.3.1.4)
//	hop             string   on a drop: the link direction where the message
//	                         was lost, "from->to" ("" if it never left)
//	label           string   the network's label of a message ("INVITE",
//	                         "200/INVITE"), or the label of a node event
//	                         ("route", "timeout", "call-placed")
//	detail          string   the free text of a node event
//
// The events map from the simulator's kinds as follows. A UDP datagram
// leaving its sender (sim.KindSend) and a message written to the TCP
// stream transport (sim.KindWrite) are "send"; a delivery (sim.KindDeliver)
// is "recv"; a lost datagram or TCP message (sim.KindDrop) is "drop". TCP
// segments are not SIP messages and have no line: their retransmissions
// are the transport's business, and a message is recorded once, when
// written. A node's annotation (sim.KindAnnotation, nodes.Core.Note) is
// a "timer" when its label is "timeout" (a transaction's Timer B, F or H,
// a proxy's Timer C), "no-answer", "invite-expired" or ends in "-timeout"
// (a ring, call or cancel timer of a user agent), a "decision" otherwise. The SIP fields come from parsing the
// payload; a payload that does not parse leaves them zero, and the line
// keeps what the network knows (label, size).
//
// For example, the first lines of the reference scenario
// (testdata/seed.jsonl): user1 places the call and sends its INVITE to
// proxy 1, which receives it 10 ms later.
//
//	{"t_ns":0,"event":"decision","id":0,"node":"user1","from":"","to":"","transport":"","method":"","status":0,"reason":"","call_id":"5va6gf5dfdj63764bflj86imca@10.0.1.1","cseq":0,"branch":"","size":0,"retransmission":false,"hop":"","label":"call-placed","detail":"to sip:user2@here.com"}
//	{"t_ns":0,"event":"send","id":1,"node":"","from":"user1","to":"proxy1","transport":"UDP","method":"INVITE","status":0,"reason":"","call_id":"5va6gf5dfdj63764bflj86imca@10.0.1.1","cseq":1,"branch":"z9hG4bKbvqa34j3cig5e","size":449,"retransmission":false,"hop":"","label":"INVITE","detail":""}
//	{"t_ns":10000000,"event":"recv","id":1,"node":"","from":"user1","to":"proxy1","transport":"UDP","method":"INVITE","status":0,"reason":"","call_id":"5va6gf5dfdj63764bflj86imca@10.0.1.1","cseq":1,"branch":"z9hG4bKbvqa34j3cig5e","size":449,"retransmission":false,"hop":"","label":"INVITE","detail":""}
//
// # The text ladder
//
// [Ladder] draws the records as a sequence diagram in the style of RFC
// 3665: one column per node, one arrow per message, the time in
// milliseconds at the left, retransmissions and losses marked, and
// optionally the timers and decisions as notes.
//
// The same rows make a PlantUML sequence diagram ([Ladder.WritePlantUML])
// and a Mermaid one ([Ladder.WriteMermaid]), with the nodes' addresses
// ([LadderOptions].Addresses) under their names; [Ladder.Rows] gives them
// to writers that draw a ladder their own way, such as analysis/diagram.
package analysis
