// Package text keeps what others wrote (a server's message, an error's
// title, a deploy's comment) safe to print in a CI log.
package text

import (
	"strings"
	"unicode"
)

// OneLine turns every run of spaces and control characters into one space:
// a line break or a terminal escape in text the tool prints could forge a
// line of the tool's own, or a workflow command.
func OneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}
