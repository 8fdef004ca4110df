package rollbartest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRouting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path string
		wantStatus   int
		wantAllow    string
	}{
		{method: "GET", path: "/", wantStatus: 404},
		{method: "GET", path: "/api/1/item", wantStatus: 404},
		{method: "GET", path: "/api/1/deploy/45306460/extra", wantStatus: 404},
		{method: "GET", path: "/api/1/deploy//", wantStatus: 404},
		{method: "DELETE", path: "/api/1/deploy/45306460", wantStatus: 405, wantAllow: "GET, PATCH"},
		{method: "POST", path: "/api/1/deploy/45306460", wantStatus: 405, wantAllow: "GET, PATCH"},
		{method: "PUT", path: "/api/1/deploy/", wantStatus: 405, wantAllow: "POST"},
		{method: "POST", path: "/api/1/deploys", wantStatus: 405, wantAllow: "GET"},
		{method: "GET", path: "/api/1/sourcemap/", wantStatus: 405, wantAllow: "POST"},
		{method: "GET", path: "/api/1/versions/", wantStatus: 404},
		{method: "GET", path: "/api/1/versions/abc/occurrences", wantStatus: 404},
		{method: "POST", path: "/api/1/versions/abc/items/", wantStatus: 405, wantAllow: "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			got := do(t, s.URL, req{method: tt.method, path: tt.path, token: "both-token"})
			assert.Equal(t, tt.wantStatus, got.status)
			assert.Equal(t, tt.wantAllow, got.header.Get("Allow"))
			assert.NotEmpty(t, got.message(t))
		})
	}
}

// TestScopes: every endpoint checks the token before anything else, and
// answers a token without its scope with Rollbar's message.
func TestScopes(t *testing.T) {
	t.Parallel()
	endpoints := []struct {
		method, path string
		scope        Scope
	}{
		{"POST", "/api/1/deploy", ScopePost},
		{"PATCH", "/api/1/deploy/45306460", ScopePost},
		{"POST", "/api/1/sourcemap", ScopePost},
		{"GET", "/api/1/deploy/45306460", ScopeRead},
		{"GET", "/api/1/deploys", ScopeRead},
		{"GET", "/api/1/versions/abc?environment=p", ScopeRead},
		{"GET", "/api/1/versions/abc/items?environment=p&event=new", ScopeRead},
	}
	tokens := map[string][]Scope{"post-token": {ScopePost}, "read-token": {ScopeRead}, "both-token": {ScopePost, ScopeRead}}
	s := newServer(t)
	for _, ep := range endpoints {
		for token, scopes := range tokens {
			got := do(t, s.URL, req{method: ep.method, path: ep.path, token: token})
			if slices.Contains(scopes, ep.scope) {
				assert.NotEqual(t, http.StatusForbidden, got.status, "%s %s with %s", ep.method, ep.path, token)
				continue
			}
			assert.Equal(t, http.StatusForbidden, got.status, "%s %s with %s", ep.method, ep.path, token)
			assert.Equal(t, "insufficient privileges: this call needs a token with the '"+string(ep.scope)+"' scope", got.message(t))
		}
		for token, want := range map[string]string{"": "400 access token required", "revoked": "401 invalid access token"} {
			got := do(t, s.URL, req{method: ep.method, path: ep.path, token: token})
			assert.Equal(t, want, fmt.Sprint(got.status, " ", got.message(t)), "%s %s", ep.method, ep.path)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	const limit = 128 << 10
	// padded is a valid create body of exactly n bytes.
	padded := func(n int) string {
		head := `{"environment":"p","revision":"r","padding":"`
		return head + strings.Repeat("x", n-len(head)-2) + `"}`
	}
	tests := []struct {
		name       string
		path       string
		body       string
		chunked    bool  // no Content-Length, so the limit shows while reading
		size       int64 // a body of this many zeros, not held in memory
		wantStatus int
	}{
		{name: "at the limit", path: "/api/1/deploy", body: padded(limit), wantStatus: 200},
		{name: "over the limit", path: "/api/1/deploy", body: padded(limit + 1), wantStatus: 413},
		{name: "over the limit, chunked", path: "/api/1/deploy", body: padded(limit + 1), chunked: true, wantStatus: 413},
		{name: "a source map is not held to it", path: "/api/1/sourcemap", body: padded(limit + 1), wantStatus: 422},
		{name: "source map over its 64 MB", path: "/api/1/sourcemap", size: 64<<20 + 1, wantStatus: 413},
		{name: "control endpoint over its limit", path: "/_fake/faults", body: `[` + strings.Repeat(`{},`, 1<<20) + `{}]`, wantStatus: 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body)
			}
			if tt.size > 0 {
				body = io.LimitReader(zeros{}, tt.size)
			}
			hr, err := http.NewRequest(http.MethodPost, s.URL+tt.path, body)
			require.NoError(t, err)
			hr.ContentLength = max(hr.ContentLength, tt.size)
			hr.Header.Set("X-Rollbar-Access-Token", "post-token")
			hr.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(hr)
			require.NoError(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode, "body: %s", b)
			if tt.wantStatus == http.StatusRequestEntityTooLarge {
				assert.Contains(t, string(b), "too large")
				assert.Empty(t, s.Deploys())
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := newServer(t, WithClock(clock.Now))
	s.Inject(Fault{Path: "/api/1/sourcemap", Kind: FaultStatus, Status: 503})
	reset := strconv.FormatInt(clock.Now().Add(time.Minute).Unix(), 10)

	tests := []struct {
		name          string
		req           req
		wantRemaining string
		wantSeconds   string
	}{
		{name: "first call", req: req{path: "/api/1/deploys", token: "read-token"}, wantRemaining: "4999", wantSeconds: "60"},
		{name: "second call of the token", req: req{path: "/api/1/deploys", token: "read-token"}, wantRemaining: "4998", wantSeconds: "50"},
		{name: "another token has its own window", req: req{path: "/api/1/deploys", token: "post-token"}, wantRemaining: "4999", wantSeconds: "60"},
		{name: "unknown tokens share a window", req: req{path: "/api/1/deploys", token: "revoked"}, wantRemaining: "4999", wantSeconds: "60"},
		{name: "a 404", req: req{path: "/nowhere", token: "read-token"}, wantRemaining: "4997", wantSeconds: "50"},
		{name: "a fault", req: req{method: "POST", path: "/api/1/sourcemap", token: "read-token"}, wantRemaining: "4996", wantSeconds: "50"},
	}
	// Not parallel: each call counts against the ones before.
	for i, tt := range tests {
		if i == 1 {
			clock.Add(10 * time.Second)
		}
		got := do(t, s.URL, tt.req)
		assert.Equal(t, "5000", got.header.Get("X-Rate-Limit-Limit"), tt.name)
		assert.Equal(t, tt.wantRemaining, got.header.Get("X-Rate-Limit-Remaining"), tt.name)
		assert.Equal(t, tt.wantSeconds, got.header.Get("X-Rate-Limit-Remaining-Seconds"), tt.name)
		if i < 2 {
			assert.Equal(t, reset, got.header.Get("X-Rate-Limit-Reset"), tt.name)
		}
	}
}

func TestRateLimitExceeded(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := newServer(t, WithClock(clock.Now), WithRateLimit(2))
	statuses := func(token string, n int) []int {
		var got []int
		for range n {
			got = append(got, do(t, s.URL, req{path: "/api/1/deploys", token: token}).status)
		}
		return got
	}
	assert.Equal(t, []int{200, 200, 429}, statuses("read-token", 3))
	assert.Equal(t, []int{200}, statuses("both-token", 1), "limits are per token")
	last := do(t, s.URL, req{path: "/api/1/deploys", token: "read-token"})
	assert.Equal(t, "0", last.header.Get("X-Rate-Limit-Remaining"))
	assert.Equal(t, "2", last.header.Get("X-Rate-Limit-Limit"))
	assert.Equal(t, "Rate limit exceeded.", last.message(t))

	clock.Add(time.Minute)
	assert.Equal(t, []int{200}, statuses("read-token", 1), "a new window")
}

// TestOddInput feeds the handler malformed requests: none may panic or get
// a 5xx, and every answer is a Rollbar JSON error.
func TestOddInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, path, contentType, body string
	}{
		{"POST", "/api/1/deploy", "multipart/form-data", "--x\r\n"},
		{"POST", "/api/1/deploy", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data\r\n\r\nno end"},
		{"POST", "/api/1/deploy", "multipart/form-data; boundary=x", "--x\r\nbroken header\r\n\r\n"},
		{"POST", "/api/1/deploy", "text/plain; charset", "%zz=%"},
		{"POST", "/api/1/deploy", "application/json", `[1,2]`},
		{"POST", "/api/1/deploy", "application/json", `null`},
		{"POST", "/api/1/deploy", "application/json", `{"environment":null,"revision":{"a":1},"status":7}`},
		{"POST", "/api/1/deploy", "application/vnd.api+json", `"just a string"`},
		{"POST", "/api/1/deploy", "", "\xff\xfe\x00"},
		{"POST", "/api/1/sourcemap", "multipart/form-data; boundary=\"", "x"},
		{"PATCH", "/api/1/deploy/45306460", "application/json", `{"status":`},
		{"PATCH", "/api/1/deploy/-1", "application/json", `{}`},
		{"PATCH", "/api/1/deploy/99999999999999999999999", "application/json", `{}`},
		{"GET", "/api/1/deploy/%00", "", ""},
		{"GET", "/api/1/versions/a%00b/items?environment=p&event=new&page=-9", "", ""},
		{"POST", "/_fake/faults", "", `{"kind":"slow","delay":7}`},
		{"POST", "/_fake/faults", "", `[{"status":99}]`},
		{"POST", "/_fake/faults", "", ``},
		{"POST", "/_fake/seed?n=-1", "", ""},
		{"POST", "/_fake/timeout/x", "", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %q", tt.method, tt.path, tt.body), func(t *testing.T) {
			t.Parallel()
			h := NewHandler()
			r := httptest.NewRequest(tt.method, "http://fake"+tt.path, strings.NewReader(tt.body))
			r.Header.Set("X-Rollbar-Access-Token", "both-token")
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			w := httptest.NewRecorder()
			require.NotPanics(t, func() { h.ServeHTTP(w, r) })
			assert.Less(t, w.Code, 500)
			assert.GreaterOrEqual(t, w.Code, 400)
			var answer errorBody
			require.NoError(t, json.Unmarshal(w.Body.Bytes(), &answer), "body: %s", w.Body)
			assert.Equal(t, 1, answer.Err)
			assert.NotEmpty(t, answer.Message)
		})
	}
}
