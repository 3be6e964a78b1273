package sipstack

// hdr identifies a header field known to this package; hUnknown is 0.
type hdr uint8

const (
	hUnknown hdr = iota
	hAccept
	hAcceptContact
	hAcceptEncoding
	hAcceptLanguage
	hAlertInfo
	hAllow
	hAllowEvents
	hAuthenticationInfo
	hAuthorization
	hCallID
	hCallInfo
	hContact
	hContentDisposition
	hContentEncoding
	hContentLanguage
	hContentLength
	hContentType
	hCSeq
	hDate
	hErrorInfo
	hEvent
	hExpires
	hFrom
	hIdentity
	hInReplyTo
	hMaxForwards
	hMIMEVersion
	hMinExpires
	hOrganization
	hPriority
	hProxyAuthenticate
	hProxyAuthorization
	hProxyRequire
	hReason
	hRecordRoute
	hReferTo
	hReferredBy
	hRejectContact
	hReplyTo
	hRequestDisposition
	hRequire
	hRetryAfter
	hRoute
	hServer
	hSessionExpires
	hSubject
	hSupported
	hTimestamp
	hTo
	hUnsupported
	hUserAgent
	hVia
	hWarning
	hWWWAuthenticate
	hCount
)

// Header kinds.
const (
	// kList marks a header whose field value is a comma-separated list
	// (RFC 3261 7.3.1): several fields may be combined into one and a
	// comma separates values.
	kList uint8 = 1 << iota
	// kSingle marks a header that a message may carry at most once.
	kSingle
)

// headerInfo describes one known header: its canonical long name, its
// compact form (0 if none) and its kind.
type headerInfo struct {
	name    string
	compact byte
	kind    uint8
}

// headerTable is the one table of header names: canonical spelling, compact
// form (RFC 3261 7.3.3 and the IANA "Header Fields" registry) and whether the
// value is a comma-separated list. It is read-only.
//
// Headers whose values contain commas that do not separate values
// (WWW-Authenticate, Authorization, Date, Subject, ...) are not kList.
var headerTable = [hCount]headerInfo{
	hAccept:             {"Accept", 0, kList},
	hAcceptContact:      {"Accept-Contact", 'a', kList},
	hAcceptEncoding:     {"Accept-Encoding", 0, kList},
	hAcceptLanguage:     {"Accept-Language", 0, kList},
	hAlertInfo:          {"Alert-Info", 0, kList},
	hAllow:              {"Allow", 0, kList},
	hAllowEvents:        {"Allow-Events", 'u', kList},
	hAuthenticationInfo: {"Authentication-Info", 0, 0},
	hAuthorization:      {"Authorization", 0, 0},
	hCallID:             {"Call-ID", 'i', kSingle},
	hCallInfo:           {"Call-Info", 0, kList},
	hContact:            {"Contact", 'm', kList},
	hContentDisposition: {"Content-Disposition", 0, kSingle},
	hContentEncoding:    {"Content-Encoding", 'e', kList},
	hContentLanguage:    {"Content-Language", 0, kList},
	hContentLength:      {"Content-Length", 'l', kSingle},
	hContentType:        {"Content-Type", 'c', kSingle},
	hCSeq:               {"CSeq", 0, kSingle},
	hDate:               {"Date", 0, kSingle},
	hErrorInfo:          {"Error-Info", 0, kList},
	hEvent:              {"Event", 'o', kSingle},
	hExpires:            {"Expires", 0, kSingle},
	hFrom:               {"From", 'f', kSingle},
	hIdentity:           {"Identity", 'y', 0},
	hInReplyTo:          {"In-Reply-To", 0, kList},
	hMaxForwards:        {"Max-Forwards", 0, kSingle},
	hMIMEVersion:        {"MIME-Version", 0, kSingle},
	hMinExpires:         {"Min-Expires", 0, kSingle},
	hOrganization:       {"Organization", 0, 0},
	hPriority:           {"Priority", 0, 0},
	hProxyAuthenticate:  {"Proxy-Authenticate", 0, 0},
	hProxyAuthorization: {"Proxy-Authorization", 0, 0},
	hProxyRequire:       {"Proxy-Require", 0, kList},
	hReason:             {"Reason", 0, kList},
	hRecordRoute:        {"Record-Route", 0, kList},
	hReferTo:            {"Refer-To", 'r', 0},
	hReferredBy:         {"Referred-By", 'b', 0},
	hRejectContact:      {"Reject-Contact", 'j', kList},
	hReplyTo:            {"Reply-To", 0, 0},
	hRequestDisposition: {"Request-Disposition", 'd', kList},
	hRequire:            {"Require", 0, kList},
	hRetryAfter:         {"Retry-After", 0, 0},
	hRoute:              {"Route", 0, kList},
	hServer:             {"Server", 0, 0},
	hSessionExpires:     {"Session-Expires", 'x', 0},
	hSubject:            {"Subject", 's', 0},
	hSupported:          {"Supported", 'k', kList},
	hTimestamp:          {"Timestamp", 0, 0},
	hTo:                 {"To", 't', kSingle},
	hUnsupported:        {"Unsupported", 0, kList},
	hUserAgent:          {"User-Agent", 0, 0},
	hVia:                {"Via", 'v', kList},
	hWarning:            {"Warning", 0, kList},
	hWWWAuthenticate:    {"WWW-Authenticate", 0, 0},
}

// lookupHeader returns the id of a header name given in any case, long or
// compact form, or hUnknown. It does not allocate: it runs once per header
// line, so a long name is hashed (headerHash) to the one candidate that
// can match, which is then compared.
func lookupHeader(name string) hdr {
	switch len(name) {
	case 0:
		return hUnknown
	case 1:
		return lookupCompact(lower(name[0]))
	}
	if id := headerByHash[headerHash(name)]; id != hUnknown {
		if c := headerTable[id].name; name == c || equalFold(name, c) {
			return id
		}
	}
	return hUnknown
}

// headerHash hashes a header name of two octets or more, ignoring case,
// from its length and its first, middle and last octets. The multiplier
// was chosen so that the long names of headerTable have distinct hashes
// (Refer-To and Reply-To differ only in the middle letter);
// headerByHash's initialization checks it.
func headerHash(name string) uint8 {
	// c|0x20 lowers letters without a branch; it also changes some
	// non-letters, which is harmless as a match is confirmed by comparing.
	k := uint32(len(name)) | uint32(name[0]|0x20)<<8 |
		uint32(name[len(name)/2]|0x20)<<16 | uint32(name[len(name)-1]|0x20)<<24
	return uint8(k * 0x2778507d >> 24)
}

// headerByHash maps headerHash of each long name in headerTable to its id.
// It is read-only after initialization.
var headerByHash = func() (t [256]hdr) {
	for id := hdr(1); id < hCount; id++ {
		h := headerHash(headerTable[id].name)
		if t[h] != hUnknown {
			panic("sipstack: " + headerTable[id].name + " and " + headerTable[t[h]].name + " have the same hash")
		}
		t[h] = id
	}
	return t
}()

// lookupCompact maps a lower-case compact form to its header.
func lookupCompact(c byte) hdr {
	switch c {
	case 'a':
		return hAcceptContact
	case 'b':
		return hReferredBy
	case 'c':
		return hContentType
	case 'd':
		return hRequestDisposition
	case 'e':
		return hContentEncoding
	case 'f':
		return hFrom
	case 'i':
		return hCallID
	case 'j':
		return hRejectContact
	case 'k':
		return hSupported
	case 'l':
		return hContentLength
	case 'm':
		return hContact
	case 'o':
		return hEvent
	case 'r':
		return hReferTo
	case 's':
		return hSubject
	case 't':
		return hTo
	case 'u':
		return hAllowEvents
	case 'v':
		return hVia
	case 'x':
		return hSessionExpires
	case 'y':
		return hIdentity
	}
	return hUnknown
}

// CanonicalHeaderName returns the canonical long form of a header name
// known to this package, given in any letter case or in its compact form
// (RFC 3261 7.3.3): "v" and "VIA" both give "Via", "cseq" gives "CSeq".
// Unknown names are returned unchanged. It does not allocate.
func CanonicalHeaderName(name string) string {
	if id := lookupHeader(name); id != hUnknown {
		return headerTable[id].name
	}
	return name
}

// CompactHeaderName returns the compact form of a header name (RFC 3261
// 7.3.3), such as "v" for "Via", and whether the header has one.
func CompactHeaderName(name string) (string, bool) {
	id := lookupHeader(name)
	if id == hUnknown || headerTable[id].compact == 0 {
		return "", false
	}
	c := headerTable[id].compact
	return compactNames[c-'a' : c-'a'+1], true
}

const compactNames = "abcdefghijklmnopqrstuvwxyz"

// isListHeader reports whether commas separate values of the named header.
func isListHeader(id hdr) bool { return headerTable[id].kind&kList != 0 }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

// equalFold compares two strings ASCII case-insensitively.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// lookupAt returns lookupHeader(s[i:i+n]) for a name of n token octets
// at s[i]. Its common case, a known name of 2 to 16 octets written in
// canonical case with 8 octets of s from s[i] on, compares one or two
// words with the canonical name's instead of calling for a string
// comparison.
func lookupAt(s string, i, n int) hdr {
	if n < 2 || n > 16 || len(s)-i < 8 {
		return lookupHeader(s[i : i+n])
	}
	id := headerByHash[headerHash(s[i:i+n])]
	if id == hUnknown {
		return hUnknown
	}
	w := &nameWords[id]
	if n == int(w.n) {
		if n <= 8 {
			if load64(s[i:])&(^uint64(0)>>(64-8*n)) == w.lo {
				return id
			}
		} else if load64(s[i:]) == w.lo && load64(s[i+n-8:]) == w.hi {
			return id
		}
		if equalFold(s[i:i+n], headerTable[id].name) {
			return id
		}
	}
	return hUnknown
}

// nameWords holds, for each long name of headerTable, its length and its
// first and last eight octets as little-endian words (the first zero
// padded when the name is shorter). It is read-only after initialization.
var nameWords = func() (t [hCount]struct {
	lo, hi uint64
	n      uint8
}) {
	for id := hdr(1); id < hCount; id++ {
		name := headerTable[id].name
		var b [8]byte
		copy(b[:], name)
		t[id].lo = load64(string(b[:]))
		if len(name) >= 8 {
			t[id].hi = load64(name[len(name)-8:])
		}
		t[id].n = uint8(len(name))
	}
	return t
}()
