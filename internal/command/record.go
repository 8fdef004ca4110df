package command

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
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
	"github.com/rollbar-deploy/rollbar-deploy/internal/pipeline"
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
	target, err := r.target()
	if err != nil {
		return err
	}
	return r.record(ctx, target)
}

// target is the deploy this run updates, if any (deploy.Choose), from the
// user's id or those earlier steps saved.
func (r *Invocation) target() (deploy.Target, error) {
	cfg := r.Config
	if cfg.CI.SharesWorkspace { // its ids join those the variables hold
		pending, err := pipeline.LoadIDs(r.workspace())
		switch {
		case err != nil && cfg.Status.Final():
			return deploy.Target{}, &config.Error{Setting: string(config.DeployID), Source: pipeline.IDFile,
				Problem: "cannot be read", Fix: err.Error()}
		case err != nil: // a started record never takes a saved id: it replaces the file
			r.Out.Warnf("%v: a started deploy replaces it", err)
		}
		for _, env := range slices.Sorted(maps.Keys(pending)) {
			cfg.Saved = append(cfg.Saved, config.Saved{ID: pending[env], Environment: env, Source: pipeline.IDFile})
		}
	}
	return deploy.Choose(deploy.Target{ID: int64(cfg.DeployID), Source: cfg.Source(config.DeployID)}, cfg.Status,
		string(cfg.Environment), cfg.Saved...), nil
}

func (r *Invocation) workspace() string { return cmp.Or(r.Config.CI.Workspace, r.Dir) }

// record sends the deploy: source maps first, so a final status never
// precedes them; a map Rollbar refuses still leaves the deploy to be
// recorded, and fails the run after.
func (r *Invocation) record(ctx context.Context, target deploy.Target) error {
	cfg := r.Config
	if target.ID == 0 {
		if err := cfg.Require(config.Environment, config.Revision); err != nil {
			return err
		}
	}
	var pairs []sourcemaps.Pair
	if cfg.SourceMaps != "" {
		var err error
		if pairs, err = r.findMaps(ctx, nil); err != nil {
			return err
		}
	}
	// A pipeline that cannot be handed the deploy should hear so before the
	// deploy is recorded, and a dry run too.
	if dir := filepath.Dir(r.Path(cfg.Dotenv)); cfg.Dotenv != "" && !isDir(dir) {
		return &config.Error{Setting: string(config.Dotenv), Source: cfg.Source(config.Dotenv), Value: cfg.Dotenv,
			Problem: "is in no directory there is", Fix: "create " + dir + " first, or name a file in the working directory"}
	}
	if cfg.DryRun {
		return r.dryRun(target, pairs)
	}
	if err := cfg.Require(config.AccessToken); err != nil {
		return err
	}
	sendCtx, cancel := context.WithTimeout(ctx, time.Duration(cfg.Timeout))
	defer cancel()
	client := r.Client()
	// The maps go first, so that no final status precedes them, and may use
	// two thirds of the time: the deploy keeps the rest, for itself and its
	// retries, however many maps there are.
	mapsCtx, cancelMaps := context.WithTimeout(sendCtx, time.Duration(cfg.Timeout)*2/3)
	uploads, mapsErr := r.upload(mapsCtx, client, pairs)
	cancelMaps()
	if ctx.Err() != nil {
		return fmt.Errorf("%w; the deploy was not recorded", cmp.Or(mapsErr, ctx.Err()))
	}
	deployer := deploy.Deployer{Client: client, Log: r.Out}
	// What was recorded: an update reports the deploy as Rollbar has it, not
	// what this run happens to resolve.
	got := rollbar.Deploy{Environment: string(cfg.Environment), Revision: string(cfg.Revision)}
	recorded := true
	var err error
	if target.ID != 0 {
		r.Out.Debugf("updating deploy %d (from %s)", target.ID, target.Source)
		var d rollbar.Deploy
		d, err = deployer.Update(sendCtx, target.ID, r.newUpdate(), r.newDeploy())
		if d.Environment != "" && cfg.Environment != "" && d.Environment != string(cfg.Environment) {
			r.Out.Warnf("deploy %d is of %s, not %s (environment, from %s): updated as its id (from %s) says; check the id if that is not what you meant",
				target.ID, d.Environment, cfg.Environment, cfg.Source(config.Environment), target.Source)
		}
		got.ID, got.Environment, got.Revision = d.ID, cmp.Or(d.Environment, got.Environment), cmp.Or(d.Revision, got.Revision)
	} else {
		got.ID, recorded, err = deployer.Create(sendCtx, r.newDeploy(), cfg.CI.SkipsUnchanged())
	}
	if err != nil {
		return errors.Join(err, mapsErr)
	}
	res := r.result(got, target)
	if recorded && r.Out.action == nil { // in Actions, publish's notice says it
		r.Out.Infof("deploy %d %s: %s", res.DeployID, res.Status, res.URL)
	}
	var report *watch.Report
	switch {
	case cfg.WatchFor > 0 && !recorded:
		r.Out.Infof("not watching: this release brings no new code")
	case cfg.WatchFor > 0 && cfg.Status == rollbar.Succeeded:
		report, err = r.watch(ctx, client, &res)
	case cfg.WatchFor > 0: // say, ROLLBAR_WATCH_FOR in the env: of a job with a started step
		r.Out.Infof("not watching: the watch follows a succeeded deploy, and this one is %s", cfg.Status)
	}
	err = errors.Join(err, mapsErr)
	return errors.Join(r.publish(res, report, uploads, err), err)
}

func (r *Invocation) newDeploy() rollbar.NewDeploy {
	cfg := r.Config
	return rollbar.NewDeploy{
		Environment:     string(cfg.Environment),
		Revision:        string(cfg.Revision),
		RollbarUsername: string(cfg.RollbarUsername),
		LocalUsername:   string(cfg.LocalUsername),
		Comment:         cfg.Comment,
		Status:          string(cfg.Status),
	}
}

// newUpdate is what an update sends. The CI's run URL was already sent when
// the deploy started, so only a comment the user gave replaces Rollbar's.
func (r *Invocation) newUpdate() rollbar.Update {
	cfg := r.Config
	u := rollbar.Update{Status: string(cfg.Status)}
	if src := cfg.Source(config.Comment); src != "" && src != cfg.CI.Comment.Source {
		u.Comment = cfg.Comment
	}
	return u
}

func (r *Invocation) result(d rollbar.Deploy, target deploy.Target) pipeline.Result {
	cfg := r.Config
	id := d.ID
	res := pipeline.Result{
		DeployID: id, URL: rollbar.DeployURL(id), Status: string(cfg.Status),
		Environment: d.Environment, Revision: d.Revision,
		User:   string(cmp.Or(cfg.RollbarUsername, cfg.LocalUsername)),
		Branch: cfg.CI.Branch.Value, Repository: cfg.CI.Repository.Value,
	}
	if d.Revision == cfg.CI.Revision.Value {
		res.RevisionURL = cfg.CI.CommitURL // the CI's commit: not another revision's
	}
	// The job's unfinished deploys: this one joins them when started, and
	// leaves them, as does the saved deploy it finished, when final.
	res.Pending = map[string]int64{}
	for _, s := range cfg.Saved {
		if s.Source != pipeline.DeployIDVar {
			res.Pending[s.Environment] = s.ID
		}
	}
	if !cfg.Status.Final() {
		if old, ok := res.Pending[res.Environment]; ok && old != id && r.handsOver() {
			r.Out.Warnf("deploy %d of %s, started earlier, was never finished: deploy %d takes its place for the steps after, and Rollbar will time %d out (a started step run twice?)", old, res.Environment, id, old)
		}
		res.Pending[res.Environment], res.Handoff = id, pipeline.Save
		return res
	}
	finished := func(env string, saved int64) bool { return env == res.Environment || saved == target.ID }
	before := len(res.Pending)
	if maps.DeleteFunc(res.Pending, finished); len(res.Pending) == before {
		res.Pending = nil // nothing to write
	}
	// ROLLBAR_DEPLOY_ID, the last deploy started, is cleared once it is
	// finished, or when there is none; another environment's stays.
	res.Handoff = pipeline.Clear
	for _, s := range cfg.Saved {
		if s.Source == pipeline.DeployIDVar && !finished(s.Environment, s.ID) {
			res.Handoff = pipeline.Leave
		}
	}
	return res
}

// handsOver reports whether this run tells later steps of its deploy:
// through GITHUB_ENV, a dotenv report or the workspace's id file.
func (r *Invocation) handsOver() bool {
	return r.Out.action != nil || r.Config.Dotenv != "" || r.Config.CI.SharesWorkspace
}

// publish hands the deploy back to the pipeline: the id on stdout, and the
// CI's own files.
func (r *Invocation) publish(res pipeline.Result, report *watch.Report, uploads []uploaded, failed error) error {
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
		errs = append(errs, pipeline.GitHub{Getenv: r.Getenv}.Publish(res))
		r.Out.Noticef("Rollbar deploy %d (%s, %s): %s", res.DeployID, res.Environment, res.Status, res.URL)
	}
	if r.Config.Dotenv != "" {
		errs = append(errs, pipeline.WriteDotenv(r.Path(r.Config.Dotenv), res))
	}
	if r.Config.CI.SharesWorkspace && res.Pending != nil {
		errs = append(errs, pipeline.SaveIDs(r.workspace(), res.Pending))
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
		return nil, &config.Error{Setting: string(config.SourceMaps), Source: cfg.Source(config.SourceMaps),
			Problem: "cannot be used", Fix: fix}
	}
	return pairs, nil
}

// list splits a list setting at spaces, the official action's way, and a
// plugin setting at commas too where the CI joins a YAML list so. A name
// with a comma in it stays whole anywhere else.
func (r *Invocation) list(name config.Name, v string) []string {
	plugin := r.Config.CI.JoinsLists && strings.HasPrefix(r.Config.Source(name), "PLUGIN_")
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
				errs[i] = client.UploadSourceMap(ctx, rollbar.SourceMap{Version: string(r.Config.Revision), MinifiedURL: p.MinifiedURL,
					Name: filepath.Base(p.Path), Size: p.Size, Open: func() (io.ReadCloser, error) { return os.Open(p.Path) }})
				if errs[i] == nil {
					r.Out.Debugf("uploaded source map %s for %s", r.shownPath(p.Path), p.MinifiedURL)
				}
			}
		}()
	}
	sent := 0
	for ; sent < len(pairs) && ctx.Err() == nil; sent++ {
		select {
		case next <- sent:
		case <-ctx.Done():
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
			out[i].Error = "not uploaded: " + cmp.Or(context.Cause(ctx), ctx.Err()).Error()
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
		err = newPhaseError(ctx, fmt.Sprintf("uploading source maps: %d of %s uploaded, %d not", done, sourceMaps(len(pairs)), cut),
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
	if err := r.argID("update"); err != nil {
		return err
	}
	target, err := r.target()
	if err != nil {
		return err
	}
	if target.ID == 0 {
		if len(cfg.Saved) > 0 {
			s := cfg.Saved[0]
			return usagef("update: the saved deploy %d (from %s) is of environment %q, not %q: pass the deploy id", s.ID, s.Source, s.Environment, cfg.Environment)
		}
		return usagef("update needs a deploy id (deploy_id): rollbar-deploy update 45306460 --status succeeded")
	}
	return r.record(ctx, target)
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
