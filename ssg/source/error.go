package source

import "fmt"

// Error is a build error located in a source file; it reads
// "file:line:col: message", lines and columns counted from 1.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorAt returns an Error at line and col of file (1 for either when less)
// with the message format formats with args.
func ErrorAt(file string, line, col int, format string, args ...any) *Error {
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	return &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}
