// Package codecheck holds tests of rules the whole tree's code keeps, so
// that `go test ./...` fails when one is broken: no non-test function is
// longer than MaxFuncLines lines. It has no other code and nothing imports
// it.
package codecheck

// MaxFuncLines is the longest a non-test function may be, counted from
// the line of its func keyword through the line of its closing brace.
const MaxFuncLines = 80
