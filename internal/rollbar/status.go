package rollbar

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
)

// The EnvDecode methods make these types go-envconfig Decoders: the
// settings (internal/config) are decoded into them.

// Status is a deploy status as Rollbar knows it.
type Status string

// The statuses Rollbar accepts.
const (
	Started   Status = "started"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	TimedOut  Status = "timed_out"
	// Skipped is no status of Rollbar's: the deploy step did not run
	// (needs.X.result, steps.X.conclusion), so nothing was deployed.
	Skipped Status = "skipped"
)

// statusWords maps what CIs call a job's outcome onto Rollbar's statuses, so
// `status: ${{ job.status }}` works as written, and so do GitHub's
// deployment states (in_progress, queued, pending: the deploy is under way;
// success, failure, error; inactive: a newer deployment replaced this one,
// nothing is deployed now, so nothing is recorded), GitLab's CI_JOB_STATUS (canceled), Azure's job and
// release statuses (SucceededWithIssues, PartiallySucceeded), Jenkins'
// currentBuild.result (UNSTABLE: built, with failing tests; ABORTED;
// NOT_BUILT), Semaphore's (passed, stopped), Woodpecker's (killed,
// declined), Travis's (errored) and Bitbucket's (SUCCESSFUL).
var statusWords = map[string]Status{
	"started": Started, "succeeded": Succeeded, "failed": Failed, "timed_out": TimedOut, "skipped": Skipped,
	"success": Succeeded, "failure": Failed, "error": Failed, "cancelled": Failed, "canceled": Failed,
	"succeededwithissues": Succeeded, "partiallysucceeded": Succeeded, "unstable": Succeeded,
	"passed": Succeeded, "successful": Succeeded,
	"in_progress": Started, "queued": Started, "pending": Started, "inactive": Skipped,
	"aborted": Failed, "not_built": Failed, "killed": Failed, "stopped": Failed, "declined": Failed, "errored": Failed,
}

// ParseStatus reads a status or a CI's word for a job's outcome.
func ParseStatus(v string) (Status, error) {
	s, ok := statusWords[strings.ToLower(v)]
	if !ok {
		return "", errors.New("is not a deploy status")
	}
	return s, nil
}

// EnvDecode implements envconfig.Decoder.
func (s *Status) EnvDecode(v string) (err error) {
	*s, err = ParseStatus(v)
	return err
}

// Final reports whether no further update is expected.
func (s Status) Final() bool { return s != Started }

// DeployID is a deploy's id, as a setting.
type DeployID int64

// EnvDecode implements envconfig.Decoder.
func (d *DeployID) EnvDecode(v string) error {
	id, err := ParseDeployID(v)
	*d = DeployID(id)
	return err
}

// ParseDeployID reads a deploy id: a positive number, or a deploy's Rollbar
// URL as people paste it: the one the tool prints
// (https://rollbar.com/deploy/45306460/) or the web app's page of it, under
// the account and project (https://rollbar.com/acme/shop/deploy/45306460/).
func ParseDeployID(v string) (int64, error) {
	u, err := url.Parse(v)
	if err == nil && (u.Host == "rollbar.com" || strings.HasSuffix(u.Host, ".rollbar.com")) {
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if n := len(parts); (n == 2 || n == 4) && parts[n-2] == "deploy" {
			v = parts[n-1]
		}
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("is not a deploy id")
	}
	return id, nil
}
