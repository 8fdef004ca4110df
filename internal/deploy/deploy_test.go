package deploy

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

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
		land         bool   // a CI run, where the final status lands all the same
		want         string // the error; "" for success
		deploys      int    // deploys Rollbar has after
		warning      string // why the outcome was recorded anew
	}{
		{"started deploy is updated", nil, "started", "succeeded", false, false, "", 1, ""},
		{"timed out: the outcome is recorded in its place", nil, "started", "failed", true, true, "", 2, "Rollbar had timed deploy 45306460 out"},
		{"timed out, at a terminal: the correction cannot be made", nil, "started", "failed", true, false, "deploy 45306460 was timed out by Rollbar", 1, ""},
		{"already finished so: done", nil, "succeeded", "succeeded", false, false, "", 1, ""},
		{"already finished otherwise, at a terminal: both named", nil, "succeeded", "failed", false, false,
			"deploy 45306460 is already succeeded, so it cannot be set to failed", 1, ""},
		{"already finished otherwise, in a CI run: the outcome lands", nil, "failed", "succeeded", false, true, "", 2,
			"deploy 45306460 is already failed (finished by another step or run)"},
		{"timed out, restarted: the truth", nil, "started", "started", true, true, "deploy 45306460 was timed out by Rollbar", 1, ""},
		{"post-only token, at a terminal: nothing guessed", []rollbartest.Scope{rollbartest.ScopePost}, "started", "succeeded", true, false,
			"deploy 45306460 is no longer started, so Rollbar refuses to set it to succeeded", 1, ""},
		{"post-only token, in a CI run: the outcome lands", []rollbartest.Scope{rollbartest.ScopePost}, "started", "succeeded", true, true, "", 2,
			"deploy 45306460 is no longer started, and the token cannot read why"},
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
			d, err := x.Update(ctx, id, rollbar.Update{Status: tt.final}, rollbar.NewDeploy{Environment: "production", Revision: "abc", Comment: "pipeline 42"}, tt.land)
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
				require.Len(t, l, 1)
				assert.Contains(t, l[0], "warning: "+tt.warning)
				assert.Contains(t, l[0], "recorded deploy 45306461 with status "+tt.final+" in its place")
				assert.Equal(t, []string{"production", "abc", "pipeline 42"}, []string{d.Environment, d.Revision, deploys[1].Comment}, "the outcome keeps the deploy's fields")
				if tt.token == nil {
					again, err := x.Update(ctx, id, rollbar.Update{Status: tt.final}, rollbar.NewDeploy{}, true)
					require.NoError(t, err)
					assert.Equal(t, got, again.ID, "a rerun finds the deploy recorded in the refused one's place")
					assert.Len(t, fake.Deploys(), 2)
				}
			}
		})
	}
}
