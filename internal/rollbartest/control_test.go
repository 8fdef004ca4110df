package rollbartest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decode decodes a control answer that must be a 200.
func decode[T any](t *testing.T, got reply) T {
	t.Helper()
	require.Equal(t, http.StatusOK, got.status, "body: %s", got.body)
	var v T
	require.NoError(t, json.Unmarshal(got.body, &v), "body: %s", got.body)
	return v
}

func TestControlFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		body        string
		wantStatus  int
		wantQueued  int
		wantMessage string
		wantAnswers []int // of the next GET /api/1/deploys calls
	}{
		{name: "one", body: `{"kind":"status","status":503}`, wantStatus: 200, wantQueued: 1, wantAnswers: []int{503, 200}},
		{name: "an array", body: `[{"status":502,"times":2},{"kind":"garbage","method":"GET","path":"/api/1/deploys"}]`,
			wantStatus: 200, wantQueued: 2, wantAnswers: []int{502, 502, 200, 200}},
		{name: "slow", body: `{"kind":"slow","delay":"10ms"}`, wantStatus: 200, wantQueued: 1, wantAnswers: []int{200}},
		{name: "unknown kind", body: `[{"status":503},{"kind":"boom"}]`, wantStatus: 400,
			wantMessage: `Invalid fault: unknown fault kind "boom"`, wantAnswers: []int{200}},
		{name: "bad status", body: `{"status":42}`, wantStatus: 400,
			wantMessage: "Invalid fault: fault status 42 is not between 200 and 599", wantAnswers: []int{200}},
		{name: "negative delay", body: `{"kind":"slow","delay":"-1s"}`, wantStatus: 400,
			wantMessage: "Invalid fault: fault delay is negative", wantAnswers: []int{200}},
		{name: "not JSON", body: `kind=cut`, wantStatus: 400, wantAnswers: []int{200}},
		{name: "delay without a unit", body: `{"kind":"slow","delay":"2"}`, wantStatus: 400, wantMessage: "Go duration", wantAnswers: []int{200}},
		{name: "delay as a number", body: `{"kind":"slow","delay":2}`, wantStatus: 400, wantMessage: "delay", wantAnswers: []int{200}},
		{name: "a typo", body: `{"kind":"slow","dealy":"2s"}`, wantStatus: 400, wantMessage: "dealy", wantAnswers: []int{200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			got := do(t, s.URL, req{method: http.MethodPost, path: "/_fake/faults", body: tt.body})
			require.Equal(t, tt.wantStatus, got.status, "body: %s", got.body)
			if tt.wantStatus == http.StatusOK {
				assert.Equal(t, map[string]int{"queued": tt.wantQueued}, decode[map[string]int](t, got))
			} else if tt.wantMessage != "" {
				assert.Contains(t, got.message(t), tt.wantMessage)
			}
			var answers []int
			for range tt.wantAnswers {
				answers = append(answers, do(t, s.URL, req{path: "/api/1/deploys", token: "read-token"}).status)
			}
			assert.Equal(t, tt.wantAnswers, answers)
		})
	}
}

func TestControlInspection(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, path := range []string{"/_fake/requests", "/_fake/deploys", "/_fake/sourcemaps/"} {
		got := do(t, s.URL, req{path: path})
		require.Equal(t, http.StatusOK, got.status)
		assert.Equal(t, "[]\n", string(got.body), "%s: empty lists are [], not null", path)
	}

	id := createDeploy(t, s.URL, map[string]any{"environment": "production", "revision": "abc",
		"rollbar_username": "brianr", "comment": "hi"})
	ct, body := multipartBody(part{name: "version", content: "abc"}, part{name: "minified_url", content: "https://x/app.js"},
		part{name: "source_map", filename: "app.js.map", content: `{"version":3}`}, part{name: "src/a.js", filename: "a.js", content: "a"})
	require.Equal(t, http.StatusOK, do(t, s.URL, req{method: http.MethodPost, path: "/api/1/sourcemap", token: "post-token",
		contentType: ct, body: body}).status)

	reqs := decode[[]Request](t, do(t, s.URL, req{path: "/_fake/requests"}))
	assert.Equal(t, s.Requests(), reqs, "requests survive the JSON round trip")
	require.Len(t, reqs, 2, "control requests are not recorded")
	assert.Equal(t, "/api/1/deploy", reqs[0].Path)
	assert.JSONEq(t, `{"environment":"production","revision":"abc","rollbar_username":"brianr","comment":"hi"}`, string(reqs[0].Body))

	got := do(t, s.URL, req{path: "/_fake/deploys"})
	assert.Contains(t, string(got.body), `"rollbar_username":"brianr"`)
	assert.Contains(t, string(got.body), `"local_username":null`)
	deploys := decode[[]Deploy](t, got)
	assert.Equal(t, s.Deploys(), deploys)
	require.Len(t, deploys, 1)
	assert.Equal(t, id, deploys[0].ID)

	got = do(t, s.URL, req{path: "/_fake/sourcemaps"})
	assert.Contains(t, string(got.body), `"source_map":"{\"version\":3}"`, "the map is text, not base64")
	assert.Equal(t, []SourceMapUpload{{Version: "abc", MinifiedURL: "https://x/app.js", SourceMap: []byte(`{"version":3}`),
		Sources: []string{"src/a.js"}}}, decode[[]SourceMapUpload](t, got))
}

func TestControlState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		method      string
		path        string // %d is the id of a started deploy
		wantStatus  int
		wantDeploys int // after the call; one started deploy exists before it
		wantStarted bool
	}{
		{name: "seed", method: "POST", path: "/_fake/seed?n=45&environment=staging", wantStatus: 200, wantDeploys: 46, wantStarted: true},
		{name: "seed zero", method: "POST", path: "/_fake/seed?n=0", wantStatus: 200, wantDeploys: 1, wantStarted: true},
		{name: "seed without n", method: "POST", path: "/_fake/seed", wantStatus: 400, wantDeploys: 1, wantStarted: true},
		{name: "seed too many", method: "POST", path: "/_fake/seed?n=100001", wantStatus: 400, wantDeploys: 1, wantStarted: true},
		{name: "reset", method: "POST", path: "/_fake/reset/", wantStatus: 200, wantDeploys: 0},
		{name: "time out", method: "POST", path: "/_fake/timeout/%d", wantStatus: 200, wantDeploys: 1},
		{name: "time out an unknown deploy", method: "POST", path: "/_fake/timeout/1%d", wantStatus: 404, wantDeploys: 1, wantStarted: true},
		{name: "time out nothing", method: "POST", path: "/_fake/timeout/", wantStatus: 404, wantDeploys: 1, wantStarted: true},
		{name: "wrong method", method: "GET", path: "/_fake/reset", wantStatus: 405, wantDeploys: 1, wantStarted: true},
		{name: "unknown", method: "POST", path: "/_fake/explode", wantStatus: 404, wantDeploys: 1, wantStarted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			id := createDeploy(t, s.URL, map[string]any{"environment": "production", "revision": "abc", "status": "started"})
			path := tt.path
			if n := len(path); n > 2 && path[n-2:] == "%d" {
				path = fmt.Sprintf(path, id)
			}
			got := do(t, s.URL, req{method: tt.method, path: path})
			require.Equal(t, tt.wantStatus, got.status, "body: %s", got.body)
			if tt.wantStatus != http.StatusOK {
				assert.NotEmpty(t, got.message(t))
			}
			deploys := s.Deploys()
			require.Len(t, deploys, tt.wantDeploys)
			if tt.wantDeploys > 0 {
				assert.Equal(t, tt.wantStarted, deploys[0].Status == "started", deploys[0].Status)
			}
			if tt.name == "seed" {
				assert.Equal(t, "staging", deploys[45].Environment)
			}
			if tt.name == "time out" {
				assert.Equal(t, "timed_out", decode[Deploy](t, got).Status)
			}
			if tt.name == "reset" {
				assert.Empty(t, s.Requests())
			}
		})
	}
}
