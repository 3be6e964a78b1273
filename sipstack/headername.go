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
// compact form, or hUnknown. It does not allocate: a switch on the length
// and the first and last letters picks the one or two candidates to
// compare.
func lookupHeader(name string) hdr {
	switch len(name) {
	case 0:
		return hUnknown
	case 1:
		return lookupCompact(lower(name[0]))
	}
	switch uint32(len(name))<<16 | uint32(lower(name[0]))<<8 | uint32(lower(name[len(name)-1])) {
	case 2<<16 | 't'<<8 | 'o': // To
		if equalFold(name, "To") {
			return hTo
		}
	case 3<<16 | 'v'<<8 | 'a': // Via
		if equalFold(name, "Via") {
			return hVia
		}
	case 4<<16 | 'c'<<8 | 'q': // CSeq
		if equalFold(name, "CSeq") {
			return hCSeq
		}
	case 4<<16 | 'd'<<8 | 'e': // Date
		if equalFold(name, "Date") {
			return hDate
		}
	case 4<<16 | 'f'<<8 | 'm': // From
		if equalFold(name, "From") {
			return hFrom
		}
	case 5<<16 | 'a'<<8 | 'w': // Allow
		if equalFold(name, "Allow") {
			return hAllow
		}
	case 5<<16 | 'e'<<8 | 't': // Event
		if equalFold(name, "Event") {
			return hEvent
		}
	case 5<<16 | 'r'<<8 | 'e': // Route
		if equalFold(name, "Route") {
			return hRoute
		}
	case 6<<16 | 'a'<<8 | 't': // Accept
		if equalFold(name, "Accept") {
			return hAccept
		}
	case 6<<16 | 'r'<<8 | 'n': // Reason
		if equalFold(name, "Reason") {
			return hReason
		}
	case 6<<16 | 's'<<8 | 'r': // Server
		if equalFold(name, "Server") {
			return hServer
		}
	case 7<<16 | 'c'<<8 | 'd': // Call-ID
		if equalFold(name, "Call-ID") {
			return hCallID
		}
	case 7<<16 | 'c'<<8 | 't': // Contact
		if equalFold(name, "Contact") {
			return hContact
		}
	case 7<<16 | 'e'<<8 | 's': // Expires
		if equalFold(name, "Expires") {
			return hExpires
		}
	case 7<<16 | 'r'<<8 | 'e': // Require
		if equalFold(name, "Require") {
			return hRequire
		}
	case 7<<16 | 's'<<8 | 't': // Subject
		if equalFold(name, "Subject") {
			return hSubject
		}
	case 7<<16 | 'w'<<8 | 'g': // Warning
		if equalFold(name, "Warning") {
			return hWarning
		}
	case 8<<16 | 'i'<<8 | 'y': // Identity
		if equalFold(name, "Identity") {
			return hIdentity
		}
	case 8<<16 | 'p'<<8 | 'y': // Priority
		if equalFold(name, "Priority") {
			return hPriority
		}
	case 8<<16 | 'r'<<8 | 'o': // Refer-To, Reply-To
		if equalFold(name, "Refer-To") {
			return hReferTo
		}
		if equalFold(name, "Reply-To") {
			return hReplyTo
		}
	case 9<<16 | 'c'<<8 | 'o': // Call-Info
		if equalFold(name, "Call-Info") {
			return hCallInfo
		}
	case 9<<16 | 's'<<8 | 'd': // Supported
		if equalFold(name, "Supported") {
			return hSupported
		}
	case 9<<16 | 't'<<8 | 'p': // Timestamp
		if equalFold(name, "Timestamp") {
			return hTimestamp
		}
	case 10<<16 | 'a'<<8 | 'o': // Alert-Info
		if equalFold(name, "Alert-Info") {
			return hAlertInfo
		}
	case 10<<16 | 'e'<<8 | 'o': // Error-Info
		if equalFold(name, "Error-Info") {
			return hErrorInfo
		}
	case 10<<16 | 'u'<<8 | 't': // User-Agent
		if equalFold(name, "User-Agent") {
			return hUserAgent
		}
	case 11<<16 | 'i'<<8 | 'o': // In-Reply-To
		if equalFold(name, "In-Reply-To") {
			return hInReplyTo
		}
	case 11<<16 | 'm'<<8 | 's': // Min-Expires
		if equalFold(name, "Min-Expires") {
			return hMinExpires
		}
	case 11<<16 | 'r'<<8 | 'r': // Retry-After
		if equalFold(name, "Retry-After") {
			return hRetryAfter
		}
	case 11<<16 | 'r'<<8 | 'y': // Referred-By
		if equalFold(name, "Referred-By") {
			return hReferredBy
		}
	case 11<<16 | 'u'<<8 | 'd': // Unsupported
		if equalFold(name, "Unsupported") {
			return hUnsupported
		}
	case 12<<16 | 'a'<<8 | 's': // Allow-Events
		if equalFold(name, "Allow-Events") {
			return hAllowEvents
		}
	case 12<<16 | 'c'<<8 | 'e': // Content-Type
		if equalFold(name, "Content-Type") {
			return hContentType
		}
	case 12<<16 | 'm'<<8 | 'n': // MIME-Version
		if equalFold(name, "MIME-Version") {
			return hMIMEVersion
		}
	case 12<<16 | 'm'<<8 | 's': // Max-Forwards
		if equalFold(name, "Max-Forwards") {
			return hMaxForwards
		}
	case 12<<16 | 'o'<<8 | 'n': // Organization
		if equalFold(name, "Organization") {
			return hOrganization
		}
	case 12<<16 | 'r'<<8 | 'e': // Record-Route
		if equalFold(name, "Record-Route") {
			return hRecordRoute
		}
	case 13<<16 | 'a'<<8 | 'n': // Authorization
		if equalFold(name, "Authorization") {
			return hAuthorization
		}
	case 13<<16 | 'p'<<8 | 'e': // Proxy-Require
		if equalFold(name, "Proxy-Require") {
			return hProxyRequire
		}
	case 14<<16 | 'a'<<8 | 't': // Accept-Contact
		if equalFold(name, "Accept-Contact") {
			return hAcceptContact
		}
	case 14<<16 | 'c'<<8 | 'h': // Content-Length
		if equalFold(name, "Content-Length") {
			return hContentLength
		}
	case 14<<16 | 'r'<<8 | 't': // Reject-Contact
		if equalFold(name, "Reject-Contact") {
			return hRejectContact
		}
	case 15<<16 | 'a'<<8 | 'e': // Accept-Language
		if equalFold(name, "Accept-Language") {
			return hAcceptLanguage
		}
	case 15<<16 | 'a'<<8 | 'g': // Accept-Encoding
		if equalFold(name, "Accept-Encoding") {
			return hAcceptEncoding
		}
	case 15<<16 | 's'<<8 | 's': // Session-Expires
		if equalFold(name, "Session-Expires") {
			return hSessionExpires
		}
	case 16<<16 | 'c'<<8 | 'e': // Content-Language
		if equalFold(name, "Content-Language") {
			return hContentLanguage
		}
	case 16<<16 | 'c'<<8 | 'g': // Content-Encoding
		if equalFold(name, "Content-Encoding") {
			return hContentEncoding
		}
	case 16<<16 | 'w'<<8 | 'e': // WWW-Authenticate
		if equalFold(name, "WWW-Authenticate") {
			return hWWWAuthenticate
		}
	case 18<<16 | 'p'<<8 | 'e': // Proxy-Authenticate
		if equalFold(name, "Proxy-Authenticate") {
			return hProxyAuthenticate
		}
	case 19<<16 | 'a'<<8 | 'o': // Authentication-Info
		if equalFold(name, "Authentication-Info") {
			return hAuthenticationInfo
		}
	case 19<<16 | 'c'<<8 | 'n': // Content-Disposition
		if equalFold(name, "Content-Disposition") {
			return hContentDisposition
		}
	case 19<<16 | 'p'<<8 | 'n': // Proxy-Authorization
		if equalFold(name, "Proxy-Authorization") {
			return hProxyAuthorization
		}
	case 19<<16 | 'r'<<8 | 'n': // Request-Disposition
		if equalFold(name, "Request-Disposition") {
			return hRequestDisposition
		}
	}
	return hUnknown
}

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
