// Package deploy holds the steps of recording a deploy that are Rollbar's
// rules rather than the command line's: which deploy a step updates, a
// release that brings no new code, and a deploy that is no longer started.
package deploy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// Target is the deploy a record updates, or none (ID 0) for a new one.
type Target struct {
	ID     int64
	Source string
}

// Choose picks the deploy a record updates. An id the user gives always
// names it. An id the tool saved for later steps finishes only a deploy of
// its own environment (or a step that names none), and never serves a
// started record: that starts a deploy of its own, or two environments in
// one job would share one deploy.
func Choose(user Target, status rollbar.Status, environment string, saved ...config.Saved) Target {
	if user.ID != 0 {
		return user
	}
	if !status.Final() {
		return Target{}
	}
	for _, s := range saved {
		if s.ID != 0 && (s.Environment == "" || environment == "" || s.Environment == environment) {
			return Target{ID: s.ID, Source: s.Source}
		}
	}
	return Target{}
}

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
func (x *Deployer) Create(ctx context.Context, d rollbar.NewDeploy, skipUnchanged bool) (id int64, recorded bool, err error) {
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
				x.Log.Infof("revision %s is already the newest deploy of %s (deploy %d): this release brings no new code, nothing recorded", d.Revision, d.Environment, got.ID)
				return got.ID, true
			case newest == nil && got.Revision == d.Revision:
				return 0, false // a failed or unfinished release of it, released again
			case newest == nil:
				newest = &got
			case got.Revision == d.Revision:
				x.Log.Infof("revision %s was deployed to %s before (deploy %d): this release rolls back to it", d.Revision, d.Environment, got.ID)
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
		return fmt.Sprintf("deploy %d is no longer started: an earlier attempt to set it to %s most likely did so before it failed (%v), "+
			"but the token cannot read deploys to tell (%v). Set read_access_token (ROLLBAR_READ_ACCESS_TOKEN) to a token with the read scope, and the tool can tell", e.ID, e.Want, e.Lost, e.Read)
	case e.Status == "":
		return fmt.Sprintf("deploy %d is no longer started, so Rollbar refuses to set it to %s (%v); nothing was recorded. "+
			"Set read_access_token (ROLLBAR_READ_ACCESS_TOKEN) to a token with the read scope, and the tool can tell whether Rollbar timed it out and record the outcome in its place", e.ID, e.Want, e.Read)
	case e.Status == string(rollbar.TimedOut):
		return fmt.Sprintf("deploy %d was timed out by Rollbar (the project's Deploy Timeout, 60 minutes by default), so it cannot be set to %s again: record a new deploy", e.ID, e.Want)
	}
	return fmt.Sprintf("deploy %d is already %s, so it cannot be set to %s: it was finished by another step or run; check the deploy id", e.ID, e.Status, e.Want)
}

func (e *NotStartedError) Unwrap() error { return e.Err }

// Hint is none: the message says what reading the deploy told, where
// Rollbar's refusal alone would guess.
func (e *NotStartedError) Hint() string { return "" }

// Transient is true for a refusal that may be of what a lost attempt did,
// unread: an outage's doing, which no setting fixes.
func (e *NotStartedError) Transient() bool { return e.Lost != nil && e.Status == "" }

// Update sets the status of deploy id and returns the deploy as Rollbar now
// has it. When Rollbar refuses because the deploy is no longer started, the
// deploy is read to tell why: one Rollbar timed out gets the final status as
// a new deploy in its place (instead, filled from Rollbar's copy), once; one
// already finished with the same status was finished by an earlier attempt
// whose answer was lost. Without a read token nothing is guessed and nothing
// is recorded.
func (x *Deployer) Update(ctx context.Context, id int64, u rollbar.Update, instead rollbar.NewDeploy) (rollbar.Deploy, error) {
	got, err := x.Client.Update(ctx, id, u)
	var api *rollbar.APIError
	if !errors.As(err, &api) || !api.NotStarted() {
		got.ID = cmp.Or(got.ID, id)
		return got, err
	}
	old, readErr := x.Client.Get(ctx, id)
	if readErr != nil {
		return rollbar.Deploy{}, &NotStartedError{ID: id, Want: rollbar.Status(u.Status), Err: err, Read: readErr, Lost: api.Lost}
	}
	switch {
	case old.Status == u.Status:
		x.Log.Infof("deploy %d is already %s", id, old.Status)
		return old, nil
	case old.Status != string(rollbar.TimedOut) || u.Status == string(rollbar.Started):
		return rollbar.Deploy{}, &NotStartedError{ID: id, Want: rollbar.Status(u.Status), Status: old.Status, Err: err}
	}
	instead.Environment = cmp.Or(instead.Environment, old.Environment)
	instead.Revision = cmp.Or(instead.Revision, old.Revision)
	instead.LocalUsername = cmp.Or(instead.LocalUsername, old.LocalUsername)
	instead.Comment = cmp.Or(u.Comment, old.Comment)
	instead.Status = u.Status
	made := rollbar.Deploy{Environment: instead.Environment, Revision: instead.Revision, Status: instead.Status, LocalUsername: instead.LocalUsername, Comment: instead.Comment}
	// A rerun of the step finds the deploy its first run recorded in the
	// timed-out one's place.
	if newer, err := x.Client.List(ctx, 1, Recent); err == nil {
		for _, d := range newer {
			if d.ID > id && d.StartTime >= old.StartTime && d.Environment == made.Environment && d.Revision == made.Revision && d.Status == made.Status {
				x.Log.Infof("deploy %d was timed out by Rollbar; deploy %d already records its outcome", id, d.ID)
				return d, nil
			}
		}
	}
	if made.ID, err = x.Client.Create(ctx, instead); err != nil {
		return rollbar.Deploy{}, fmt.Errorf("deploy %d was timed out by Rollbar; recording a new deploy in its place failed: %w", id, err)
	}
	x.Log.Warnf("Rollbar had timed deploy %d out (the project's Deploy Timeout), so it cannot be updated: recorded deploy %d with status %s in its place", id, made.ID, u.Status)
	return made, nil
}
