// Package handoff hands deploy ids between the steps and jobs of a
// pipeline: it writes a recorded deploy back to the CI that ran the tool
// (GitHub Actions outputs, environment and step summary, a GitLab dotenv
// report, the Drone/Woodpecker workspace file), reads back what earlier
// steps handed over, and chooses the deploy a step finishes.
//
// Every file written here is parsed line by line by a CI, so a value that
// could add a line of its own (a newline, a heredoc delimiter) is refused
// rather than written.
package handoff

import (
	"fmt"
	"maps"
	"net/url"
	"strconv"
	"strings"
)

// The variables a run writes for a job's later steps. DeployIDVar is the
// last deploy started, EnvironmentVar its environment: that marks the id as
// the tool's own, where a ROLLBAR_DEPLOY_ID without it is the user's, and
// always names the deploy to update. PendingVar holds every started deploy
// of the job not yet finished, by environment, so that two environments in
// one job each finish their own.
// StartsVar names the environments whose started record failed in this job
// (an outage, an interrupt, an answer lost), until a final record of them
// ran: such a start handed no id over, and the job's final step must then
// not take another job's started deploy (a matrix leg's) for the one its own
// start may have left (SPEC section 11.3).
const (
	DeployIDVar    = "ROLLBAR_DEPLOY_ID"
	EnvironmentVar = "ROLLBAR_DEPLOY_ENVIRONMENT"
	PendingVar     = "ROLLBAR_DEPLOYS"
	StartsVar      = "ROLLBAR_DEPLOY_STARTS"
)

// PendingVarOf is the variable a GitLab dotenv report keeps one
// environment's deploy in, as PendingVar does (environment=id; a finished
// deploy's id negated).
// GitLab hands a later job the reports of every earlier job, and where two
// name one variable the last one wins: two jobs that each start a deploy of
// their own environment would overwrite each other's ROLLBAR_DEPLOY_ID and
// ROLLBAR_DEPLOYS, where ROLLBAR_DEPLOYS_PRODUCTION and
// ROLLBAR_DEPLOYS_STAGING live side by side. A variable name holds only
// letters, digits and _: the value names the environment exactly, so that
// two environments with one name here never take each other's deploy.
func PendingVarOf(environment string) string {
	if environment == "" {
		return ""
	}
	b := []byte(PendingVar + "_")
	for _, r := range strings.ToUpper(environment) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b = append(b, byte(r))
		case b[len(b)-1] != '_':
			b = append(b, '_')
		}
	}
	return string(b)
}

// EncodePending writes deploy ids by environment as PendingVar holds them
// (URL-query encoded: environment names may hold any character).
func EncodePending(pending map[string]int64) string {
	v := url.Values{}
	for env, id := range pending {
		v.Set(env, strconv.FormatInt(id, 10))
	}
	return v.Encode()
}

// DecodePending reads PendingVar, or a PendingVarOf record: each
// environment's started deploy. A finished deploy's record and what does
// not parse are passed over.
func DecodePending(s string) map[string]int64 {
	out := DecodeRecords(s)
	maps.DeleteFunc(out, func(_ string, id int64) bool { return id < 0 })
	return out
}

// DecodeRecords reads the deploy ids a record holds by environment: a
// started deploy's id, or a finished one's negated, as a GitLab report
// keeps it (the report still names the deploy, and a later job must know
// it is not one to finish).
func DecodeRecords(s string) map[string]int64 {
	v, _ := url.ParseQuery(s)
	out := map[string]int64{}
	for env := range v {
		if id, err := strconv.ParseInt(v.Get(env), 10, 64); err == nil && id != 0 && env != "" {
			out[env] = id
		}
	}
	return out
}

// Result is what one run recorded.
type Result struct {
	DeployID    int64
	URL         string
	Status      string
	Environment string
	Revision    string
	RevisionURL string // the commit's page, when the CI tells it
	User        string
	Branch      string
	Repository  string
	// Handoff is what later steps of the job are told of this deploy
	// (ROLLBAR_DEPLOY_ID in GITHUB_ENV).
	Handoff Handoff
	// Pending are the job's started deploys not yet finished, after this
	// run, by environment: what GITHUB_ENV's ROLLBAR_DEPLOYS and the
	// workspace's id file hold; nil when this run changed none of them.
	Pending map[string]int64
	// Kept is what the workspace's id file held when this run read it.
	Kept map[string]int64
	// Watch is the verdict of a watch after the record, if one ran.
	Watch *Watch
}

// Handoff is what a run tells a job's later steps about its deploy.
type Handoff int

const (
	// Leave keeps what an earlier step saved: this deploy is finished, and
	// the saved one, of another environment, is not.
	Leave Handoff = iota
	// Save hands a started deploy to the step that finishes it.
	Save
	// Clear forgets a deploy that is finished now.
	Clear
)

// Watch is a watch's verdict for the pipeline.
type Watch struct {
	Result                     string
	NewItems, ReactivatedItems int
	Summary                    string // Markdown for the step summary
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
