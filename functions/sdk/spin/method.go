package spin

// methods is the http-types `method` enum in discriminant order
// (wit/ephemeral/http-types.wit: get=0 … options=6).
var methods = [...]string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}

// MethodName returns the HTTP method name (upper case, as net/http spells it) of a
// method discriminant; ok is false outside the enum.
func MethodName(code uint32) (name string, ok bool) {
	if code >= uint32(len(methods)) {
		return "", false
	}
	return methods[code], true
}

// MethodCode returns the discriminant of an HTTP method name (upper case); ok is false
// for methods outside Spin's enum, which a host answers with 405.
func MethodCode(name string) (code uint32, ok bool) {
	for i, m := range methods {
		if m == name {
			return uint32(i), true
		}
	}
	return 0, false
}
