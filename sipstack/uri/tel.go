package uri

import "strings"

// Parameter names of RFC 3966 3 with their own syntax.
const (
	paramPhoneContext = "phone-context" // RFC 3966 5.1.5
	paramExt          = "ext"           // RFC 3966 5.2
	paramIsub         = "isub"          // RFC 3966 5.3
)

// parseTel parses the part of a tel URI after "tel:", which starts at s[i]
// (RFC 3966 3):
//
//	telephone-subscriber = global-number / local-number
//	global-number        = global-number-digits *par
//	local-number         = local-number-digits *par context *par
//	global-number-digits = "+" *phonedigit DIGIT *phonedigit
//	local-number-digits  = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex
//	par                  = parameter / extension / isdn-subaddress
//	parameter            = ";" pname ["=" pvalue ]
//
// A parameter name appears at most once, since RFC 3966 4 compares
// parameters by name.
func parseTel(s string, i int) (URI, error) {
	u := URI{Scheme: SchemeTel}
	e := numberEnd(s, i)
	if e < 0 {
		return URI{}, newError(ErrTelNumber, s, i)
	}
	if e < len(s) && s[e] != ';' {
		return URI{}, fault(s, e, ErrTelNumber)
	}
	u.User = s[i:e]
	i = e
	start, n := i, 0
	hasContext := false
	for i < len(s) {
		if n == MaxParams {
			return URI{}, newError(ErrTooManyParams, s, i)
		}
		i++ // ";"
		e, _ := scan(s, i, telPnameLo, telPnameHi, false)
		if e == i {
			return URI{}, fault(s, i, ErrParam)
		}
		name, at := s[i:e], i
		i = e
		if i < len(s) && s[i] == '=' {
			i++
			switch {
			case strings.EqualFold(name, paramPhoneContext):
				e = contextEnd(s, i)
				hasContext = true
			case strings.EqualFold(name, paramExt):
				// extension = ";ext=" 1*phonedigit
				e, _ = scan(s, i, phoneLo, 0, false)
			case strings.EqualFold(name, paramIsub):
				// isdn-subaddress = ";isub=" 1*uric; a ";" would be
				// ambiguous with the next parameter, so it ends the value.
				e, _ = scan(s, i, uricLo&^(1<<';'), uricHi, true)
			default:
				e, _ = scan(s, i, paramLo, paramHi, true)
			}
			if e <= i {
				return URI{}, fault(s, max(i, e), ErrParam)
			}
			i = e
		} else if strings.EqualFold(name, paramPhoneContext) || strings.EqualFold(name, paramExt) || strings.EqualFold(name, paramIsub) {
			return URI{}, fault(s, i, ErrParam) // these need a value
		}
		if i < len(s) && s[i] != ';' {
			return URI{}, fault(s, i, ErrParam)
		}
		if err := checkDuplicate(s[start:at-1], name, s, at); err != nil {
			return URI{}, err
		}
		n++
	}
	u.Params = s[start:i]
	if u.User[0] != '+' && !hasContext {
		return URI{}, newError(ErrTelNumber, s, len(SchemeTel)+1) // RFC 3966 5.1.5
	}
	return u, nil
}

// numberEnd returns the end of the global-number-digits or
// local-number-digits starting at s[i], or -1 if there is none.
func numberEnd(s string, i int) int {
	if i < len(s) && s[i] == '+' {
		return globalDigitsEnd(s, i)
	}
	e, _ := scan(s, i, phoneHexLo, phoneHexHi, false)
	for j := i; j < e; j++ {
		if !in(s[j], visualLo, 0) {
			return e // one HEXDIG, "*" or "#"
		}
	}
	return -1
}

// globalDigitsEnd returns the end of the global-number-digits starting
// with the "+" at s[i], or -1 if it holds no DIGIT.
func globalDigitsEnd(s string, i int) int {
	e, _ := scan(s, i+1, phoneLo, 0, false)
	for j := i + 1; j < e; j++ {
		if isDigit(s[j]) {
			return e
		}
	}
	return -1
}

// contextEnd returns the end of the phone-context descriptor starting at
// s[i] (descriptor = domainname / global-number-digits, RFC 3966 3), or -1
// if there is none.
func contextEnd(s string, i int) int {
	if i < len(s) && s[i] == '+' {
		return globalDigitsEnd(s, i)
	}
	e, _ := scan(s, i, hostLo, hostHi, false)
	if e == i || !isHostname(s[i:e]) {
		return -1
	}
	return e
}

// telNumberEqual reports whether the tel numbers a and b are equal after
// removing visual separators, ignoring case (RFC 3966 4).
func telNumberEqual(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && in(a[i], visualLo, 0) {
			i++
		}
		for j < len(b) && in(b[j], visualLo, 0) {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if lower(a[i]) != lower(b[j]) {
			return false
		}
		i++
		j++
	}
}
