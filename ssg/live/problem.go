package live

import (
	"errors"
	"regexp"
	"strconv"

	"wasmsite/ssg/source"
)

// Problem is one reason a build failed, as the browser's overlay shows it.
type Problem struct {
	File    string `json:"file,omitempty"` // as the generator names it, e.g. content/blog/x.md
	Line    int    `json:"line,omitempty"` // from 1; 0 when unknown
	Col     int    `json:"col,omitempty"`
	Message string `json:"message"`
}

// located matches messages that start with a place: "file:line:col: reason"
// (settings errors) or "file: reason" (a file without a line).
var (
	atLine = regexp.MustCompile(`^(\S[^:]*):(\d+):(\d+): (?s:(.*))$`)
	atFile = regexp.MustCompile(`^(\S[^:\s]*): (?s:(.*))$`)
)

// Problems returns the problems of a build error: one per error joined in
// it (errors.Join), located by its *source.Error or, failing that, by the
// place its message starts with.
func Problems(err error) []Problem {
	var out []Problem
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var se *source.Error
		if errors.As(e, &se) {
			out = append(out, Problem{File: se.File, Line: se.Line, Col: se.Col, Message: se.Msg})
			return
		}
		out = append(out, parseProblem(e.Error()))
	}
	if err != nil {
		walk(err)
	}
	return out
}

// parseProblem returns the problem a message describes, located by the
// place it starts with, if any.
func parseProblem(msg string) Problem {
	if m := atLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		return Problem{File: m[1], Line: line, Col: col, Message: m[4]}
	}
	if m := atFile.FindStringSubmatch(msg); m != nil {
		return Problem{File: m[1], Message: m[2]}
	}
	return Problem{Message: msg}
}
