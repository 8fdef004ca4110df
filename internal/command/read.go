package command

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

var readSettings = append([]config.Name{config.AccessToken, config.ReadAccessToken}, common...)

// Get shows one deploy.
type Get struct{}

func (*Get) Spec() *Spec {
	return &Spec{Name: "get", Usage: "get N|URL [flags]", Summary: "show one deploy (by id or by its Rollbar URL)",
		Settings: append([]config.Name{config.DeployID}, readSettings...), Extra: []Extra{jsonFlag}}
}

func (*Get) Run(ctx context.Context, r *Invocation) error {
	target, err := r.argID("get")
	if err != nil {
		return err
	}
	id := target.ID
	if id == 0 {
		return usagef("get needs a deploy id: rollbar-deploy get 45306460")
	}
	if err := requireReadToken(r.Config); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(r.Config.Timeout))
	defer cancel()
	d, err := r.Client().Get(ctx, id)
	if err != nil {
		return err
	}
	if r.JSON {
		r.printJSON(withURL(d))
		return nil
	}
	for _, row := range [][2]string{
		{"id", strconv.FormatInt(d.ID, 10)}, {"url", rollbar.DeployURL(d.ID)},
		{"environment", d.Environment}, {"revision", d.Revision}, {"status", d.Status},
		{"local_username", d.LocalUsername}, {"started", utc(d.StartTime)}, {"finished", utc(d.FinishTime)},
		{"comment", d.Comment},
	} {
		fmt.Fprintf(r.Out.stdout, "%-15s %s\n", row[0], text.OneLine(row[1]))
	}
	return nil
}

// argID is the deploy the user names: the command's argument, else the
// deploy_id setting. The argument is what was typed for this one command, so
// it wins over an id the job's environment holds (ROLLBAR_DEPLOY_ID, DEPLOY_ID),
// which is said. An empty argument ("$id" of a step that printed none) is
// an id not given.
func (r *Invocation) argID(command string) (handoff.Target, error) {
	cfg := r.Config
	setting := handoff.Target{ID: int64(cfg.DeployID), Source: cfg.Source(config.DeployID)}
	args := slices.DeleteFunc(slices.Clone(r.Args), func(a string) bool { return strings.TrimSpace(a) == "" })
	switch len(args) {
	case 0:
		return setting, nil
	case 1:
	default:
		return handoff.Target{}, usagef("%s takes one deploy id, got %d arguments", command, len(args))
	}
	id, err := rollbar.ParseDeployID(strings.TrimSpace(args[0]))
	if err != nil {
		return handoff.Target{}, usagef("%s needs a deploy id such as 45306460 or its URL, got %s", command, shown(args[0]))
	}
	if setting.ID != 0 && setting.ID != id {
		r.Out.Infof("%s %d: the deploy given as the argument, not deploy_id %d (from %s)",
			command, id, setting.ID, setting.Source)
	}
	return handoff.Target{ID: id, Source: "argument"}, nil
}

func requireReadToken(cfg *config.Config) error {
	if cfg.ReadToken() != "" {
		return nil
	}
	return &config.Error{Setting: "ROLLBAR_READ_ACCESS_TOKEN", Problem: "is not set",
		Fix: "reading deploys needs a project access token with the read scope " +
			"(or ROLLBAR_ACCESS_TOKEN, if it has both scopes)"}
}

type deployJSON struct {
	rollbar.Deploy
	URL string `json:"url"`
}

func withURL(d rollbar.Deploy) deployJSON { return deployJSON{d, rollbar.DeployURL(d.ID)} }

// List prints deploys newest first.
type List struct{}

func (*List) Spec() *Spec {
	return &Spec{Name: "list", Usage: "list [--page N] [--all] [--environment E] [--limit N] [flags]",
		Summary:  "list deploys, newest first",
		Settings: append([]config.Name{config.Environment}, readSettings...),
		Extra: []Extra{{Name: "page", Want: "the page to start at (20 deploys a page)"},
			{Name: "all", Want: "follow pages to the last", Bool: true},
			{Name: "limit", Want: "show at most N deploys, following pages"}, jsonFlag}}
}

// envPages bounds how far a list filtered by environment looks without
// --all or --limit: Rollbar cannot filter by environment, so a rare one could
// otherwise page through a whole project.
const envPages = 10

// Run prints one page or, with --all or a --limit beyond a page, follows
// pages until an empty one. With --environment it follows pages until it has
// a page's worth of that environment's deploys. Rows are written as they
// arrive, so memory stays flat however many deploys a project has.
func (*List) Run(ctx context.Context, r *Invocation) error {
	if len(r.Args) > 0 {
		return usagef("list takes no arguments, got %s", shown(r.Args[0]))
	}
	page, limit := 1, 0
	for _, f := range []struct {
		name string
		n    *int
	}{{"page", &page}, {"limit", &limit}} {
		name, p := f.name, f.n
		if v, ok := r.line.extra[name]; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return usagef("--%s needs a whole number, 1 or more, got %q", name, v)
			}
			*p = n
		}
	}
	if err := requireReadToken(r.Config); err != nil {
		return err
	}
	client := r.Client()
	env, all := r.Config.Environment, r.line.bool("all")
	if src := r.Config.Source(config.Environment); env != "" && src != "--"+config.Environment.Row().Flag() {
		// An environment the CI set (GitLab's CI_ENVIRONMENT_NAME) filters
		// too: an empty table must not look like a project without deploys.
		r.Out.Infof("listing the deploys of %s only, as %s sets it: --environment picks another, --ci none lists all",
			env, src)
	}
	want := limit
	if want == 0 && !all {
		want = 20
	}
	// A bigger page saves requests where rows are skipped or many are
	// wanted, the largest Rollbar serves for --all; an explicit --page keeps
	// Rollbar's page size, so that its number means what it does on Rollbar.
	size := 0
	if _, paged := r.line.extra["page"]; !paged && (env != "" || want > 20 || all) {
		size = 100
		if all || want > size {
			size = rollbar.MaxPage
		}
	}
	p := newPrinter(r.Out.stdout, r.JSON)
	for n := 0; ; n++ {
		deploys, err := r.listPage(ctx, client, page+n, size)
		if err != nil {
			p.abort()
			return err
		}
		for _, d := range deploys {
			if (env == "" || d.Environment == string(env)) && (want == 0 || p.count < want) {
				p.row(d)
			}
		}
		done := len(deploys) == 0 || want > 0 && p.count >= want || env == "" && limit == 0 && !all
		if !done && env != "" && !all && limit == 0 && n+1 == envPages {
			r.Out.Warnf("stopped after %d pages with %d deploys of %s: use --all to search every page", envPages, p.count, env)
			done = true
		}
		if done {
			break
		}
	}
	return p.close()
}

// listPage reads one page with a budget of its own, the timeout: a walk
// through many thousands of deploys is as long as its pages, and only a
// page that takes too long is out of time. A page too large to read (long
// comments) is read as the pages of 100 it spans.
func (r *Invocation) listPage(ctx context.Context, client *rollbar.Client, page, size int) ([]rollbar.Deploy, error) {
	pageCtx, cancel := context.WithTimeout(ctx, time.Duration(r.Config.Timeout))
	defer cancel()
	deploys, err := client.List(pageCtx, page, size)
	const small = 100
	if !rollbar.TooLarge(err) || size <= small || size%small != 0 {
		return deploys, err
	}
	deploys = nil
	for i := 1; i <= size/small; i++ {
		part, err := r.listPage(ctx, client, (page-1)*(size/small)+i, small)
		if err != nil {
			return nil, err
		}
		if deploys = append(deploys, part...); len(part) < small {
			break
		}
	}
	return deploys, nil
}

// printer streams deploys as a JSON array or as a table for people. The
// header (or the opening bracket) waits for the first page, so that a list
// that fails at once prints nothing a script could take for an empty result.
type printer struct {
	w       io.Writer
	json    bool
	started bool
	count   int
	enc     *json.Encoder
}

func newPrinter(w io.Writer, asJSON bool) *printer {
	return &printer{w: w, json: asJSON, enc: json.NewEncoder(w)}
}

var columns = []int{10, 16, 12, 9, 16, 16, 60}

func (p *printer) line(cells ...string) {
	var b strings.Builder
	for i, c := range cells {
		c = cell(c, columns[i])
		b.WriteString(c)
		if i < len(cells)-1 {
			b.WriteString(strings.Repeat(" ", columns[i]-text.Width(c)+2))
		}
	}
	fmt.Fprintln(p.w, strings.TrimRight(b.String(), " "))
}

func (p *printer) start() {
	if p.started {
		return
	}
	p.started = true
	if p.json {
		fmt.Fprint(p.w, "[")
	} else {
		p.line("ID", "ENVIRONMENT", "REVISION", "STATUS", "STARTED (UTC)", "USER", "COMMENT")
	}
}

func (p *printer) row(d rollbar.Deploy) {
	p.start()
	if p.json {
		if p.count > 0 {
			fmt.Fprint(p.w, ",")
		}
		_ = p.enc.Encode(withURL(d))
	} else {
		p.line(strconv.FormatInt(d.ID, 10), d.Environment, d.Revision, d.Status, when(d.StartTime),
			d.LocalUsername, d.Comment)
	}
	p.count++
}

func (p *printer) close() error {
	p.start()
	if p.json {
		_, err := fmt.Fprintln(p.w, "]")
		return err
	}
	return nil
}

// abort ends what was printed when a later page fails; the exit code tells
// the list is incomplete.
func (p *printer) abort() {
	if p.started {
		_ = p.close()
	}
}

// cell fits s on one line of at most n columns.
func cell(s string, n int) string { return text.Cut(text.OneLine(s), n) }

// utc is a time as get shows it ("-" when unset).
func utc(unix int64) string {
	if unix == 0 {
		return when(unix)
	}
	return when(unix) + " UTC"
}

func when(unix int64) string {
	if unix == 0 {
		return "-"
	}
	return time.Unix(unix, 0).UTC().Format("2006-01-02 15:04")
}
