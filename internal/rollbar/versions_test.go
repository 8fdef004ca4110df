package rollbar

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

func TestVersions(t *testing.T) {
	t.Parallel()
	clock := rollbartest.NewClock(time.Unix(1_700_000_000, 0))
	srv := fake(t, rollbartest.WithClock(clock.Now))
	// A slash in the version: only escaped does it stay one path segment.
	srv.AddItem("feature/x", "production", rollbartest.Item{Title: "TypeError", Occurrences: 3}, -time.Hour)
	srv.AddItem("feature/x", "production", rollbartest.Item{Level: "critical", Event: "reactivated"}, time.Minute)
	srv.AddItem("feature/x", "production", rollbartest.Item{Level: "warning"}, 0)
	c, _ := newClient(t, srv, "post-token")
	c.ReadToken = "read-token"
	ctx := timeout(t, 5*time.Second)

	v, err := c.Version(ctx, "feature/x", "production")
	require.NoError(t, err)
	assert.Equal(t, "feature/x", v.Version)
	assert.Equal(t, 1, v.ItemStats.New.Sum("error", "critical"))
	assert.Equal(t, 0, v.ItemStats.Reactivated.Sum(Levels()...))
	assert.Equal(t, clock.Now().Add(-time.Hour).Unix(), v.FirstOccurrenceTimestamp)
	clock.Add(time.Minute)
	v, err = c.Version(ctx, "feature/x", "production")
	require.NoError(t, err)
	assert.Equal(t, LevelCounts{Critical: 1}, v.ItemStats.Reactivated)
	assert.Equal(t, 0, v.ItemStats.Reactivated.Sum("error", "fatal"))

	items, err := c.VersionItems(ctx, "feature/x", "production", "new", []string{"error", "critical"}, 1)
	require.NoError(t, err)
	require.Len(t, items, 1, "the levels asked for, together")
	assert.Equal(t, Item{ID: items[0].ID, Counter: 1, Title: "TypeError", Level: "error", Status: "active", Environment: "production",
		OccurrencesInVersion: 3, FirstInVersionOccurrenceID: items[0].FirstInVersionOccurrenceID,
		LastInVersionOccurrenceTimestamp: clock.Now().Add(-time.Hour - time.Minute).Unix()}, items[0])
	items, err = c.VersionItems(ctx, "feature/x", "production", "new", nil, 1)
	require.NoError(t, err)
	assert.Len(t, items, 2, "every level")
	items, err = c.VersionItems(ctx, "feature/x", "production", "new", nil, 2)
	require.NoError(t, err)
	assert.Empty(t, items, "past the last page")

	_, err = c.Version(ctx, "deadbeef", "production")
	assert.True(t, UnknownVersion(err), "%v", err)

	c.ReadToken = ""
	_, err = c.VersionItems(ctx, "feature/x", "production", "new", nil, 1)
	var api *APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, 403, api.Status, "a read call")
	assert.False(t, UnknownVersion(err))

	var it Item
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"level":50}`), &it))
	assert.Equal(t, "critical", it.Level, "Rollbar's numeric level")
}

// TestUnknownVersion tells Rollbar's 404 from another server's by the
// answer's structure: whatever the message says, or whether there is one.
func TestUnknownVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		unknown    bool
	}{
		{"Rollbar's JSON, a message without the word", `{"err":1,"message":"Not found."}`, true},
		{"Rollbar's JSON, no message", `{"err":1}`, true},
		{"a proxy's page that says version", `<html>404: version not found</html>`, false},
		{"JSON that is not Rollbar's", `{"error":"version not found"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			c := &Client{BaseURL: srv.URL, Token: "read-token"}
			_, err := c.Version(timeout(t, 5*time.Second), "abc", "production")
			assert.Equal(t, tt.unknown, UnknownVersion(err), "%v", err)
			if !tt.unknown {
				assert.Contains(t, Hint(err), "check api_url")
			}
		})
	}
}

func TestCodeVersion(t *testing.T) {
	t.Parallel()
	sha := "0123456789abcdef0123456789abcdef01234567"
	assert.Equal(t, sha, CodeVersion(sha))
	assert.Equal(t, sha, CodeVersion(sha+"-build7"))
	assert.Equal(t, "v1", CodeVersion("v1"))
	long := strings.Repeat("é", 41)
	assert.Equal(t, strings.Repeat("é", 40), CodeVersion(long), "characters, not bytes: no rune is cut")
}
