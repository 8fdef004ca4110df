package command

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/pipeline"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
	"github.com/rollbar-deploy/rollbar-deploy/internal/watch"
)

// Watch gates the deployed revision on the new errors Rollbar sees in it.
type Watch struct{}

func (*Watch) Spec() *Spec {
	return &Spec{Name: "watch", Usage: "watch [flags]",
		Summary: "watch the deployed revision for new errors: exit 3 when it breaches the gate",
		Settings: slices.Concat([]string{"environment", "revision", "watch_for"}, watchTuning,
			[]string{"access_token", "read_access_token", "fail_on_error", "dotenv", "ci", "verbose", "api_url"}),
		Extra: []Extra{jsonFlag}, tolerant: true}
}

// watchTuning are the settings of a watch beside its window, watch_for.
var watchTuning = []string{"watch_interval", "watch_levels", "max_new_items", "max_reactivated_items"}

// defaultWatch is watch_for for the watch command; on a record, unset means
// no watch.
const defaultWatch = 10 * time.Minute

func (*Watch) Run(ctx context.Context, r *Invocation) error {
	cfg := r.Config
	if len(r.Args) > 0 {
		return usagef("watch takes no arguments, got %s", shown(r.Args[0]))
	}
	if err := cfg.Require("environment", "revision"); err != nil {
		return err
	}
	if err := requireReadToken(cfg); err != nil {
		return err
	}
	if cfg.WatchFor == 0 {
		cfg.WatchFor = config.Duration(defaultWatch)
	}
	res := pipeline.Result{Environment: string(cfg.Environment), Revision: string(cfg.Revision)}
	report, err := r.watch(ctx, r.Client(), &res)
	if r.JSON && report != nil {
		r.printJSON(report)
	} else if res.Watch != nil {
		fmt.Fprintln(r.Out.stdout, res.Watch.Result)
	}
	if res.Watch != nil {
		var errs []error
		if r.Out.action != nil {
			errs = append(errs, pipeline.GitHub{Getenv: r.Getenv}.PublishWatch(*res.Watch))
		}
		if cfg.Dotenv != "" {
			errs = append(errs, pipeline.WriteWatchDotenv(r.Path(cfg.Dotenv), *res.Watch))
		}
		err = errors.Join(append(errs, err)...)
	}
	return err
}

// watch runs the gate for the revision just recorded (or named), puts its
// verdict in res and returns the whole report. A breached gate is errGate
// (exit 3); an outage that lasted is the outage's error, which the failure
// policy judges.
func (r *Invocation) watch(ctx context.Context, client *rollbar.Client, res *pipeline.Result) (*watch.Report, error) {
	cfg := r.Config
	if res.Environment == "" || res.Revision == "" {
		return nil, &config.Error{Setting: "revision", Problem: "and environment are needed to watch a version", Fix: "set both"}
	}
	gate := watch.Gate{For: time.Duration(cfg.WatchFor), Interval: time.Duration(cfg.WatchInterval),
		Levels: cfg.WatchLevels,
		MaxNew: int(cfg.MaxNewItems), MaxReactivated: int(cfg.MaxReactivatedItems), Transient: rollbar.Transient}
	r.Out.Infof("watching version %s of %s for %s (every %s): fails on more than %d new or %d reactivated items at %s",
		res.Revision, res.Environment, cfg.WatchFor, cfg.WatchInterval, cfg.MaxNewItems, cfg.MaxReactivatedItems, strings.Join(cfg.WatchLevels, ", "))
	// Rollbar keeps the first 40 characters of an SDK's code_version.
	version := res.Revision[:min(len(res.Revision), 40)]
	report, err := watch.Watch(ctx, gate, versions{client, version, res.Environment}, clock{r.Now})
	var text bytes.Buffer
	report.Text(&text)
	for _, line := range strings.Split(strings.TrimRight(text.String(), "\n"), "\n") {
		r.Out.Infof("%s", line)
	}
	var md bytes.Buffer
	report.Markdown(&md)
	res.Watch = &pipeline.Watch{Result: string(report.Result), NewItems: report.New, ReactivatedItems: report.Reactivated, Summary: md.String()}
	switch {
	case err != nil:
		return &report, fmt.Errorf("watch: %w", err)
	case report.Result == watch.Failed:
		r.Out.Errorf("version %s of %s breached the gate: %d new and %d reactivated items", res.Revision, res.Environment, report.New, report.Reactivated)
		return &report, errGate
	case report.Result == watch.NoData:
		r.Out.Warnf("%s", watch.NoDataWarning(res.Revision))
	case report.Result == watch.Unavailable && report.Interrupted:
		return &report, context.Canceled
	case report.Result == watch.Unavailable:
		return &report, fmt.Errorf("watch: no verdict: %w", report.Err)
	}
	return &report, nil
}

// versions is the Versions API of one revision in one environment.
type versions struct {
	c                    *rollbar.Client
	version, environment string
}

func (v versions) Stats(ctx context.Context) (watch.Stats, error) {
	got, err := v.c.Version(ctx, v.version, v.environment)
	var api *rollbar.APIError
	if errors.As(err, &api) && api.IsUnknownVersion() {
		return watch.Stats{}, fmt.Errorf("%w: %w", watch.ErrUnknownVersion, err)
	}
	// Recording the deploy makes the version known to Rollbar; only an
	// occurrence shows the application reports it.
	if err == nil && got.FirstOccurrenceTimestamp == 0 {
		return watch.Stats{}, watch.ErrUnknownVersion
	}
	return watch.Stats{New: levels(got.ItemStats.New), Reactivated: levels(got.ItemStats.Reactivated)}, err
}

func levels(c rollbar.LevelCounts) watch.Levels {
	out := watch.Levels{}
	for _, l := range rollbar.Levels() {
		out[l] = c.Sum(l)
	}
	return out
}

func (v versions) Items(ctx context.Context, event, level string, page int) ([]watch.Item, error) {
	items, err := v.c.VersionItems(ctx, v.version, v.environment, event, level, page)
	out := make([]watch.Item, len(items))
	for i, it := range items {
		out[i] = watch.Item{ID: it.ID, Counter: it.Counter, Title: it.Title, Level: it.Level, Status: it.Status, OccurrencesInVersion: it.OccurrencesInVersion}
	}
	return out, err
}

// clock is the run's clock, for watch's polls.
type clock struct{ now func() time.Time }

func (k clock) Now() time.Time {
	if k.now != nil {
		return k.now()
	}
	return time.Now()
}

func (clock) After(d time.Duration) <-chan time.Time { return time.After(d) }
