package command

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/deploy"
	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
	"github.com/rollbar-deploy/rollbar-deploy/internal/sourcemaps"
	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

// request is one request a dry run shows.
type request struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	Body   any    `json:"body"`
	If     string `json:"if,omitempty"` // when it is sent only on a condition
}

// dryRun prints the requests a record would send and where each value came
// from, and sends nothing.
func (r *Invocation) dryRun(target handoff.Target, status rollbar.Status, pairs []sourcemaps.Pair) error {
	cfg := r.Config
	reqs := mapRequests(cfg, pairs)
	if target.ID != 0 {
		reqs = append(reqs, request{
			Method: "PATCH", URL: fmt.Sprintf("%s/api/1/deploy/%d", cfg.APIURL, target.ID), Body: r.newUpdate(status),
		})
	} else {
		create := request{Method: "POST", URL: string(cfg.APIURL) + "/api/1/deploy", Body: r.newDeploy(status)}
		if cfg.CI.SkipsUnchanged() {
			reqs = append(reqs, request{
				Method: "GET", URL: fmt.Sprintf("%s/api/1/deploys?limit=%d&page=1", cfg.APIURL, deploy.Recent),
			})
			create.If = "the token cannot read, or the newest deploy of " + string(cfg.Environment) +
				" has another revision or did not succeed: a release without new code is not recorded"
		}
		reqs = append(reqs, create)
	}
	settings := deploySettings
	if cfg.WatchFor == 0 {
		settings = slices.DeleteFunc(slices.Clone(settings),
			func(s config.Name) bool { return slices.Contains(watchTuning, s) })
	}
	values := cfg.Values(settings...)
	for i, v := range values {
		if v.Name == config.DeployID && target.ID != 0 { // the user's, or an id an earlier step saved
			values[i].Value, values[i].Source = strconv.FormatInt(target.ID, 10), target.Source
		}
	}
	return r.showDryRun(reqs, values)
}

func mapRequests(cfg *config.Config, pairs []sourcemaps.Pair) []request {
	var reqs []request
	for _, p := range pairs {
		reqs = append(reqs, request{Method: "POST", URL: string(cfg.APIURL) + "/api/1/sourcemap", Body: map[string]string{
			"version": string(cfg.Revision), "minified_url": p.MinifiedURL, "source_map": p.Path}})
	}
	return reqs
}

func (r *Invocation) showDryRun(reqs []request, values []config.Value) error {
	cfg := r.Config
	provider := cfg.CI.Provider
	if provider == "" {
		provider = "none (plain CLI)"
	}
	if r.JSON {
		sources := map[config.Name]config.Value{}
		for _, v := range values {
			if v.Source != "" {
				sources[v.Name] = v
			}
		}
		r.printJSON(map[string]any{"dry_run": true, "provider": provider, "requests": reqs, "settings": sources,
			"branch": cfg.CI.Branch.Value, "repository": cfg.CI.Repository.Value})
		return nil
	}
	w := tabwriter.NewWriter(r.Out.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Dry run: nothing is sent. CI provider: %s\n", provider)
	for _, f := range []struct{ name, value, source string }{
		{"branch", cfg.CI.Branch.Value, cfg.CI.Branch.Source},
		{"repository", cfg.CI.Repository.Value, cfg.CI.Repository.Source},
	} {
		if f.value != "" {
			fmt.Fprintf(w, "%s: %s (%s)\n", f.name, text.OneLine(f.value), f.source)
		}
	}
	for _, req := range reqs {
		fmt.Fprintf(w, "\n%s %s\n", req.Method, req.URL)
		if req.Body != nil {
			body, _ := json.Marshal(req.Body)
			fmt.Fprintf(w, "%s\n", body)
		}
		if req.If != "" {
			fmt.Fprintf(w, "(only if %s)\n", req.If)
		}
	}
	fmt.Fprintln(w, "\nSETTING\tVALUE\tSOURCE")
	for _, v := range values {
		value, source := cell(v.Value, 60), v.Source
		if source == "" {
			value, source = "-", "not set"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", v.Name, value, source)
	}
	if cfg.Source(config.AccessToken) == "" {
		fmt.Fprintln(w, "\nA real run needs ROLLBAR_ACCESS_TOKEN (a post_server_item token).")
	}
	return w.Flush()
}
