package command

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// Exit codes.
const (
	ExitOK     = 0
	ExitFailed = 1 // a request failed
	ExitUsage  = 2 // usage, configuration or validation error
	ExitGate   = 3 // the watched version breached the gate
)

// usageError is a command line that cannot be run as written.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// shown is an argument as an error quotes it: a long word in part, since a
// token given where a flag's value was meant (--access-token= TOKEN) arrives
// as an argument, which no filter knows for a token.
func shown(arg string) string {
	if r := []rune(arg); len(r) >= 20 && !strings.Contains(arg, "/") {
		return strconv.Quote(string(r[:4]) + "…")
	}
	return strconv.Quote(arg)
}

// errGate is a watch whose version breached the gate: the report says why.
var errGate = errors.New("the new version breached the gate")

// code is the exit code err calls for, before any policy.
func code(err error) int {
	var cfgErr *config.Error
	var usage *usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errGate):
		return ExitGate
	case errors.As(err, &usage), errors.As(err, &cfgErr):
		return ExitUsage
	}
	return ExitFailed
}

// tolerated reports whether the failure policy lets err pass: never lets
// everything but a command line that cannot run; config lets outages pass.
// A breached gate is the answer a watch was asked for, never a failure to
// tolerate.
func tolerated(err error, policy config.Policy, spec *Spec) bool {
	var usage *usageError
	switch {
	case err == nil || !spec.tolerant || errors.As(err, &usage) ||
		errors.Is(err, errGate) || errors.Is(err, context.Canceled):
		return false
	case policy == config.FailNever:
		return true
	}
	return code(err) == ExitFailed && outage(err) && policy != config.FailAlways
}

// outage reports whether every failure in err is Rollbar's: a source map
// Rollbar refused beside a deploy an outage kept back is still the user's to
// fix.
func outage(err error) bool {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			if !outage(e) {
				return false
			}
		}
		return true
	}
	return rollbar.Transient(err)
}

// exitCode reports err and decides the exit code: the one place that does.
func exitCode(out *reporter, err error, policy config.Policy, spec *Spec) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, errGate):
		return ExitGate // the report has said it all
	case errors.Is(err, context.Canceled) && policy == config.FailNever && spec.tolerant:
		out.Warnf("%s; fail_on_error is never, so this does not fail the run", interrupted(err))
		return ExitOK
	case errors.Is(err, context.Canceled):
		out.Errorf("%s", interrupted(err))
		return ExitFailed
	case tolerated(err, policy, spec):
		why := "fail_on_error is never, so this does not fail the run"
		var phase *phaseError
		switch {
		case policy == config.FailNever:
		case errors.As(err, &phase): // its message says what was left undone
			why = "running out of the time allowed does not fail the run: set fail_on_error to always to fail on it too"
		default:
			undone := cmp.Or(rollbar.Undone(err), "what failed was not done")
			cause := "an outage (Rollbar or the network to it)"
			if api := (*rollbar.APIError)(nil); errors.As(err, &api) && api.Status == http.StatusTooManyRequests {
				cause = "Rollbar's rate limit"
			}
			why = cause + ", so " + undone +
				"; it does not fail the run: set fail_on_error to always to fail on outages too"
		}
		tell(out.Warnf, err)
		out.Warnf("%s", why)
		return ExitOK
	}
	tell(out.Errorf, err)
	return code(err)
}

// tell logs err with what to do about it, the hint on a line of its own.
func tell(log func(string, ...any), err error) {
	if hint := rollbar.Hint(err); hint != "" {
		log("%v\nHint: %s", err, hint)
		return
	}
	log("%v", err)
}

// interrupted is the one line an interrupt gets: what was in flight and
// whether it may have landed, where the error tells, else that alone.
func interrupted(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if !strings.HasPrefix(msg, "interrupted") {
		return "interrupted"
	}
	return msg
}

// describe is the message of err with what to do about it.
func describe(err error) string {
	msg := err.Error()
	if hint := rollbar.Hint(err); hint != "" {
		msg += "\nHint: " + hint
	}
	return msg
}
