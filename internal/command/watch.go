package command

import (
	"context"

	"github.com/rollbar-deploy/rollbar-deploy/internal/pipeline"
)

// Watch gates the deployed revision on the new errors Rollbar sees in it.
type Watch struct{}

func (*Watch) Spec() *Spec {
	return &Spec{Name: "watch", Usage: "watch [flags]",
		Summary: "watch the deployed revision for new errors: exit 3 when it breaches the gate",
		Settings: append([]string{"environment", "revision", "watch_for", "watch_interval", "watch_levels", "max_new_items",
			"max_reactivated_items", "access_token", "read_access_token", "fail_on_error", "dotenv"}, common...),
		Extra: []Extra{jsonFlag}, tolerant: true}
}

func (*Watch) Run(ctx context.Context, r *Run) error {
	return usagef("watch is not built yet")
}

func (r *Run) watch(ctx context.Context, res pipeline.Result) error { return nil }
