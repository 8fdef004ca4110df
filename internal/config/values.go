package config

import (
	"fmt"
	"strings"
)

// Status is a deploy status as Rollbar knows it.
type Status string

// The statuses Rollbar accepts.
const (
	Started   Status = "started"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	TimedOut  Status = "timed_out"
)

// statusWords maps what CIs call a job's outcome onto Rollbar's statuses, so
// `status: ${{ job.status }}` works as written, and so do Azure's job and
// release statuses (SucceededWithIssues, PartiallySucceeded), Jenkins'
// currentBuild.result (UNSTABLE: built, with failing tests; ABORTED;
// NOT_BUILT), Semaphore's (passed, stopped), Woodpecker's (killed,
// declined), Travis's (errored) and Bitbucket's (SUCCESSFUL).
var statusWords = map[string]Status{
	"started": Started, "succeeded": Succeeded, "failed": Failed, "timed_out": TimedOut,
	"success": Succeeded, "failure": Failed, "error": Failed, "cancelled": Failed, "canceled": Failed,
	"succeededwithissues": Succeeded, "partiallysucceeded": Succeeded, "unstable": Succeeded, "passed": Succeeded, "successful": Succeeded,
	"aborted": Failed, "not_built": Failed, "killed": Failed, "stopped": Failed, "declined": Failed, "errored": Failed,
}

// ParseStatus reads a status or a CI's word for a job's outcome.
func ParseStatus(v string) (Status, error) {
	s, ok := statusWords[strings.ToLower(v)]
	if !ok {
		return "", invalid("is not a deploy status")
	}
	return s, nil
}

// EnvDecode implements envconfig.Decoder.
func (s *Status) EnvDecode(v string) (err error) {
	if v == "" {
		return nil // unset
	}
	*s, err = ParseStatus(v)
	return err
}

// Final reports whether no further update is expected.
func (s Status) Final() bool { return s != Started }

// Policy is when a failure makes the run exit non-zero.
type Policy string

// The failure policies.
const (
	// FailOnConfig fails on what the user must fix, never on an outage.
	FailOnConfig Policy = "config"
	FailAlways   Policy = "always"
	FailNever    Policy = "never"
)

// ParsePolicy reads a failure policy; true and false are accepted for
// workflows written for a boolean fail_on_error input.
func ParsePolicy(v string) (Policy, error) {
	switch strings.ToLower(v) {
	case "config":
		return FailOnConfig, nil
	case "always", "true":
		return FailAlways, nil
	case "never", "false":
		return FailNever, nil
	}
	return "", invalid("is not a failure policy")
}

// EnvDecode implements envconfig.Decoder.
func (p *Policy) EnvDecode(v string) (err error) {
	if v == "" {
		return nil // unset
	}
	*p, err = ParsePolicy(v)
	return err
}

// Error is a setting whose value cannot be used. It names the setting, where
// the value came from and what to do, and never carries a secret.
type Error struct {
	Setting string
	Source  string // where the bad value came from; empty when missing
	Value   string // empty for secrets
	Problem string
	Fix     string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Setting)
	if e.Value != "" {
		fmt.Fprintf(&b, " %q", truncate(e.Value, 60))
	}
	if e.Source != "" {
		fmt.Fprintf(&b, " (from %s)", e.Source)
	}
	b.WriteString(" " + e.Problem)
	if e.Fix != "" {
		b.WriteString(": " + e.Fix)
	}
	return b.String()
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
