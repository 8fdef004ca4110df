//go:build !unix

package handoff

// lock locks nothing outside unix: parallel steps of a workspace there may
// still write over each other's ids.
func lock(string) (unlock func(), err error) { return func() {}, nil }
