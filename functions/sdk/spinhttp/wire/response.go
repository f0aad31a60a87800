package wire

// Response is a response in the shape of Spin's response record: status, headers in
// the order sent (one pair per value), body.
type Response struct {
	Status  int
	Headers []Pair
	Body    []byte
}

// Set replaces the first header called name (compared as written: use one spelling,
// such as the canonical form, throughout) and removes any others, or adds it.
func (r *Response) Set(name, value string) {
	for i := range r.Headers {
		if r.Headers[i].Name == name {
			r.Headers[i].Value = value
			rest := deleted(r.Headers[i+1:], name) // compacted in place
			r.Headers = r.Headers[:i+1+len(rest)]
			return
		}
	}
	r.Add(name, value)
}

// Add adds a header, keeping those of the same name (Set-Cookie).
func (r *Response) Add(name, value string) {
	r.Headers = append(r.Headers, Pair{Name: name, Value: value})
}

// Del removes every header called name (compared as written).
func (r *Response) Del(name string) { r.Headers = deleted(r.Headers, name) }

// deleted returns headers without those called name, reusing its array.
func deleted(headers []Pair, name string) []Pair {
	kept := headers[:0]
	for _, p := range headers {
		if p.Name != name {
			kept = append(kept, p)
		}
	}
	return kept
}
