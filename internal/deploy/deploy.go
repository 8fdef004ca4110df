// Package deploy holds the steps of recording a deploy that are Rollbar's
// rules rather than the command line's: a release that brings no new code, a
// deploy that is no longer started, and the started deploys of a run that no
// step is left to finish.
package deploy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// Log is where the steps tell the user what they decided.
type Log interface {
	Infof(format string, args ...any)
	Warnf(format string, args ...any)
}

// Deployer records deploys with Rollbar's rules.
type Deployer struct {
	Client *rollbar.Client
	Log    Log
}

// Create records d, and says whether it did. With skipUnchanged (a release
// phase that runs on every release, config changes included), a release
// whose revision is already the newest deploy of its environment is not
// recorded again: that deploy's id comes back instead. A rollback is
// recorded, and said to be one.
func (x *Deployer) Create(
	ctx context.Context, d rollbar.NewDeploy, skipUnchanged bool,
) (id int64, recorded bool, err error) {
	if skipUnchanged {
		if id, ok := x.unchanged(ctx, &d); ok {
			return id, false, nil
		}
	}
	id, err = x.Client.Create(ctx, d)
	return id, err == nil, err
}

// releasePages is how many pages of the newest deploys are searched for the
// newest of an environment: Rollbar filters no environment, so another
// environment's busy week can stand between.
const releasePages = 5

// unchanged finds the newest deploy of d's environment: when it has d's
// revision and succeeded, the release brings no new code (one that failed,
// or never finished, is released again now). When an older one of the deploys
// read has it, the release rolls back to it, and d's comment says so.
func (x *Deployer) unchanged(ctx context.Context, d *rollbar.NewDeploy) (int64, bool) {
	var newest *rollbar.Deploy
	for page := 1; page <= releasePages; page++ {
		deploys, err := x.Client.List(ctx, page, Recent)
		if err != nil {
			x.Log.Infof("cannot read the newest deploys to skip a release without new code (%v): recording it", err)
			return 0, false
		}
		for _, got := range deploys {
			switch {
			case got.Environment != d.Environment:
			case newest == nil && got.Revision == d.Revision && got.Status == string(rollbar.Succeeded):
				x.Log.Infof("revision %s is already the newest deploy of %s (deploy %d): "+
					"this release brings no new code, nothing recorded", d.Revision, d.Environment, got.ID)
				return got.ID, true
			case newest == nil && got.Revision == d.Revision:
				return 0, false // a failed or unfinished release of it, released again
			case newest == nil:
				newest = &got
			case got.Revision == d.Revision:
				x.Log.Infof("revision %s was deployed to %s before (deploy %d): this release rolls back to it",
					d.Revision, d.Environment, got.ID)
				note := fmt.Sprintf("(a rollback to the revision of deploy %d)", got.ID)
				d.Comment = strings.TrimSpace(d.Comment + " " + note)
				return 0, false
			}
		}
		// The rollback search stays within the pages the newest needed.
		if newest != nil || len(deploys) < Recent {
			break
		}
	}
	if newest == nil {
		x.Log.Infof("no deploy of %s among the newest ones read: recording the release", d.Environment)
	}
	return 0, false
}

// Recent is how many of the newest deploys are searched for the outcome a
// rerun already recorded: one page, as large as Rollbar serves cheaply.
const Recent = 100

// NotStartedError is an update of a deploy Rollbar no longer takes updates
// for, with what reading it told.
type NotStartedError struct {
	ID     int64
	Want   rollbar.Status
	Status string // what Rollbar says the deploy is; "" when it could not be read
	Err    error  // Rollbar's refusal
	Read   error  // why the deploy could not be read
	Lost   error  // the earlier attempt whose answer was lost, which may have finished it
}

func (e *NotStartedError) Error() string {
	switch {
	case e.Status == "" && e.Lost != nil:
		return fmt.Sprintf("deploy %d is no longer started: "+
			"an earlier attempt to set it to %s most likely did so before it failed (%v), "+
			"but the token cannot read deploys to tell (%v). "+
			"Set read_access_token (ROLLBAR_READ_ACCESS_TOKEN) to a token with the read scope, and the tool can tell",
			e.ID, e.Want, e.Lost, e.Read)
	case e.Status == "":
		return fmt.Sprintf("deploy %d is no longer started, so Rollbar refuses to set it to %s (%v); nothing was recorded. "+
			"Set read_access_token (ROLLBAR_READ_ACCESS_TOKEN) to a token with the read scope, "+
			"and the tool can tell whether Rollbar timed it out", e.ID, e.Want, e.Read)
	case e.Status == string(rollbar.TimedOut):
		return fmt.Sprintf("deploy %d was timed out by Rollbar (the project's Deploy Timeout, 60 minutes by default), "+
			"so it cannot be set to %s again: record a new deploy", e.ID, e.Want)
	}
	return fmt.Sprintf("deploy %d is already %s, so it cannot be set to %s: "+
		"it was finished by another step or run; check the deploy id", e.ID, e.Status, e.Want)
}

func (e *NotStartedError) Unwrap() error { return e.Err }

// Hint is none: the message says what reading the deploy told, where
// Rollbar's refusal alone would guess.
func (e *NotStartedError) Hint() string { return "" }

// Transient is true for a refusal that may be of what a lost attempt did,
// unread: an outage's doing, which no setting fixes.
func (e *NotStartedError) Transient() bool { return e.Lost != nil && e.Status == "" }

// Update sets the status of deploy id and returns the deploy as Rollbar now
// has it. When Rollbar refuses because the deploy is no longer started:
//   - read, and finished with the same status: nothing new (an earlier try
//     finished it);
//   - unread after a lost attempt of this update: that attempt most likely
//     landed (a NotStartedError that is an outage's doing);
//   - otherwise, in a CI run (land), the final status lands all the same,
//     as a new deploy (instead, filled from Rollbar's copy where it could be
//     read), with one warning; a rerun finds the deploy it recorded so;
//   - at a terminal, a correction that cannot be made: a NotStartedError
//     naming the deploy's status.
func (x *Deployer) Update(
	ctx context.Context, id int64, u rollbar.Update, instead rollbar.NewDeploy, land bool,
) (rollbar.Deploy, error) {
	got, err := x.Client.Update(ctx, id, u)
	var api *rollbar.APIError
	if !errors.As(err, &api) || !api.NotStarted() {
		got.ID = cmp.Or(got.ID, id)
		return got, err
	}
	refused := &NotStartedError{ID: id, Want: rollbar.Status(u.Status), Err: err, Lost: api.Lost}
	old, readErr := x.Client.Get(ctx, id)
	switch {
	case readErr == nil && old.Status == u.Status:
		x.Log.Infof("deploy %d is already %s", id, old.Status)
		return old, nil
	case readErr != nil && api.Lost != nil, !land, u.Status == string(rollbar.Started):
		refused.Status, refused.Read = old.Status, readErr
		return rollbar.Deploy{}, refused
	}
	why := fmt.Sprintf("deploy %d is already %s (finished by another step or run)", id, old.Status)
	switch {
	case readErr != nil:
		why = fmt.Sprintf("deploy %d is no longer started, and the token cannot read why (%v; read_access_token would tell)",
			id, readErr)
	case old.Status == string(rollbar.TimedOut):
		why = fmt.Sprintf("Rollbar had timed deploy %d out (the project's Deploy Timeout)", id)
	}
	instead.Environment = cmp.Or(instead.Environment, old.Environment)
	instead.Revision = cmp.Or(instead.Revision, old.Revision)
	instead.LocalUsername = cmp.Or(instead.LocalUsername, old.LocalUsername)
	instead.Comment = cmp.Or(u.Comment, instead.Comment, old.Comment)
	instead.Status = u.Status
	if instead.Environment == "" || instead.Revision == "" {
		refused.Status, refused.Read = old.Status, readErr
		return rollbar.Deploy{}, fmt.Errorf("%w; recording the outcome in its place needs the environment and the revision",
			refused)
	}
	made := rollbar.Deploy{
		Environment:   instead.Environment,
		Revision:      instead.Revision,
		Status:        instead.Status,
		LocalUsername: instead.LocalUsername,
		Comment:       instead.Comment,
	}
	// A rerun of the step finds the deploy its first run recorded in the
	// refused one's place.
	if readErr == nil {
		if newer, err := x.Client.List(ctx, 1, Recent); err == nil {
			for _, d := range newer {
				if d.ID > id && d.StartTime >= old.StartTime &&
					d.Environment == made.Environment && d.Revision == made.Revision && d.Status == made.Status {
					x.Log.Infof("%s; deploy %d already records this outcome", why, d.ID)
					return d, nil
				}
			}
		}
	}
	if made.ID, err = x.Client.Create(ctx, instead); err != nil {
		return rollbar.Deploy{}, fmt.Errorf("%s, so it cannot be set to %s; recording a new deploy in its place failed: %w",
			why, u.Status, err)
	}
	x.Log.Warnf("%s, so it cannot be set to %s: recorded deploy %d with status %s in its place",
		why, u.Status, made.ID, u.Status)
	return made, nil
}

// Job is what tells the deploys this job records apart from every other
// job's, as Rollbar holds them (their comment): SPEC section 11.3.
type Job struct {
	// Certain is true when the comment names this job alone (GitHub's job
	// page), or where there is no CI (one terminal, one job).
	Certain bool
	// Attempt is this run's attempt, and AttemptOf tells which attempt
	// recorded a comment (0: another run's); nil where a CI has none.
	Attempt   int
	AttemptOf func(comment string) int
	// Deployment ends the comment of every run of this run's deployment
	// (ci.Info.Deployment); empty for a run no deployment started.
	Deployment string
	// Started is true when this job ran a started record of the environment
	// itself that failed (handoff.StartsVar): an outage, an interrupt or a
	// lost answer left it no id, and a started deploy another job of the run
	// shares its comment or attempt with is that job's, not one this job's
	// start left (a matrix leg's sibling). Without it (the deploy job of the
	// two-job pattern, which has no started step) the run's started deploy
	// is the one this job finishes.
	Started bool
}

// Unfinished are the started deploys of a revision in an environment that a
// record may have to finish, among the newest.
type Unfinished struct {
	// Mine is certainly this job's: a try of it whose answer was lost, or
	// that was interrupted.
	Mine *rollbar.Deploy
	// Shared have this job's comment, which other jobs of the run share: a
	// started step's, or a parallel job's; or, where comments name the job,
	// are another job's of this attempt; or the deployment this run is of
	// (another run of the deployment started it). A job that started a
	// deploy itself (Job.Started) shares only the deployment's.
	Shared []rollbar.Deploy
	// Orphans are earlier attempts' of this run: over, so no step of theirs
	// will finish them.
	Orphans []rollbar.Deploy
}

// Unfinished reads the newest deploys for the started ones of d's
// environment and revision, by whose they are.
func (x *Deployer) Unfinished(ctx context.Context, d rollbar.NewDeploy, job Job) (Unfinished, error) {
	var out Unfinished
	deploys, err := x.Client.List(ctx, 1, Recent)
	if err != nil {
		return out, err
	}
	for _, got := range deploys {
		if got.Status != string(rollbar.Started) || got.Environment != d.Environment || got.Revision != d.Revision {
			continue
		}
		switch {
		case got.Comment == d.Comment && got.LocalUsername == d.LocalUsername && job.Certain:
			if out.Mine == nil {
				out.Mine = &got
			}
		case got.Comment == d.Comment && d.Comment != "" && !job.Started,
			job.Deployment != "" && strings.HasSuffix(got.Comment, job.Deployment),
			// Where the comment names the job, another job of this attempt (the
			// start job of the two-job pattern) is known by the run and attempt.
			job.Certain && !job.Started && job.AttemptOf != nil && job.AttemptOf(got.Comment) == max(job.Attempt, 1):
			out.Shared = append(out.Shared, got)
		case job.Attempt > 1 && job.AttemptOf != nil:
			if a := job.AttemptOf(got.Comment); a > 0 && a < job.Attempt {
				out.Orphans = append(out.Orphans, got)
			}
		}
	}
	return out, nil
}
