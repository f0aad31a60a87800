// Package conformance holds the Spin-compatibility tests of the host: real components
// (Go via the SDK, and C compiled with clang against the bare core-module ABI) are
// built from this repository's sources and served by the real `server up` binary, and
// the tests check each host interface, the triggers, the manifest features and the
// host's behaviour with misbehaving guests. See the *_test.go files; the test
// components are in testdata/ and functions/examples/.
package conformance
