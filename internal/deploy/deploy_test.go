package deploy

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

func TestChoose(t *testing.T) {
	t.Parallel()
	staging := config.Saved{ID: 7, Environment: "staging", Source: "ROLLBAR_DEPLOY_ID"}
	file := config.Saved{ID: 9, Source: ".rollbar-deploy-id"}
	tests := []struct {
		name   string
		user   Target
		status rollbar.Status
		env    string
		saved  []config.Saved
		want   Target
	}{
		{"the user's id always updates", Target{ID: 5, Source: "--deploy-id"}, rollbar.Started, "production", []config.Saved{staging}, Target{ID: 5, Source: "--deploy-id"}},
		{"a saved id finishes its environment", Target{}, rollbar.Succeeded, "staging", []config.Saved{staging}, Target{ID: 7, Source: "ROLLBAR_DEPLOY_ID"}},
		{"a saved id is not another environment's", Target{}, rollbar.Succeeded, "production", []config.Saved{staging}, Target{}},
		{"a started record is always new", Target{}, rollbar.Started, "staging", []config.Saved{staging}, Target{}},
		{"a step naming no environment takes the saved one", Target{}, rollbar.Failed, "", []config.Saved{staging}, Target{ID: 7, Source: "ROLLBAR_DEPLOY_ID"}},
		{"an old id file names no environment", Target{}, rollbar.Succeeded, "production", []config.Saved{{}, file}, Target{ID: 9, Source: ".rollbar-deploy-id"}},
		{"nothing saved", Target{}, rollbar.Succeeded, "production", []config.Saved{{}}, Target{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Choose(tt.user, tt.status, tt.env, tt.saved...))
		})
	}
}

type log []string

func (l *log) Infof(f string, a ...any) { *l = append(*l, "info: "+fmt.Sprintf(f, a...)) }
func (l *log) Warnf(f string, a ...any) { *l = append(*l, "warning: "+fmt.Sprintf(f, a...)) }

// TestUpdateNotStarted: what an update of a deploy that is no longer started
// does, by what Rollbar says of it and whether the token can read.
func TestUpdateNotStarted(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		token        []rollbartest.Scope
		first, final string // the deploy's status after its first record; the update's
		timeOut      bool
		want         string // the error; "" for success
		deploys      int    // deploys Rollbar has after
	}{
		{"started deploy is updated", nil, "started", "succeeded", false, "", 1},
		{"timed out: the outcome is recorded in its place", nil, "started", "failed", true, "", 2},
		{"already finished so: done", nil, "succeeded", "succeeded", false, "", 1},
		{"already finished otherwise: both named", nil, "succeeded", "failed", false, "deploy 45306460 is already succeeded, so it cannot be set to failed", 1},
		{"timed out, restarted: the truth", nil, "started", "started", true, "deploy 45306460 was timed out by Rollbar", 1},
		{"post-only token: nothing guessed", []rollbartest.Scope{rollbartest.ScopePost}, "started", "succeeded", true,
			"deploy 45306460 is no longer started, so Rollbar refuses to set it to succeeded", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := rollbartest.NewServer()
			defer fake.Close()
			scopes := tt.token
			if scopes == nil {
				scopes = []rollbartest.Scope{rollbartest.ScopePost, rollbartest.ScopeRead}
			}
			fake.AddToken("tok", scopes...)
			fake.AddToken("admin", rollbartest.ScopePost)
			ctx := context.Background()
			admin := &rollbar.Client{BaseURL: fake.URL, Token: "admin"}
			id, err := admin.Create(ctx, rollbar.NewDeploy{Environment: "production", Revision: "abc", Status: tt.first, Comment: "pipeline 42"})
			require.NoError(t, err)
			if tt.timeOut {
				require.True(t, fake.TimeOut(id))
			}
			var l log
			x := Deployer{Client: &rollbar.Client{BaseURL: fake.URL, Token: "tok"}, Log: &l}
			d, err := x.Update(ctx, id, rollbar.Update{Status: tt.final}, rollbar.NewDeploy{Status: tt.final})
			got := d.ID
			if tt.want != "" {
				assert.ErrorContains(t, err, tt.want)
				var ns *NotStartedError
				assert.ErrorAs(t, err, &ns)
			} else {
				require.NoError(t, err)
				assert.NotZero(t, got)
			}
			deploys := fake.Deploys()
			assert.Len(t, deploys, tt.deploys)
			if tt.deploys == 2 {
				assert.Equal(t, got, deploys[1].ID)
				assert.Equal(t, []string{"production", "abc", tt.final}, []string{deploys[1].Environment, deploys[1].Revision, deploys[1].Status})
				assert.Contains(t, l[0], "recorded deploy 45306461 with status failed in its place")
				assert.Equal(t, []string{"production", "abc", "pipeline 42"}, []string{d.Environment, d.Revision, deploys[1].Comment}, "the outcome keeps the deploy's fields")
				again, err := x.Update(ctx, id, rollbar.Update{Status: tt.final}, rollbar.NewDeploy{})
				require.NoError(t, err)
				assert.Equal(t, got, again.ID, "a rerun finds the deploy recorded in the timed-out one's place")
				assert.Len(t, fake.Deploys(), 2)
			}
		})
	}
}
