// Package filecmd reads GitHub Actions file commands (GITHUB_OUTPUT,
// GITHUB_ENV) as the runner does: the tool reads back what it handed a job's
// later steps, and the tests read everything it wrote.
package filecmd

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
)

// Command is one NAME=VALUE line or NAME<<DELIM heredoc.
type Command struct{ Name, Value string }

// Parse reads a GITHUB_OUTPUT or GITHUB_ENV file as the runner does
// (actions/runner SetEnvFileCommand): empty lines are skipped; NAME=VALUE
// when "=" comes before any "<<", else NAME<<DELIM followed by lines up to
// DELIM alone on a line. Names and delimiters must not be empty.
func Parse(data []byte) ([]Command, error) {
	var cmds []Command
	sc := bufio.NewScanner(bytes.NewReader(data))
	// No line can be longer than the file: never fail on a long value.
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		eq, heredoc := strings.Index(line, "="), strings.Index(line, "<<")
		switch {
		case eq >= 0 && (heredoc < 0 || eq < heredoc):
			if eq == 0 {
				return cmds, fmt.Errorf("empty name in %q", line)
			}
			cmds = append(cmds, Command{line[:eq], line[eq+1:]})
		case heredoc >= 0:
			name, delim := line[:heredoc], line[heredoc+2:]
			if name == "" || delim == "" {
				return cmds, fmt.Errorf("empty name or delimiter in %q", line)
			}
			var value []string
			for closed := false; !closed; {
				if !sc.Scan() {
					return cmds, fmt.Errorf("no matching delimiter %q for %s in %q", delim, name, data)
				}
				if closed = sc.Text() == delim; !closed {
					value = append(value, sc.Text())
				}
			}
			cmds = append(cmds, Command{name, strings.Join(value, "\n")})
		default:
			return cmds, fmt.Errorf("invalid file command line %q in %q", line, data)
		}
	}
	return cmds, sc.Err()
}
