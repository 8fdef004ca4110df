package command

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/deploy"
	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
	"github.com/rollbar-deploy/rollbar-deploy/internal/watch"
)

// Watch gates the deployed revision on the new errors Rollbar sees in it.
type Watch struct{}

func (*Watch) Spec() *Spec {
	return &Spec{Name: "watch", Usage: "watch [flags]",
		Summary: "watch the deployed revision for new errors: exit 3 when it breaches the gate",
		Settings: slices.Concat([]config.Name{config.Environment, config.Revision, config.DeployID, config.WatchFor},
			watchTuning, []config.Name{config.AccessToken, config.ReadAccessToken, config.FailOnError, config.Dotenv,
				config.CI, config.Verbose, config.APIURL}),
		Extra: []Extra{jsonFlag}, tolerant: true}
}

// watchTuning are the settings of a watch beside its window, watch_for.
var watchTuning = []config.Name{config.WatchInterval, config.WatchLevels, config.MaxNewItems,
	config.MaxReactivatedItems}

// defaultWatch is watch_for for the watch command; on a record, unset means
// no watch.
const defaultWatch = 10 * time.Minute

func (*Watch) Run(ctx context.Context, r *Invocation) error {
	cfg := r.Config
	if len(r.Args) > 0 {
		return usagef("watch takes no arguments, got %s", shown(r.Args[0]))
	}
	res := handoff.Result{DeployID: r.watchedID(), Environment: string(cfg.Environment), Revision: string(cfg.Revision)}
	if res.DeployID == 0 { // the deploy tells both
		if err := cfg.Require(config.Environment, config.Revision); err != nil {
			return err
		}
	}
	if err := requireReadToken(cfg); err != nil {
		return err
	}
	if cfg.WatchFor == 0 {
		cfg.WatchFor = config.Duration(defaultWatch)
	}
	report, err := r.watch(ctx, r.Client(), &res)
	if r.JSON && report != nil {
		r.printJSON(report)
	} else if res.Watch != nil {
		fmt.Fprintln(r.Out.stdout, res.Watch.Result)
	}
	if res.Watch != nil {
		var errs []error
		if r.Out.action != nil {
			errs = append(errs, handoff.GitHub{Getenv: r.Getenv}.PublishWatch(*res.Watch))
		}
		if cfg.Dotenv != "" {
			errs = append(errs, handoff.WriteWatchDotenv(r.Path(cfg.Dotenv), *res.Watch))
		}
		err = errors.Join(append(errs, err)...)
	}
	return err
}

// watchedID is the deploy the watch command judges, when it is named: the
// user's deploy id, else one an earlier step or job handed over for this
// environment, started or finished.
func (r *Invocation) watchedID() int64 {
	cfg := r.Config
	if cfg.DeployID != 0 {
		return int64(cfg.DeployID)
	}
	in, _ := handoff.Receive(r.jobEnv, string(cfg.Environment), handoff.Workspace{}) // the variables' alone cannot fail
	for _, s := range in.Saved {
		if s.Environment == string(cfg.Environment) {
			return s.ID
		}
	}
	if id, env := handoff.Handed(r.jobEnv); env == string(cfg.Environment) {
		return id
	}
	return 0
}

// watch runs the gate for the deploy just recorded (or named, or found),
// puts its verdict in res and returns the whole report. A breached gate is
// errGate (exit 3); an outage that lasted is the outage's error, which the
// failure policy judges.
func (r *Invocation) watch(ctx context.Context, client *rollbar.Client, res *handoff.Result) (*watch.Report, error) {
	cfg := r.Config
	gate := watch.Gate{For: time.Duration(cfg.WatchFor), Interval: time.Duration(cfg.WatchInterval),
		Levels: cfg.WatchLevels, MaxNew: int(cfg.MaxNewItems), MaxReactivated: int(cfg.MaxReactivatedItems),
		Transient: rollbar.Transient}
	judged, err := r.watchedDeploy(ctx, client, res) // may fill res in
	version := rollbar.CodeVersion(res.Revision)
	var report watch.Report
	switch {
	case err != nil: // no verdict, said as one, for the outputs a pipeline reads
		report = watch.Report{Gate: gate, Result: watch.Unavailable, Err: err, Interrupted: ctx.Err() != nil}
	case res.Environment == "" || res.Revision == "":
		return nil, &config.Error{Setting: string(config.Revision),
			Problem: "and environment are needed to watch a version", Fix: "set both"}
	default:
		gate.Since, gate.Deploy = time.Unix(judged.StartTime, 0), judged.ID
		if judged.ID == 0 {
			gate.Since = r.clock().Now().Add(-unrecordedLead)
		}
		r.Out.Infof("watching version %s of %s for %s (every %s): "+
			"fails on more than %d new or %d reactivated items at %s that occur from %s on",
			version, res.Environment, cfg.WatchFor, cfg.WatchInterval, cfg.MaxNewItems, cfg.MaxReactivatedItems,
			strings.Join(cfg.WatchLevels, ", "), gate.Since.UTC().Format(time.DateTime+" MST"))
		report, err = watch.Watch(ctx, gate, versions{client, version, res.Environment}, r.clock())
	}
	var text bytes.Buffer
	report.Text(&text)
	for _, line := range strings.Split(strings.TrimRight(text.String(), "\n"), "\n") {
		r.Out.Infof("%s", line)
	}
	var md bytes.Buffer
	report.Markdown(&md)
	res.Watch = &handoff.Watch{Result: string(report.Result), NewItems: report.New,
		ReactivatedItems: report.Reactivated, Summary: md.String()}
	switch {
	case err != nil:
		return &report, fmt.Errorf("watch: %w", err)
	case report.Result == watch.Failed:
		r.Out.Errorf("version %s of %s breached the gate: %d new and %d reactivated items",
			version, res.Environment, report.New, report.Reactivated)
		return &report, errGate
	case report.Result == watch.NoData:
		r.Out.Warnf("%s", watch.NoDataWarning(res.Revision, version))
	case report.Result == watch.Unavailable && report.Interrupted:
		return &report, context.Canceled
	case report.Result == watch.Unavailable:
		return &report, fmt.Errorf("watch: no verdict: %w", report.Err)
	}
	return &report, nil
}

// unrecordedLead is how long before the watch a deploy Rollbar has no record
// of is taken to have started: the watch follows the deploy, the
// application's clock (which stamps the occurrences) may differ from this
// one's, and an earlier deploy of the revision was replaced by another
// before it came back.
const unrecordedLead = time.Minute

// searchPages bounds the pages of newest deploys searched for the one a watch
// judges: Rollbar filters no environment.
const searchPages = 5

// watchedDeploy reads the deploy a watch judges, whose start is when the
// items that count begin: the one res names, else its environment's newest
// deploy when that is of its revision. It fills in what res lacks of the deploy. When
// none is found, or an outage hides it, the deploy is the zero Deploy, and
// only the items that occur from about the watch's start count
// (unrecordedLead): those of an earlier deploy of the revision must not fail
// this one (a rollback to it), and a deploy the watch follows at once shows
// its errors again within the window.
func (r *Invocation) watchedDeploy(ctx context.Context, client *rollbar.Client,
	res *handoff.Result) (rollbar.Deploy, error) {
	// As long as a poll may take: an outage must not hold the window up.
	ctx, cancel := context.WithTimeout(ctx, min(time.Duration(r.Config.Timeout), time.Duration(r.Config.WatchInterval)))
	defer cancel()
	hidden := func(err error, what string) (rollbar.Deploy, error) {
		if !rollbar.Transient(err) || ctx.Err() == context.Canceled {
			return rollbar.Deploy{}, err
		}
		r.Out.Warnf("cannot read %s (%v): only the items that occur from %s before now on count",
			what, err, unrecordedLead)
		return rollbar.Deploy{}, nil
	}
	if res.DeployID != 0 {
		d, err := client.Get(ctx, res.DeployID)
		if err != nil {
			return hidden(err, fmt.Sprintf("deploy %d, whose start the watch judges from", res.DeployID))
		}
		if (res.Environment != "" && d.Environment != res.Environment) ||
			(res.Revision != "" && d.Revision != res.Revision) {
			r.Out.Warnf("deploy %d is revision %s of %s, not %s of %s: watching the deploy, as its id (from %s) says",
				d.ID, d.Revision, d.Environment, res.Revision, res.Environment,
				cmp.Or(r.Config.Source(config.DeployID), "the record"))
		}
		res.Environment, res.Revision = d.Environment, d.Revision
		return d, nil
	}
	unjudged := func(why string) (rollbar.Deploy, error) {
		r.Out.Warnf("%s: only the items that occur from %s before now on count; record the deploy before watching it, "+
			"or give its id (deploy_id), to count its errors from its start", why, unrecordedLead)
		return rollbar.Deploy{}, nil
	}
	for page := 1; page <= searchPages; page++ {
		deploys, err := client.List(ctx, page, deploy.Recent)
		if err != nil {
			return hidden(err, "the newest deploys, to find the one to judge")
		}
		for _, d := range deploys {
			switch {
			case d.Environment != res.Environment:
			case d.Revision != res.Revision:
				// The revision came back after it without a record (a
				// rollback): its older deploy is not the one watched.
				return unjudged(fmt.Sprintf("the newest deploy of %s, %d, is of revision %s, not %s",
					d.Environment, d.ID, d.Revision, res.Revision))
			case d.StartTime > 0:
				r.Out.Infof("judging deploy %d of revision %s, the newest of %s", d.ID, d.Revision, d.Environment)
				res.DeployID = d.ID
				return d, nil
			}
		}
		if len(deploys) < deploy.Recent {
			break
		}
	}
	return unjudged(fmt.Sprintf("no deploy of %s among Rollbar's newest ones", res.Environment))
}

// versions is the Versions API of one revision in one environment.
type versions struct {
	c                    *rollbar.Client
	version, environment string
}

func (v versions) Stats(ctx context.Context) (watch.Stats, error) {
	got, err := v.c.Version(ctx, v.version, v.environment)
	if rollbar.UnknownVersion(err) {
		return watch.Stats{}, fmt.Errorf("%w: %w", watch.ErrUnknownVersion, err)
	}
	return watch.Stats{New: levels(got.ItemStats.New), Reactivated: levels(got.ItemStats.Reactivated),
		Reported: got.Reported()}, err
}

func levels(c rollbar.LevelCounts) watch.Levels {
	out := watch.Levels{}
	for _, l := range rollbar.Levels() {
		out[l] = c.Sum(l)
	}
	return out
}

func (v versions) Items(ctx context.Context, event string, levels []string, page int) ([]watch.Item, error) {
	items, err := v.c.VersionItems(ctx, v.version, v.environment, event, levels, page)
	if rollbar.UnknownVersion(err) {
		return nil, fmt.Errorf("%w: %w", watch.ErrUnknownVersion, err)
	}
	out := make([]watch.Item, len(items))
	for i, it := range items {
		out[i] = watch.Item{ID: it.ID, Counter: it.Counter, Title: it.Title, Level: it.Level, Status: it.Status,
			OccurrencesInVersion: it.OccurrencesInVersion, LastOccurrence: it.LastInVersionOccurrenceTimestamp}
	}
	return out, err
}

// clock is the run's clock, for watch's polls.
type clock struct{ now func() time.Time }

func (r *Invocation) clock() clock { return clock{r.Now} }

func (k clock) Now() time.Time {
	if k.now != nil {
		return k.now()
	}
	return time.Now()
}

func (clock) After(d time.Duration) <-chan time.Time { return time.After(d) }
