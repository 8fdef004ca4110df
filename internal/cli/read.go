package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// get shows one deploy.
func (r *run) get(ctx context.Context) error {
	id := r.cfg.DeployID
	switch len(r.inv.args) {
	case 0:
	case 1:
		n, err := strconv.ParseInt(r.inv.args[0], 10, 64)
		if err != nil || n <= 0 {
			return &usageError{msg: fmt.Sprintf("get needs a numeric deploy id, got %q", r.inv.args[0])}
		}
		id = n
	default:
		return &usageError{msg: "get takes one deploy id"}
	}
	if id == 0 {
		return &usageError{msg: "get needs a deploy id: rollbar-deploy get 45306460"}
	}
	if err := r.requireReadToken(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	d, err := r.client().Get(ctx, id)
	if err != nil {
		return err
	}
	if r.inv.json {
		return json.NewEncoder(r.out.stdout).Encode(withURL(d))
	}
	w := r.out.stdout
	for _, row := range [][2]string{
		{"id", strconv.FormatInt(d.ID, 10)}, {"url", rollbar.DeployURL(d.ID)},
		{"environment", d.Environment}, {"revision", d.Revision}, {"status", d.Status},
		{"local_username", d.LocalUsername}, {"started", when(d.StartTime)}, {"finished", when(d.FinishTime)},
		{"comment", d.Comment},
	} {
		fmt.Fprintf(w, "%-15s %s\n", row[0], row[1])
	}
	return nil
}

func (r *run) requireReadToken() error {
	if r.cfg.ReadAccessToken != "" || r.cfg.AccessToken != "" {
		return nil
	}
	return &config.Error{Setting: "ROLLBAR_READ_ACCESS_TOKEN", Problem: "is not set",
		Fix: "get and list need a project access token with the read scope (or ROLLBAR_ACCESS_TOKEN, if it has both scopes)"}
}

type deployJSON struct {
	rollbar.Deploy
	URL string `json:"url"`
}

func withURL(d rollbar.Deploy) deployJSON { return deployJSON{d, rollbar.DeployURL(d.ID)} }

// list prints deploys newest first, one page or, with --all or a --limit
// beyond a page, following pages until an empty one. Rows are written as they
// arrive, so memory stays flat however many deploys a project has.
func (r *run) list(ctx context.Context) error {
	if len(r.inv.args) > 0 {
		return &usageError{msg: fmt.Sprintf("list takes no arguments, got %q", r.inv.args[0])}
	}
	if err := r.requireReadToken(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	client := r.client()
	env, limit := r.cfg.Environment, r.inv.limit
	p := newPrinter(r.out.stdout, r.inv.json)
	shown := 0
	for page := r.inv.page; ; page++ {
		deploys, err := client.List(ctx, page, 0)
		if err != nil {
			p.abort()
			return err
		}
		for _, d := range deploys {
			if env != "" && d.Environment != env {
				continue
			}
			if limit > 0 && shown == limit {
				break
			}
			p.row(d)
			shown++
		}
		more := r.inv.all || limit > 0 && shown < limit
		if len(deploys) == 0 || !more || limit > 0 && shown == limit {
			break
		}
	}
	return p.close()
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

func (p *printer) start() {
	if p.started {
		return
	}
	p.started = true
	if p.json {
		fmt.Fprint(p.w, "[")
	} else {
		fmt.Fprintf(p.w, "%-10s  %-16s  %-12s  %-9s  %-16s  %-16s  %s\n", "ID", "ENVIRONMENT", "REVISION", "STATUS", "STARTED (UTC)", "USER", "COMMENT")
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
		fmt.Fprintf(p.w, "%-10d  %-16s  %-12s  %-9s  %-16s  %-16s  %s\n", d.ID, cell(d.Environment, 16), cell(d.Revision, 12),
			d.Status, when(d.StartTime), cell(d.LocalUsername, 16), cell(d.Comment, 60))
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

// cell fits s on one line of at most n characters.
func cell(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func when(unix int64) string {
	if unix == 0 {
		return "-"
	}
	return time.Unix(unix, 0).UTC().Format("2006-01-02 15:04")
}
