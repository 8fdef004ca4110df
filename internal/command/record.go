package command

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/deploy"
	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
	"github.com/rollbar-deploy/rollbar-deploy/internal/sourcemaps"
	"github.com/rollbar-deploy/rollbar-deploy/internal/watch"
)

// The settings of every command that talks to Rollbar.
var common = []config.Name{config.APIURL, config.Timeout, config.CI, config.Verbose}

// deploySettings are what a record or an update may say about the deploy.
var deploySettings = slices.Concat([]config.Name{config.Environment, config.Revision, config.Status,
	config.LocalUsername, config.RollbarUsername, config.Comment, config.DeployID, config.AccessToken,
	config.ReadAccessToken, config.SourceMaps, config.MinifiedURLs, config.URLPrefix, config.WatchFor}, watchTuning,
	[]config.Name{config.FailOnError, config.APIURL, config.Timeout, config.DryRun, config.Dotenv, config.CI,
		config.Verbose})

// Record records a deploy, or with a deploy id updates it.
type Record struct{}

func (*Record) Spec() *Spec {
	return &Spec{Name: "record", Usage: "[record] [flags]",
		Summary:  "record a deploy (with a deploy id: update it); rollbar-deploy alone runs this",
		Settings: deploySettings, Extra: []Extra{jsonFlag}, tolerant: true}
}

func (*Record) Run(ctx context.Context, r *Invocation) error {
	if len(r.Args) > 0 {
		return usagef("record takes no arguments, got %s (flags start with --)", shown(r.Args[0]))
	}
	user := handoff.Target{ID: int64(r.Config.DeployID), Source: r.Config.Source(config.DeployID)}
	return r.record(ctx, user, false, nil)
}

// received reads what earlier steps handed this run (handoff.Receive): in a
// CI whose steps share only the workspace, its id file too.
func (r *Invocation) received() (handoff.Inbox, error) {
	cfg := r.Config
	var workspace handoff.Workspace
	if cfg.CI.SharesWorkspace {
		workspace = r.workspace()
	}
	in, err := handoff.Receive(r.jobEnv, string(cfg.Environment), workspace)
	switch {
	case err != nil && cfg.Status.Final():
		return in, &config.Error{
			Setting: string(config.DeployID), Source: handoff.IDFile, Problem: "cannot be read", Fix: err.Error(),
		}
	case err != nil: // a started record never takes a saved id: it replaces the file
		r.Out.Warnf("%v: a started deploy replaces it", err)
	}
	return in, nil
}

// workspace is the directory the steps share, and the run: the CI's run URL.
func (r *Invocation) workspace() handoff.Workspace {
	return handoff.Workspace{Dir: cmp.Or(r.Config.CI.Workspace, r.Dir), Run: r.Config.CI.Comment.Value}
}

// job is what tells this job's deploys apart in Rollbar: the comment the CI
// makes names the job where the CI tells it (GitHub's job page).
func (r *Invocation) job() deploy.Job {
	info := r.Config.CI
	ciComment := r.Config.Source(config.Comment) == info.Comment.Source
	return deploy.Job{
		Certain: info.Provider == "" || info.JobComment && ciComment, Attempt: info.Attempt, AttemptOf: info.AttemptOf,
		Deployment: info.Deployment,
	}
}

// record sends the deploy: source maps first, so a final status never
// precedes them; a map Rollbar refuses still leaves the deploy to be
// recorded, and fails the run after. user is the deploy the user named;
// noID is an update that was given none; inbox is what earlier steps handed
// over, when the caller has read it already (nil: record reads it).
func (r *Invocation) record(ctx context.Context, user handoff.Target, noID bool, inbox *handoff.Inbox) error {
	cfg := r.Config
	if cfg.CI.NotDeploying != "" && user.ID == 0 {
		r.Out.Infof("nothing recorded: %s", cfg.CI.NotDeploying)
		return nil
	}
	if inbox == nil {
		in, err := r.received()
		if err != nil {
			return err
		}
		inbox = &in
	}
	for _, w := range inbox.Warnings {
		r.Out.Warnf("%s", w)
	}
	target := inbox.Choose(user, cfg.Status.Final(), string(cfg.Environment))
	status := cfg.Status
	switch {
	case status == rollbar.Skipped && target.ID == 0:
		r.Out.Infof("nothing recorded: the status is skipped (from %s), so nothing was deployed", cfg.Source(config.Status))
		return nil
	case status == rollbar.Skipped:
		r.Out.Warnf("the deploy step was skipped (status from %s): "+
			"finishing deploy %d (from %s) as failed, since nothing was deployed",
			cfg.Source(config.Status), target.ID, target.Source)
		status = rollbar.Failed
	case target.ID != 0 && cfg.Source(config.Status) == "default":
		r.Out.Warnf("status is empty or not set: finishing deploy %d (from %s) as %s; "+
			"give the job's outcome as the status (%s), or a failed deploy is recorded as succeeded",
			target.ID, target.Source, status, config.Status.Row().Where())
	}
	if target.ID == 0 {
		if err := cfg.Require(config.Environment, config.Revision); err != nil {
			return err
		}
	}
	var pairs []sourcemaps.Pair
	var badMaps error
	if cfg.SourceMaps != "" {
		var err error
		if pairs, err = r.findMaps(ctx, nil); err != nil {
			// A started deploy is finished all the same, and the run fails
			// after: the deploy happened, and left started it would say so
			// until Rollbar times it out.
			if target.ID == 0 || !status.Final() || bool(cfg.DryRun) || ctx.Err() != nil {
				return err
			}
			badMaps = err
		}
	}
	// A pipeline that cannot be handed the deploy should hear so before the
	// deploy is recorded, and a dry run too.
	if cfg.Dotenv != "" {
		path := r.Path(cfg.Dotenv)
		problem, fix := "", "name a file for the dotenv report, such as rollbar.env"
		if dir := filepath.Dir(path); !isDir(dir) {
			problem, fix = "is in no directory there is", "create "+dir+" first, or name a file in the working directory"
		} else {
			problem = handoff.NotAFile(path)
		}
		if problem != "" {
			return &config.Error{Setting: string(config.Dotenv), Source: cfg.Source(config.Dotenv), Value: cfg.Dotenv,
				Problem: problem, Fix: fix}
		}
	}
	if cfg.DryRun {
		return r.dryRun(target, status, pairs)
	}
	if err := cfg.Require(config.AccessToken); err != nil {
		return err
	}
	sendCtx, cancel := context.WithTimeout(ctx, time.Duration(cfg.Timeout))
	defer cancel()
	job := r.job()
	job.Started = inbox.Started
	client := r.Client()
	client.SharedFields = !job.Certain
	// The maps go first, so that no final status precedes them, and may use
	// two thirds of the time: the deploy keeps the rest, for itself and its
	// retries, however many maps there are.
	mapsCtx, cancelMaps := context.WithTimeout(sendCtx, time.Duration(cfg.Timeout)*2/3)
	uploads, mapsErr := r.upload(mapsCtx, client, pairs)
	cancelMaps()
	mapsErr = errors.Join(badMaps, mapsErr)
	if ctx.Err() != nil {
		return fmt.Errorf("%w; the deploy was not recorded", cmp.Or(mapsErr, ctx.Err()))
	}
	s := sender{Invocation: r, x: deploy.Deployer{Client: client, Log: r.Out}, status: status, job: job}
	got, recorded, err := s.send(sendCtx, target, noID)
	if r.Out.action != nil && (err != nil && !status.Final() || err == nil && status.Final() && inbox.Started) {
		// A start that failed (an outage, an interrupt, its answer lost) hands
		// no id over: the job's final step must then not take another job's
		// deploy for its own, until it has recorded the outcome.
		if markErr := (handoff.GitHub{Getenv: r.jobEnv}).MarkStart(string(cfg.Environment), !status.Final()); markErr != nil {
			r.Out.Warnf("%v: a later step of this job may finish another job's deploy of %s", markErr, cfg.Environment)
		}
	}
	if err != nil && !status.Final() && cfg.CI.SharesWorkspace {
		err = errors.Join(err, r.forgetKept(*inbox))
	}
	if err != nil {
		return errors.Join(err, mapsErr)
	}
	res := r.result(got, status)
	if replaced := inbox.Settle(&res, status.Final(), target.ID); replaced != 0 && r.handsOver() {
		r.Out.Warnf("deploy %d of %s, started earlier, was never finished: deploy %d takes its place for the steps after, "+
			"and Rollbar will time %d out (a started step run twice?)", replaced, res.Environment, res.DeployID, replaced)
	}
	if recorded && r.Out.action == nil { // in Actions, publish's notice says it
		r.Out.Infof("deploy %d %s: %s", res.DeployID, res.Status, res.URL)
	}
	var report *watch.Report
	switch {
	case cfg.WatchFor > 0 && !recorded:
		r.Out.Infof("not watching: this release brings no new code")
	case cfg.WatchFor > 0 && status == rollbar.Succeeded:
		report, err = r.watch(ctx, client, &res)
	case cfg.WatchFor > 0: // say, ROLLBAR_WATCH_FOR in the env: of a job with a started step
		r.Out.Infof("not watching: the watch follows a succeeded deploy, and this one is %s", status)
	}
	err = errors.Join(err, mapsErr)
	return errors.Join(r.publish(res, report, uploads, err), err)
}

// sender sends one record by the rules of a deploy's life (SPEC section 11).
type sender struct {
	*Invocation
	x      deploy.Deployer
	status rollbar.Status
	job    deploy.Job
}

// send records the deploy, or updates target, and returns it as Rollbar
// has it and whether a record was made (a release without new code is not).
// With a token that can read, a started deploy of this job that a lost
// answer or an interrupt left behind is taken up instead of recording
// another; a final record without an id finishes the started deploy of
// its run (the step that started it could not hand it over); and a re-run
// finishes what its earlier attempts left started.
func (s *sender) send(ctx context.Context, target handoff.Target, noID bool) (rollbar.Deploy, bool, error) {
	cfg := s.Config
	final := s.status.Final()
	var found deploy.Unfinished
	if target.ID == 0 && (cfg.ReadAccessToken != "" || noID) || s.job.Attempt > 1 {
		var err error
		// A third of the time at most: in an outage the record keeps the rest.
		searchCtx, cancel := context.WithTimeout(ctx, time.Duration(cfg.Timeout)/3)
		found, err = s.x.Unfinished(searchCtx, s.newDeploy(s.status), s.job)
		cancel()
		var api *rollbar.APIError
		switch {
		case err != nil && ctx.Err() != nil:
			return rollbar.Deploy{}, false, err
		case errors.As(err, &api) && (api.Status == http.StatusUnauthorized || api.Status == http.StatusForbidden):
			// A post-only token, the common case: the search was worth a try.
			s.Out.Debugf("cannot read the started deploys of this environment and revision, "+
				"which a step may have to finish or take up (%v)", err)
		case err != nil:
			s.Out.Infof("cannot read the started deploys of this environment and revision, "+
				"which a step may have to finish or take up (%v)", err)
		}
	}
	// A final step that no id reached finishes the deploy an earlier attempt
	// started, when it is the one: its job (the start job of a two-job
	// pattern) is not re-run. The others, and those of a started step or of
	// a job that started its own deploy, are over: no step of theirs will
	// finish them.
	var orphan *rollbar.Deploy
	found.Orphans = slices.DeleteFunc(found.Orphans, func(d rollbar.Deploy) bool { return d.ID == target.ID })
	if final && target.ID == 0 && !s.job.Started && found.Mine == nil && len(found.Shared) == 0 &&
		len(found.Orphans) == 1 {
		orphan, found.Orphans = &found.Orphans[0], nil
	}
	for _, d := range found.Orphans {
		if _, err := s.x.Client.Update(ctx, d.ID, rollbar.Update{Status: string(rollbar.Failed)}); err != nil {
			s.Out.Infof("deploy %d, left started by an earlier attempt of this run, could not be finished: %v", d.ID, err)
			continue
		}
		s.Out.Warnf("deploy %d was left started by an earlier attempt of this run (%s), which is over: finished it as failed",
			d.ID, d.Comment)
	}
	switch {
	case target.ID != 0:
		s.Out.Debugf("updating deploy %d (from %s)", target.ID, target.Source)
		return s.update(ctx, target)
	case found.Mine != nil && !final:
		s.Out.Warnf("deploy %d, started by an earlier try of this job (interrupted, or its answer lost), is still started: "+
			"taking it up instead of recording another", found.Mine.ID)
		return *found.Mine, true, nil
	case !final && s.job.Deployment != "" && len(found.Shared) > 0:
		// A deployment's states under way (queued, then in_progress) each
		// start a run: the deploy is the one the first of them started.
		d := found.Shared[0]
		s.Out.Infof("deploy %d of this deployment (%s) is started already: taking it up instead of recording another",
			d.ID, d.Comment)
		return d, true, nil
	case found.Mine != nil:
		s.Out.Infof("finishing deploy %d, started by this job, whose id did not reach this step", found.Mine.ID)
		return s.update(ctx, handoff.Target{ID: found.Mine.ID, Source: "Rollbar's started deploy of this job"})
	case orphan != nil:
		s.Out.Infof("finishing deploy %d, started by an earlier attempt of this run (%s), whose id did not reach this step",
			orphan.ID, orphan.Comment)
		return s.update(ctx, handoff.Target{ID: orphan.ID, Source: "Rollbar's started deploy of an earlier attempt"})
	case final && len(found.Shared) == 1:
		d := found.Shared[0]
		when := "earlier in this run"
		if s.job.Deployment != "" && d.Comment != cfg.Comment { // a run of an earlier state of the deployment
			when = "by a run of this deployment"
		}
		s.Out.Infof("finishing deploy %d, started %s (%s), whose id did not reach this step", d.ID, when, d.Comment)
		return s.update(ctx, handoff.Target{ID: d.ID, Source: "Rollbar's started deploy of this run"})
	case final && len(found.Shared) > 1:
		s.Out.Warnf("%d deploys of %s started in this run are still started, "+
			"and this step cannot tell which one is its own: recording the outcome as a new deploy",
			len(found.Shared), cfg.Environment)
	}
	d := s.newDeploy(s.status)
	id, recorded, err := s.x.Create(ctx, d, cfg.CI.SkipsUnchanged())
	switch {
	case err != nil:
	case noID:
		s.Out.Warnf("update was given no deploy id (an empty one, or none handed over by the step that started the deploy): "+
			"recorded the outcome as deploy %d", id)
	case final && s.job.Started:
		s.Out.Warnf("this job's started record of %s handed no deploy id over "+
			"(an outage, an interrupt, or its answer lost), and no started deploy is certainly this job's: "+
			"recorded the outcome as deploy %d", cfg.Environment, id)
	}
	return rollbar.Deploy{ID: id, Environment: d.Environment, Revision: d.Revision}, recorded, err
}

// update updates target: in a CI run the final status lands even when
// Rollbar refuses the update (deploy.Deployer.Update).
func (s *sender) update(ctx context.Context, target handoff.Target) (rollbar.Deploy, bool, error) {
	cfg := s.Config
	d, err := s.x.Update(ctx, target.ID, s.newUpdate(s.status), s.newDeploy(s.status), cfg.CI.Provider != "")
	if d.Environment != "" && cfg.Environment != "" && d.Environment != string(cfg.Environment) {
		s.Out.Warnf("deploy %d is of %s, not %s (environment, from %s): updated as its id (from %s) says; "+
			"check the id if that is not what you meant",
			target.ID, d.Environment, cfg.Environment, cfg.Source(config.Environment), target.Source)
	}
	// What was recorded: an update reports the deploy as Rollbar has it, not
	// what this run happens to resolve.
	d.Environment, d.Revision = cmp.Or(d.Environment, string(cfg.Environment)), cmp.Or(d.Revision, string(cfg.Revision))
	return d, true, err
}

func (r *Invocation) newDeploy(status rollbar.Status) rollbar.NewDeploy {
	cfg := r.Config
	return rollbar.NewDeploy{
		Environment:     string(cfg.Environment),
		Revision:        string(cfg.Revision),
		RollbarUsername: string(cfg.RollbarUsername),
		LocalUsername:   string(cfg.LocalUsername),
		Comment:         cfg.Comment,
		Status:          string(status),
	}
}

// newUpdate is what an update sends. The CI's run URL was already sent when
// the deploy started, so only a comment the user gave replaces Rollbar's.
func (r *Invocation) newUpdate(status rollbar.Status) rollbar.Update {
	cfg := r.Config
	u := rollbar.Update{Status: string(status)}
	if src := cfg.Source(config.Comment); src != "" && src != cfg.CI.Comment.Source {
		u.Comment = cfg.Comment
	}
	return u
}

func (r *Invocation) result(d rollbar.Deploy, status rollbar.Status) handoff.Result {
	cfg := r.Config
	res := handoff.Result{
		DeployID: d.ID, URL: rollbar.DeployURL(d.ID), Status: string(status),
		Environment: d.Environment, Revision: d.Revision,
		User:   string(cmp.Or(cfg.RollbarUsername, cfg.LocalUsername)),
		Branch: cfg.CI.Branch.Value, Repository: cfg.CI.Repository.Value,
	}
	if d.Revision == cfg.CI.Revision.Value {
		res.RevisionURL = cfg.CI.CommitURL // the CI's commit: not another revision's
	}
	return res
}

// forgetKept drops, after a started record that failed, the deploy of its
// environment kept in the workspace. A workspace can outlive a build (drone
// exec, a volume): that deploy may be an earlier build's, and the step that
// finishes this build's deploy would give it this build's outcome. Rollbar
// times it out instead.
func (r *Invocation) forgetKept(in handoff.Inbox) error {
	pending, forgotten := in.Without(string(r.Config.Environment))
	if len(forgotten) == 0 && !in.Stale {
		return nil
	}
	for _, s := range forgotten {
		r.Out.Warnf("deploy %d of %s, kept in %s by an earlier start, is dropped: this start was not recorded, "+
			"so the step that finishes it records the outcome as a new deploy rather than finish that one",
			s.ID, cmp.Or(s.Environment, "any environment"), s.Source)
	}
	return handoff.SaveIDs(r.workspace(), in.Kept, pending)
}

// handsOff reports whether this run tells later steps of its deploy:
// through GITHUB_ENV, a dotenv report or the workspace's id file.
func (r *Invocation) handsOver() bool {
	return r.Out.action != nil || r.Config.Dotenv != "" || r.Config.CI.SharesWorkspace
}

// publish hands the deploy back to the pipeline: the id on stdout, and the
// CI's own files.
func (r *Invocation) publish(res handoff.Result, report *watch.Report, uploads []uploaded, failed error) error {
	if r.JSON {
		out := map[string]any{"deploy_id": res.DeployID, "deploy_url": res.URL, "status": res.Status,
			"environment": res.Environment, "revision": res.Revision}
		if report != nil {
			out["watch"] = report
		}
		if len(uploads) > 0 {
			out["source_maps"] = uploads
		}
		r.jsonError(out, failed)
		r.printJSON(out)
	} else {
		fmt.Fprintln(r.Out.stdout, strconv.FormatInt(res.DeployID, 10))
	}
	var errs []error
	if r.Out.action != nil {
		errs = append(errs, handoff.GitHub{Getenv: r.Getenv}.Publish(res))
		// One notice per deploy, as one summary table: its final state's.
		if res.Status == string(rollbar.Started) {
			r.Out.Infof("deploy %d %s: %s", res.DeployID, res.Status, res.URL)
		} else {
			r.Out.Noticef("Rollbar deploy %d (%s, %s): %s", res.DeployID, res.Environment, res.Status, res.URL)
		}
	}
	if r.Config.Dotenv != "" {
		errs = append(errs, handoff.WriteDotenv(r.Path(r.Config.Dotenv), res))
	}
	if r.Config.CI.SharesWorkspace && res.Pending != nil {
		errs = append(errs, handoff.SaveIDs(r.workspace(), res.Kept, res.Pending))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("deploy %d was recorded, but handing it to the pipeline failed: %w", res.DeployID, err)
	}
	return nil
}

// findMaps pairs the source maps with their minified URLs.
func (r *Invocation) findMaps(ctx context.Context, extra []string) ([]sourcemaps.Pair, error) {
	cfg := r.Config
	pairs, err := sourcemaps.Find(r.Dir, append(r.list(config.SourceMaps, cfg.SourceMaps), extra...),
		r.list(config.MinifiedURLs, cfg.MinifiedURLs), string(cfg.URLPrefix))
	if err == nil {
		// Every map is checked before anything is sent.
		if err = sourcemaps.Check(ctx, r.Dir, pairs); ctx.Err() != nil {
			return nil, newPhaseError(ctx, "checking source maps", "nothing was sent")
		}
	}
	if err != nil {
		fix := err.Error()
		if strings.Contains(cfg.SourceMaps+cfg.MinifiedURLs, ",") && !cfg.CI.JoinsLists {
			fix += " (commas part a list only in a Drone or Woodpecker plugin setting: separate names with spaces)"
		}
		setting := config.SourceMaps
		if u := (*sourcemaps.URLError)(nil); errors.As(err, &u) {
			setting = config.Name(u.Setting)
		}
		return nil, &config.Error{Setting: string(setting), Source: cfg.Source(setting), Problem: "cannot be used", Fix: fix}
	}
	return pairs, nil
}

// list splits a list setting at spaces, the official action's way, and a
// plugin setting at commas too where the CI joins a YAML list so. A name
// with a comma in it stays whole anywhere else. So that a path with a space
// in it ("web app/dist/") can be given, a value of several lines (a YAML
// block, as actions/upload-artifact's path) is a name a line, and a value
// that names a file or directory as a whole is that one name.
func (r *Invocation) list(name config.Name, v string) []string {
	plugin := r.Config.CI.JoinsLists && strings.HasPrefix(r.Config.Source(name), "PLUGIN_")
	if !plugin && strings.ContainsAny(v, "\n\r") {
		var names []string
		for _, line := range strings.FieldsFunc(v, func(c rune) bool { return c == '\n' || c == '\r' }) {
			if line = strings.TrimSpace(line); line != "" {
				names = append(names, line)
			}
		}
		return names
	}
	if path := v; strings.Contains(v, " ") {
		if !filepath.IsAbs(path) {
			path = filepath.Join(r.Dir, path)
		}
		if _, err := os.Stat(path); err == nil {
			return []string{v}
		}
	}
	return strings.FieldsFunc(v, func(c rune) bool { return unicode.IsSpace(c) || plugin && c == ',' })
}

// parallelUploads is how many maps upload at once: enough to hide each
// request's latency, few enough not to trip Rollbar's rate limit.
const parallelUploads = 4

// shownFailures is how many failed maps are named one by one; the rest are
// counted, so that 500 failing maps do not flood the log.
const shownFailures = 5

// upload sends every source map, a few at a time, reporting each one's
// outcome, and fails if any failed: a deploy whose stack traces cannot be read
// is worth knowing of. When ctx ends (out of time, interrupted) it says once
// what was done, what was in flight and what was not sent.
func (r *Invocation) upload(ctx context.Context, client *rollbar.Client, pairs []sourcemaps.Pair) ([]uploaded, error) {
	out := make([]uploaded, len(pairs))
	errs := make([]error, len(pairs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(parallelUploads, len(pairs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := pairs[i]
				errs[i] = client.UploadSourceMap(ctx, rollbar.SourceMap{
					Version: string(r.Config.Revision), MinifiedURL: p.MinifiedURL,
					Name: filepath.Base(p.Path), Size: p.Size, Open: func() (io.ReadCloser, error) { return os.Open(p.Path) },
				})
				if errs[i] == nil {
					r.Out.Debugf("uploaded source map %s for %s", r.shownPath(p.Path), p.MinifiedURL)
				}
			}
		}()
	}
	sent := 0
send:
	for ; sent < len(pairs); sent++ {
		select {
		case next <- sent:
		case <-ctx.Done():
			break send
		}
	}
	close(next)
	wg.Wait()

	failed, cut, first := 0, 0, error(nil)
	for i, p := range pairs {
		out[i] = uploaded{Path: p.Path, MinifiedURL: p.MinifiedURL, Uploaded: errs[i] == nil && i < sent}
		err := errs[i]
		switch {
		case out[i].Uploaded:
			continue
		case err == nil || ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
			cut++ // told once, below
			out[i].Error = "not uploaded: out of time"
			if errors.Is(ctx.Err(), context.Canceled) {
				out[i].Error = "not uploaded: interrupted"
			}
			continue
		}
		out[i].Error = err.Error()
		failed, first = failed+1, cmp.Or(first, err)
		if failed <= shownFailures {
			r.Out.Warnf("source map %s for %s: %v", r.shownPath(p.Path), p.MinifiedURL, err)
		}
	}
	done := len(pairs) - failed - cut
	if failed > shownFailures {
		r.Out.Warnf("and %d more source maps failed (--json lists each)", failed-shownFailures)
	}
	var err error
	switch {
	case cut > 0:
		err = newPhaseError(ctx,
			fmt.Sprintf("uploading source maps: %d of %s uploaded, %d not", done, sourceMaps(len(pairs)), cut),
			"a map being sent when it stopped may have been uploaded all the same")
		if failed > 0 {
			err = errors.Join(err, fmt.Errorf("%d source maps failed to upload; the first: %w", failed, first))
		}
	case failed > 0:
		err = fmt.Errorf("%d of %s failed to upload; the first: %w", failed, sourceMaps(len(pairs)), first)
	case len(pairs) > 0:
		r.Out.Infof("uploaded %s for revision %s", sourceMaps(len(pairs)), r.Config.Revision)
	}
	return out, err
}

func sourceMaps(n int) string {
	if n == 1 {
		return "1 source map"
	}
	return strconv.Itoa(n) + " source maps"
}

// shownPath is a map's path as the user named it, relative to the working
// directory when below it.
func (r *Invocation) shownPath(path string) string {
	if rel, err := filepath.Rel(r.Dir, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}

// phaseError is a phase of the run that its context ended: an interrupt (a
// signal, the CI's cancel) or the end of the time allowed. It says what was
// done and what was not, once, in place of a line for each thing cut short.
type phaseError struct {
	what   string // "uploading source maps: 12 of 500 uploaded, 488 not"
	landed string // what may have happened all the same
	cause  error  // context.Canceled or context.DeadlineExceeded
}

func newPhaseError(ctx context.Context, what, landed string) *phaseError {
	return &phaseError{what: what, landed: landed, cause: ctx.Err()}
}

func (e *phaseError) Error() string {
	if errors.Is(e.cause, context.Canceled) {
		return "interrupted while " + e.what + "; " + e.landed
	}
	return "out of time while " + e.what + ": raise timeout (ROLLBAR_TIMEOUT)"
}

func (e *phaseError) Unwrap() error { return e.cause }

// uploaded is one source map's outcome, as sourcemaps --json prints it.
type uploaded struct {
	Path        string `json:"path"`
	MinifiedURL string `json:"minified_url"`
	Uploaded    bool   `json:"uploaded"`
	Error       string `json:"error,omitempty"`
}

// Update sets the status (and comment) of a deploy.
type Update struct{}

func (*Update) Spec() *Spec {
	return &Spec{Name: "update", Usage: "update N --status S [flags]   (or --deploy-id N)",
		Summary: "update a deploy's status (and comment)",
		// environment chooses among the ids earlier steps saved; the rest of a
		// deploy's fields are Rollbar's already.
		Settings: slices.Concat([]config.Name{config.DeployID, config.Status, config.Comment, config.Environment,
			config.AccessToken, config.ReadAccessToken, config.WatchFor}, watchTuning,
			[]config.Name{config.FailOnError, config.APIURL, config.Timeout, config.DryRun, config.Dotenv, config.CI,
				config.Verbose}),
		Required: []config.Name{config.Status}, Extra: []Extra{jsonFlag}, tolerant: true}
}

func (*Update) Run(ctx context.Context, r *Invocation) error {
	cfg := r.Config
	user, err := r.argID("update")
	if err != nil || user.ID != 0 {
		return cmp.Or(err, r.record(ctx, user, false, nil))
	}
	// In a CI run the outcome lands without an id too (SPEC 11.1), and so it
	// does for an empty argument, a script's "$id" that an outage of the
	// started record left empty; at a terminal an update given no deploy
	// to update is a mistake.
	emptyArg := len(r.Args) > 0 && user.Source != "argument"
	if cfg.CI.Provider == "" && emptyArg {
		if err := cfg.Require(config.Environment, config.Revision); err != nil {
			return usagef("update was given an empty deploy id (the started record failed?), so it records the outcome "+
				"as a new deploy, which needs what a record does: %v", err)
		}
	}
	if cfg.CI.Provider == "" && !emptyArg {
		in, err := r.received()
		if err != nil {
			return err
		}
		if in.Choose(user, cfg.Status.Final(), string(cfg.Environment)).ID == 0 {
			if len(in.Saved) > 0 {
				s := in.Saved[0]
				return usagef("update: the saved deploy %d (from %s) is of environment %q, not %q: pass the deploy id",
					s.ID, s.Source, s.Environment, cfg.Environment)
			}
			return usagef("update needs a deploy id (deploy_id): rollbar-deploy update 45306460 --status succeeded")
		}
		return r.record(ctx, user, true, &in) // what was handed over, read once
	}
	return r.record(ctx, user, true, nil)
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
