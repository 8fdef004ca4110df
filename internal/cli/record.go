package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/pipeline"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// run is one command with its resolved configuration.
type run struct {
	*Command
	inv invocation
	cfg *config.Config
	out *reporter
}

func (r *run) dispatch(ctx context.Context) error {
	r.out.verbose = r.cfg.Verbose
	if err := r.pickUpSavedID(); err != nil {
		return err
	}
	switch r.inv.command {
	case "get":
		return r.get(ctx)
	case "list":
		return r.list(ctx)
	case "sourcemaps":
		return r.sourcemaps(ctx)
	case "update":
		if err := r.cfg.Require("deploy_id"); err != nil {
			return err
		}
		if r.cfg.Source("status") == "default" {
			return &usageError{msg: "update needs --status (started, succeeded, failed or timed_out)"}
		}
	}
	if len(r.inv.args) > 0 {
		return &usageError{msg: fmt.Sprintf("%s takes no arguments, got %q", r.inv.command, r.inv.args[0])}
	}
	return r.record(ctx)
}

// pickUpSavedID lets a Drone or Woodpecker step with a final status finish
// the deploy an earlier step of the pipeline started.
func (r *run) pickUpSavedID() error {
	if r.cfg.DeployID != 0 || !r.cfg.Status.Final() || !r.sharesWorkspace() || r.inv.command != "record" && r.inv.command != "update" {
		return nil
	}
	id, ok, err := pipeline.LoadID(r.workspace())
	if err != nil || !ok {
		return err
	}
	r.cfg.DeployID = id
	r.cfg.Sources["deploy_id"] = pipeline.IDFile
	return nil
}

func (r *run) sharesWorkspace() bool { return r.cfg.CI.ID == "drone" || r.cfg.CI.ID == "woodpecker" }

func (r *run) workspace() string {
	if r.cfg.CI.Workspace != "" {
		return r.cfg.CI.Workspace
	}
	return r.Dir
}

// record creates a deploy, or with a deploy id updates it.
func (r *run) record(ctx context.Context) error {
	cfg := r.cfg
	need := []string{"environment", "revision"}
	if cfg.DeployID != 0 {
		need = nil // an update names the deploy; a timed-out one is recreated from Rollbar's copy
	}
	if err := cfg.Require(need...); err != nil {
		return err
	}
	if cfg.DryRun {
		return r.dryRun()
	}
	if err := cfg.Require("access_token"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	client := r.client()
	// Maps go first, so a final status never precedes them; a map Rollbar
	// refuses still leaves the deploy to be recorded, and fails the run after.
	var mapsErr error
	if cfg.SourceMaps != "" {
		mapsErr = r.upload(ctx, client, nil)
		var cfgErr *config.Error
		if errors.As(mapsErr, &cfgErr) {
			return mapsErr
		}
	}

	var id int64
	var err error
	if cfg.DeployID != 0 {
		id, err = r.update(ctx, client)
	} else {
		id, err = r.create(ctx, client)
	}
	if err != nil || id == 0 {
		return errors.Join(err, mapsErr)
	}
	return errors.Join(r.publish(id), mapsErr)
}

func (r *run) newDeploy() rollbar.NewDeploy {
	cfg := r.cfg
	return rollbar.NewDeploy{
		Environment:     cfg.Environment,
		Revision:        cfg.Revision,
		RollbarUsername: cfg.RollbarUsername,
		LocalUsername:   cfg.LocalUsername,
		Comment:         cfg.Comment,
		Status:          string(cfg.Status),
	}
}

// newUpdate is what an update sends. The CI's run URL was already sent when
// the deploy started, so only a comment the user gave replaces Rollbar's.
func (r *run) newUpdate() rollbar.Update {
	cfg := r.cfg
	u := rollbar.Update{Status: string(cfg.Status)}
	if src := cfg.Source("comment"); src != "" && src != cfg.CI.Comment.Source {
		u.Comment = cfg.Comment
	}
	return u
}

func (r *run) create(ctx context.Context, client *rollbar.Client) (int64, error) {
	if id, ok := r.alreadyRecorded(ctx, client); ok {
		return id, nil
	}
	id, err := client.Create(ctx, r.newDeploy())
	if err == nil {
		r.out.Debugf("recorded deploy %d", id)
	}
	return id, err
}

// alreadyRecorded skips a Heroku release that brings no new code: the
// release phase also runs for config-var changes and add-ons, and each would
// otherwise show as a deploy. A rollback is always recorded.
func (r *run) alreadyRecorded(ctx context.Context, client *rollbar.Client) (int64, bool) {
	cfg := r.cfg
	if cfg.CI.ID != "heroku" || cfg.CI.Rollback {
		return 0, false
	}
	deploys, err := client.List(ctx, 1, 0)
	if err != nil {
		r.out.Debugf("cannot read the newest deploys to skip a release without new code (%v): recording it", err)
		return 0, false
	}
	for _, d := range deploys {
		if d.Environment != cfg.Environment {
			continue
		}
		if d.Revision == cfg.Revision {
			r.out.Infof("revision %s is already the newest deploy of %s (deploy %d): this release brings no new code, nothing recorded", cfg.Revision, cfg.Environment, d.ID)
			return d.ID, true
		}
		break
	}
	return 0, false
}

// update sets the status of an existing deploy. When Rollbar has already
// timed that deploy out, the final status is recorded as a new deploy, so
// the outcome is not lost.
func (r *run) update(ctx context.Context, client *rollbar.Client) (int64, error) {
	cfg := r.cfg
	_, err := client.Update(ctx, cfg.DeployID, r.newUpdate())
	var api *rollbar.APIError
	if !errors.As(err, &api) || !api.NotStarted() || !cfg.Status.Final() {
		return cfg.DeployID, err
	}
	// Rollbar's copy tells whether an earlier attempt, whose answer was lost,
	// had already set this status, and what to record in the deploy's place.
	old, getErr := client.Get(ctx, cfg.DeployID)
	if getErr == nil && old.Status == string(cfg.Status) {
		return cfg.DeployID, nil
	}
	d := r.newDeploy()
	if getErr == nil {
		d.Environment, d.Revision = cmp.Or(d.Environment, old.Environment), cmp.Or(d.Revision, old.Revision)
		d.LocalUsername = cmp.Or(d.LocalUsername, old.LocalUsername)
	}
	if d.Environment == "" || d.Revision == "" {
		return 0, fmt.Errorf("%w; cannot record a new deploy in its place: set environment and revision (reading the old deploy failed: %w)", err, getErr)
	}
	id, createErr := client.Create(ctx, d)
	if createErr != nil {
		return 0, fmt.Errorf("%w; recording a new deploy in its place failed too: %w", err, createErr)
	}
	r.out.Warnf("Rollbar had already timed deploy %d out, so it cannot be updated: recorded deploy %d with status %s instead", cfg.DeployID, id, cfg.Status)
	return id, nil
}

// publish hands the deploy back to the pipeline.
func (r *run) publish(id int64) error {
	cfg := r.cfg
	res := pipeline.Result{
		DeployID: id, URL: rollbar.DeployURL(id), Status: string(cfg.Status),
		Environment: cfg.Environment, Revision: cfg.Revision, RevisionURL: cfg.CI.CommitURL,
		User: cmp.Or(cfg.RollbarUsername, cfg.LocalUsername),
	}
	if r.inv.json {
		if err := json.NewEncoder(r.out.stdout).Encode(map[string]any{
			"deploy_id": res.DeployID, "deploy_url": res.URL, "status": res.Status,
			"environment": res.Environment, "revision": res.Revision,
		}); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(r.out.stdout, strconv.FormatInt(id, 10))
	}

	var errs []error
	if r.out.action != nil {
		errs = append(errs, pipeline.GitHub{Getenv: r.Getenv}.Publish(res))
		r.out.Noticef("Rollbar deploy %d (%s, %s): %s", id, res.Environment, res.Status, res.URL)
	} else {
		r.out.Infof("deploy %d %s: %s", id, res.Status, res.URL)
	}
	if cfg.Dotenv != "" {
		errs = append(errs, pipeline.WriteDotenv(r.path(cfg.Dotenv), res))
	}
	if r.sharesWorkspace() {
		if cfg.Status.Final() {
			errs = append(errs, pipeline.ClearID(r.workspace()))
		} else {
			errs = append(errs, pipeline.SaveID(r.workspace(), id))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("deploy %d was recorded, but handing it to the pipeline failed: %w", id, err)
	}
	return nil
}

func (r *run) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(r.Dir, p)
}

func (r *run) client() *rollbar.Client {
	c := &rollbar.Client{
		BaseURL:   r.cfg.APIURL,
		Token:     r.cfg.AccessToken,
		ReadToken: r.cfg.ReadAccessToken,
		UserAgent: "rollbar-deploy/" + r.Version,
		HTTP:      r.HTTP,
		Now:       r.Now,
		Warnf:     r.out.Warnf,
	}
	if r.cfg.Verbose {
		c.Logf = r.out.Infof
	}
	return c
}
