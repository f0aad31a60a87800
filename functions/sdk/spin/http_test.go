package spin

import "testing"

func TestHTTPErrorCodes(t *testing.T) {
	// http-types.wit enum order.
	for i, c := range []HTTPError{HTTPSuccess, HTTPDestinationNotAllowed, HTTPInvalidURL, HTTPRequestError, HTTPRuntimeError, HTTPTooManyRequests} {
		if int(c) != i {
			t.Errorf("http-error %d has value %d", i, c)
		}
	}
}
