package nodes

import (
	"crypto/md5"
	"encoding/hex"
)

// digestResponse returns the MD5 request-digest of RFC 2617 3.2.2.1 in
// lower-case hex, as RFC 3261 22.4 uses it: KD(H(A1),
// nonce:nc:cnonce:qop:H(A2)) when qop is given, and the RFC 2069 form
// KD(H(A1), nonce:H(A2)) when it is empty, with A1 = username:realm:password
// and A2 = method:digest-uri. Only qop "auth" is supported: for "auth-int"
// A2 would also hash the body, so such a response never matches and is
// refused. User agents, proxies and registrars all compute it here, so that
// the challenger and the challenged can never disagree on the formula.
func digestResponse(user, realm, password, method, digestURI, nonce, nc, cnonce, qop string) string {
	h := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	ha1 := h(user + ":" + realm + ":" + password)
	ha2 := h(method + ":" + digestURI)
	if qop == "" {
		return h(ha1 + ":" + nonce + ":" + ha2)
	}
	return h(ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":" + qop + ":" + ha2)
}
