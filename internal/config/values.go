package config

import (
	"fmt"
	"strings"

	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

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
		fmt.Fprintf(&b, " %q", text.Cut(e.Value, 61))
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
