package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// TestExitCode is the one table of what ends a run how, by the failure
// policy.
func TestExitCode(t *testing.T) {
	t.Parallel()
	outage := &rollbar.APIError{Op: "record deploy", Status: 503, Message: "down"}
	refused := &rollbar.APIError{Op: "record deploy", Status: 401, Message: "invalid access token"}
	bad := &config.Error{Setting: "environment", Problem: "is not set"}
	record, get := (&Record{}).Spec(), (&Get{}).Spec()
	tests := []struct {
		err    error
		policy config.Policy
		spec   *Spec
		want   int
	}{
		{nil, config.FailOnConfig, record, ExitOK},
		{outage, config.FailOnConfig, record, ExitOK},
		{outage, config.FailAlways, record, ExitFailed},
		{outage, config.FailNever, record, ExitOK},
		{outage, config.FailOnConfig, get, ExitFailed},
		{refused, config.FailOnConfig, record, ExitFailed},
		{refused, config.FailNever, record, ExitOK},
		{bad, config.FailOnConfig, record, ExitUsage},
		{bad, config.FailNever, record, ExitOK},
		{usagef("no"), config.FailNever, record, ExitUsage},
		{fmt.Errorf("watch: %w", errGate), config.FailNever, record, ExitGate},
		{context.Canceled, config.FailOnConfig, record, ExitFailed},
		{context.Canceled, config.FailNever, record, ExitOK},
		{errors.Join(outage, refused), config.FailOnConfig, record, ExitFailed},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%s/%s", tt.err, tt.policy, tt.spec.Name), func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			out := &reporter{stderr: &stderr}
			assert.Equal(t, tt.want, exitCode(out, tt.err, tt.policy, tt.spec))
			if tt.err != nil && tt.want != ExitGate {
				assert.NotEmpty(t, stderr.String(), "a failure is always said")
			}
		})
	}
}

// TestParse: each command has its own flags, in any order with its
// arguments, and a mistake is said in the tool's words.
func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string // the command and what was read, or the error
	}{
		{nil, "record map[] map[] []"},
		{[]string{"--env", "prod", "-e=stage", "--dry-run"}, "record map[dry_run:true environment:stage] map[] []"},
		{[]string{"get", "45306460", "--json"}, "get map[] map[json:true] [45306460]"},
		{[]string{"update", "--status", "failed", "7"}, "update map[status:failed] map[] [7]"},
		{[]string{"list", "--all", "--limit=5", "--", "--x"}, "list map[] map[all:true limit:5] [--x]"},
		{[]string{"get", "5", "--status", "failed"}, "--status does not apply to get: run 'rollbar-deploy get --help' for its flags"},
		{[]string{"--enviroment", "x"}, "unknown flag --enviroment (did you mean --environment?): run 'rollbar-deploy record --help' for its flags"},
		{[]string{"--bogus"}, "unknown flag --bogus: run 'rollbar-deploy record --help' for its flags"},
		{[]string{"lsit"}, `unknown command "lsit" (did you mean list?): use record, update, get, list, sourcemaps, watch`},
		{[]string{"--environment"}, "--environment needs a value: a name such as production (at most 255 characters)"},
		{[]string{"--dry-run=maybe"}, "--dry-run=maybe: use true or false"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			t.Parallel()
			cmd, line, err := parse(tt.args)
			got := fmt.Sprintf("%s %v %v %v", cmd.Spec().Name, line.settings, line.extra, line.args)
			if err != nil {
				got = err.Error()
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestWidth(t *testing.T) {
	t.Parallel()
	assert.Equal(t, ` a\nb\x1b c`, cell(" a\nb\x1b c", 20), "one line, its control characters escaped")
}
