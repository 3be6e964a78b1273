package sipstack

// AuthParams is the comma-separated auth-param list of a challenge or of
// credentials (RFC 3261 25.1, RFC 2617): `realm="atlanta.com", nonce="84a4",
// algorithm=MD5`, as received. Unlike list headers, these commas separate
// parameters, not header values.
type AuthParams string

// eachAuthParam calls f for each name=value pair of p. It returns false
// when p is malformed.
func (p AuthParams) each(f func(name, value string) bool) bool {
	s := string(p)
	i := skipWS(s, 0)
	for i < len(s) {
		n := i
		for i < len(s) && isTokenChar(s[i]) {
			i++
		}
		if i == n {
			return false
		}
		name := s[n:i]
		i = skipWS(s, i)
		if i >= len(s) || s[i] != '=' {
			return false
		}
		i = skipWS(s, i+1)
		v := i
		if i < len(s) && s[i] == '"' {
			e := quotedEnd(s, i)
			if e < 0 {
				return false
			}
			i = e
		} else {
			for i < len(s) && s[i] != ',' && !isWS(s[i]) {
				i++
			}
			if i == v {
				return false
			}
		}
		if !f(name, s[v:i]) {
			return true
		}
		i = skipWS(s, i)
		if i < len(s) {
			if s[i] != ',' {
				return false
			}
			i = skipWS(s, i+1)
			if i == len(s) {
				return false
			}
		}
	}
	return true
}

// Valid reports whether p is a well-formed auth-param list.
func (p AuthParams) Valid() bool {
	return p.each(func(string, string) bool { return true })
}

// Get returns the value of the parameter named name (ASCII
// case-insensitive), unquoted, and whether it is present.
func (p AuthParams) Get(name string) (string, bool) {
	var val string
	var found bool
	p.each(func(n, v string) bool {
		if equalFold(n, name) {
			if len(v) >= 2 && v[0] == '"' {
				v = unquote(v)
			}
			val, found = v, true
			return false
		}
		return true
	})
	return val, found
}

func (p AuthParams) get(name string) string { v, _ := p.Get(name); return v }

// With returns p with name=value appended; quoted writes the value as a
// quoted-string, as RFC 2617 requires for realm, nonce, opaque, uri,
// response, cnonce, username and domain.
func (p AuthParams) With(name, value string, quoted bool) AuthParams {
	b := make([]byte, 0, len(p)+len(name)+len(value)+6)
	b = append(b, p...)
	if len(p) > 0 {
		b = append(b, ", "...)
	}
	b = append(b, name...)
	b = append(b, '=')
	if quoted {
		b = appendQuoted(b, value)
	} else {
		b = append(b, value...)
	}
	return AuthParams(b)
}

// parseAuth splits "scheme params" (RFC 3261 25.1 challenge and
// credentials).
func parseAuth(s string) (scheme string, p AuthParams, msg string) {
	s = trimWS(s)
	i := 0
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	if i == 0 {
		return "", "", "missing auth-scheme"
	}
	scheme = s[:i]
	j := skipWS(s, i)
	if j == i && j < len(s) {
		return "", "", "missing LWS after auth-scheme"
	}
	p = AuthParams(s[j:])
	if !p.Valid() {
		return "", "", "malformed auth-params"
	}
	return scheme, p, ""
}

// A Challenge represents the value of a WWW-Authenticate or
// Proxy-Authenticate header (RFC 3261 20.44, 20.27, 22): the scheme,
// usually "Digest", and its parameters. A 401 or 407 response may carry
// several, one per header field.
type Challenge struct {
	// Scheme is the auth-scheme, such as "Digest"; it compares
	// case-insensitively.
	Scheme string
	// Params are the auth-params after the scheme.
	Params AuthParams
}

// Realm returns the realm parameter (RFC 2617 3.2.1).
func (c Challenge) Realm() string { return c.Params.get("realm") }

// Domain returns the domain parameter.
func (c Challenge) Domain() string { return c.Params.get("domain") }

// Nonce returns the nonce parameter.
func (c Challenge) Nonce() string { return c.Params.get("nonce") }

// Opaque returns the opaque parameter, which the client echoes back.
func (c Challenge) Opaque() string { return c.Params.get("opaque") }

// Algorithm returns the algorithm parameter, such as "MD5"; "" means MD5.
func (c Challenge) Algorithm() string { return c.Params.get("algorithm") }

// QOP returns the qop-options parameter, such as "auth,auth-int".
func (c Challenge) QOP() string { return c.Params.get("qop") }

// Stale reports whether the stale parameter is "true" (RFC 2617 3.2.1:
// the nonce was stale and the client may retry without asking the user).
func (c Challenge) Stale() bool { return equalFold(c.Params.get("stale"), "true") }

// String returns the challenge as "Scheme params".
func (c Challenge) String() string { return c.Scheme + " " + string(c.Params) }

// Credentials represent the value of an Authorization or
// Proxy-Authorization header (RFC 3261 20.7, 20.28, 22): the answer of a
// client to a [Challenge].
type Credentials struct {
	// Scheme is the auth-scheme, such as "Digest".
	Scheme string
	// Params are the auth-params after the scheme.
	Params AuthParams
}

// Username returns the username parameter.
func (c Credentials) Username() string { return c.Params.get("username") }

// Realm returns the realm parameter.
func (c Credentials) Realm() string { return c.Params.get("realm") }

// Nonce returns the nonce parameter.
func (c Credentials) Nonce() string { return c.Params.get("nonce") }

// URI returns the digest-uri parameter ("uri").
func (c Credentials) URI() string { return c.Params.get("uri") }

// Response returns the request-digest parameter ("response").
func (c Credentials) Response() string { return c.Params.get("response") }

// Algorithm returns the algorithm parameter.
func (c Credentials) Algorithm() string { return c.Params.get("algorithm") }

// CNonce returns the cnonce parameter.
func (c Credentials) CNonce() string { return c.Params.get("cnonce") }

// Opaque returns the opaque parameter.
func (c Credentials) Opaque() string { return c.Params.get("opaque") }

// QOP returns the message-qop parameter ("qop").
func (c Credentials) QOP() string { return c.Params.get("qop") }

// NC returns the nonce-count parameter ("nc"), eight hex digits.
func (c Credentials) NC() string { return c.Params.get("nc") }

// String returns the credentials as "Scheme params".
func (c Credentials) String() string { return c.Scheme + " " + string(c.Params) }

func (h Header) auths(id hdr) ([]string, []AuthParams, error) {
	name := headerTable[id].name
	var schemes []string
	var params []AuthParams
	for i := range h.fields {
		if h.fields[i].id() != id {
			continue
		}
		sc, p, msg := parseAuth(h.str(h.fields[i].value))
		if msg != "" {
			return nil, nil, syntaxError(name, msg)
		}
		schemes = append(schemes, sc)
		params = append(params, p)
	}
	return schemes, params, nil
}

func (h Header) challenges(id hdr) ([]Challenge, error) {
	sc, p, err := h.auths(id)
	if err != nil {
		return nil, err
	}
	out := make([]Challenge, len(sc))
	for i := range sc {
		out[i] = Challenge{sc[i], p[i]}
	}
	return out, nil
}

func (h Header) credentials(id hdr) ([]Credentials, error) {
	sc, p, err := h.auths(id)
	if err != nil {
		return nil, err
	}
	out := make([]Credentials, len(sc))
	for i := range sc {
		out[i] = Credentials{sc[i], p[i]}
	}
	return out, nil
}

// WWWAuthenticate returns the challenges of WWW-Authenticate headers, one
// per field (RFC 3261 20.44).
func (h Header) WWWAuthenticate() ([]Challenge, error) { return h.challenges(hWWWAuthenticate) }

// ProxyAuthenticate returns the challenges of Proxy-Authenticate headers
// (RFC 3261 20.27).
func (h Header) ProxyAuthenticate() ([]Challenge, error) { return h.challenges(hProxyAuthenticate) }

// Authorization returns the credentials of Authorization headers (RFC
// 3261 20.7).
func (h Header) Authorization() ([]Credentials, error) { return h.credentials(hAuthorization) }

// ProxyAuthorization returns the credentials of Proxy-Authorization
// headers (RFC 3261 20.28).
func (h Header) ProxyAuthorization() ([]Credentials, error) {
	return h.credentials(hProxyAuthorization)
}
