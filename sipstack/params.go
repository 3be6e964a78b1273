package sipstack

import (
	"iter"
	"strings"
)

// Params is a list of parameters in the canonical text form of RFC 3261
// 25.1 generic-param: ";name=value;flag;name2=\"quoted value\"", with no
// LWS. The zero value is the empty list. Names compare ASCII
// case-insensitively; values keep their case.
//
// Params values are immutable strings: [Params.Set] and [Params.Del] return
// a new list. Parameters parsed from a message are substrings of it, so
// reading them does not allocate.
type Params string

// param returns the parameter that starts at p[i] == ';' and the index of
// the next one.
func (p Params) param(i int) (name, value string, hasValue bool, next int) {
	s := string(p)
	i++ // ';'
	n := i
	for i < len(s) && s[i] != '=' && s[i] != ';' {
		i++
	}
	name = s[n:i]
	if i < len(s) && s[i] == '=' {
		i++
		v := i
		if i < len(s) && s[i] == '"' {
			if e := quotedEnd(s, i); e > 0 {
				i = e
			}
		}
		for i < len(s) && s[i] != ';' {
			i++
		}
		return name, s[v:i], true, i
	}
	return name, "", false, i
}

// Get returns the value of the first parameter named name and whether it is
// present. A flag parameter such as ";lr" gives "", true. A quoted value is
// returned without its quotes, with quoted-pairs resolved.
func (p Params) Get(name string) (string, bool) {
	for i := 0; i < len(p); {
		n, v, _, next := p.param(i)
		if equalFold(n, name) {
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = unquote(v)
			}
			return v, true
		}
		i = next
	}
	return "", false
}

// Has reports whether a parameter named name is present.
func (p Params) Has(name string) bool {
	_, ok := p.Get(name)
	return ok
}

// All returns an iterator over the parameters in order, as (name, value)
// pairs; flag parameters have an empty value. Values are given as written,
// quoted strings with their quotes.
func (p Params) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for i := 0; i < len(p); {
			n, v, _, next := p.param(i)
			if !yield(n, v) {
				return
			}
			i = next
		}
	}
}

// Len returns the number of parameters.
func (p Params) Len() int {
	n := 0
	for i := 0; i < len(p); n++ {
		_, _, _, i = p.param(i)
	}
	return n
}

// Set returns p with the parameter name set to value, replacing the first
// parameter of that name in place (keeping its spelling) or appending it. An empty value gives a
// flag parameter (";lr"). A value that is not a token or host is written
// as a quoted-string.
func (p Params) Set(name, value string) Params {
	var b []byte
	replaced := false
	for i := 0; i < len(p); {
		n, _, _, next := p.param(i)
		if !replaced && equalFold(n, name) {
			b = append(b, p[:i]...)
			b = appendParam(b, n, value)
			b = append(b, p[next:]...)
			replaced = true
			break
		}
		i = next
	}
	if !replaced {
		b = append(b, p...)
		b = appendParam(b, name, value)
	}
	return Params(b)
}

// Del returns p without any parameter named name.
func (p Params) Del(name string) Params {
	var b strings.Builder
	found := false
	for i := 0; i < len(p); {
		n, _, _, next := p.param(i)
		if equalFold(n, name) {
			found = true
		} else {
			b.WriteString(string(p[i:next]))
		}
		i = next
	}
	if !found {
		return p
	}
	return Params(b.String())
}

func appendParam(b []byte, name, value string) []byte {
	b = append(b, ';')
	b = append(b, name...)
	if value == "" {
		return b
	}
	b = append(b, '=')
	plain := true
	for i := 0; i < len(value); i++ {
		if !isHostChar(value[i]) {
			plain = false
			break
		}
	}
	if plain {
		return append(b, value...)
	}
	return appendQuoted(b, value)
}
