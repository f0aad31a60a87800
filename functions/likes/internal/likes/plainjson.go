package likes

import "strconv"

// The JSON on a like's hot path comes in fixed forms: the claims Issue signs, the body
// the like button sends, and a page's state in the response. These functions read and
// write exactly those forms without encoding/json, whose reflection was about a fifth of
// a like's time in a Go guest. Each one either gives what encoding/json gives or
// declines (ok false), and the caller then uses encoding/json: FuzzPlainJSON holds them
// to that.

// plainScanner reads a JSON text of one expected form; any deviation clears ok.
type plainScanner struct {
	rest []byte
	ok   bool
}

// literal consumes l.
func (s *plainScanner) literal(l string) {
	s.ok = s.ok && len(s.rest) >= len(l) && string(s.rest[:len(l)]) == l
	if s.ok {
		s.rest = s.rest[len(l):]
	}
}

// next reports whether the next byte is c.
func (s *plainScanner) next(c byte) bool { return s.ok && len(s.rest) > 0 && s.rest[0] == c }

// plainString consumes a string of printable ASCII without escapes and returns it.
func (s *plainScanner) plainString() string {
	if !s.next('"') {
		s.ok = false
		return ""
	}
	for i := 1; i < len(s.rest); i++ {
		if c := s.rest[i]; c == '"' {
			v := string(s.rest[1:i])
			s.rest = s.rest[i+1:]
			return v
		} else if c < 0x20 || c > 0x7e || c == '\\' {
			break
		}
	}
	s.ok = false
	return ""
}

// seconds consumes a non-negative integer of at most 15 digits (so exact as a
// float64) without leading zeros, and returns it as encoding/json decodes it into a
// *float64.
func (s *plainScanner) seconds() *float64 {
	var v int64
	n := 0
	for ; s.ok && n < len(s.rest) && n <= 15 && '0' <= s.rest[n] && s.rest[n] <= '9'; n++ {
		v = v*10 + int64(s.rest[n]-'0')
	}
	if !s.ok || n == 0 || n > 15 || (n > 1 && s.rest[0] == '0') {
		s.ok = false
		return nil
	}
	s.rest = s.rest[n:]
	f := float64(v)
	return &f
}

// end reports whether the whole text was read in the expected form.
func (s *plainScanner) end() bool { return s.ok && len(s.rest) == 0 }

// plainClaims decodes data in the form Issue writes claims,
// {"iss":S,"sub":S,"exp":N,"nbf":N,"iat":N}.
func plainClaims(data []byte, c *readerClaims) (ok bool) {
	s := plainScanner{rest: data, ok: true}
	s.literal(`{"iss":`)
	iss := s.plainString()
	s.literal(`,"sub":`)
	sub := s.plainString()
	s.literal(`,"exp":`)
	exp := s.seconds()
	s.literal(`,"nbf":`)
	nbf := s.seconds()
	s.literal(`,"iat":`)
	iat := s.seconds()
	s.literal(`}`)
	if !s.end() {
		return false
	}
	*c = readerClaims{Issuer: iss, Subject: sub, ExpiresAt: exp, NotBefore: nbf, IssuedAt: iat}
	return true
}

// plainChange decodes body in the form the like button sends, {"url":S}, or with an
// action, {"url":S,"action":S}.
func plainChange(body []byte, req *changeRequest) (ok bool) {
	s := plainScanner{rest: body, ok: true}
	s.literal(`{"url":`)
	u := s.plainString()
	var action string
	if s.next(',') {
		s.literal(`,"action":`)
		action = s.plainString()
	}
	s.literal(`}`)
	if !s.end() {
		return false
	}
	*req = changeRequest{URL: &u, Action: action}
	return true
}

// appendPageLikes appends st as encoding/json writes it, when its URL is printable
// ASCII that encoding/json writes as it is (no quote, backslash or HTML special).
func appendPageLikes(b []byte, st PageLikes) (_ []byte, ok bool) {
	for i := 0; i < len(st.URL); i++ {
		if c := st.URL[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return b, false
		}
	}
	b = append(b, `{"url":"`...)
	b = append(b, st.URL...)
	b = append(b, `","count":`...)
	b = strconv.AppendInt(b, st.Count, 10)
	b = append(b, `,"liked":`...)
	b = strconv.AppendBool(b, st.Liked)
	return append(b, '}'), true
}
