// Package pipeline hands a recorded deploy back to the CI that ran the tool:
// GitHub Actions outputs, environment and step summary, a GitLab dotenv
// report, and the Drone/Woodpecker workspace file.
//
// Every file written here is parsed line by line by a CI, so a value that
// could add a line of its own (a newline, a heredoc delimiter) is refused
// rather than written.
package pipeline

import (
	"fmt"
	"strings"
)

// Result is what one run recorded.
type Result struct {
	DeployID    int64
	URL         string
	Status      string
	Environment string
	Revision    string
	RevisionURL string // the commit's page, when the CI tells it
	User        string
}

// UnsafeValueError is a value that would add lines to a file a CI parses.
type UnsafeValueError struct {
	Key  string
	File string
}

func (e *UnsafeValueError) Error() string {
	return fmt.Sprintf("not writing %s to %s: its value has a line break or a control character", e.Key, e.File)
}

// checkLine refuses values a line-oriented file format cannot hold.
func checkLine(file, key, value string) error {
	if strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return &UnsafeValueError{Key: key, File: file}
	}
	return nil
}
