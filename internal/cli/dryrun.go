package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
)

// dryRun prints the request a record would send and where each value came
// from, and sends nothing.
func (r *run) dryRun() error {
	cfg := r.cfg
	method, path := "POST", "/api/1/deploy"
	var body any = r.newDeploy()
	if cfg.DeployID != 0 {
		method, path = "PATCH", fmt.Sprintf("/api/1/deploy/%d", cfg.DeployID)
		body = r.newUpdate()
	}
	provider := cfg.CI.Provider
	if provider == "" {
		provider = "none (plain CLI)"
	}
	values := cfg.Values()
	if r.inv.json {
		sources := map[string]config.Value{}
		for _, v := range values {
			if v.Source != "" {
				sources[v.Name] = v
			}
		}
		return json.NewEncoder(r.out.stdout).Encode(map[string]any{
			"dry_run": true, "provider": provider, "method": method, "url": cfg.APIURL + path,
			"body": body, "settings": sources,
		})
	}
	encoded, _ := json.Marshal(body)
	w := tabwriter.NewWriter(r.out.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Dry run: nothing is sent. CI provider: %s\n\n%s %s%s\n%s\n\n", provider, method, cfg.APIURL, path, encoded)
	fmt.Fprintln(w, "SETTING\tVALUE\tSOURCE")
	for _, v := range values {
		value, source := cell(v.Value, 60), v.Source
		if source == "" {
			value, source = "-", "not set"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", v.Name, value, source)
	}
	if cfg.Source("access_token") == "" {
		fmt.Fprintln(w, "\nA real run needs ROLLBAR_ACCESS_TOKEN (a post_server_item token).")
	}
	return w.Flush()
}
