package rollbar

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sethvargo/go-retry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

// fastBackoff keeps retry tests quick; what Rollbar asks for still wins.
func fastBackoff() retry.Backoff { return retry.NewConstant(5 * time.Millisecond) }

type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, format)
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func newClient(t *testing.T, srv *rollbartest.Server, token string) (*Client, *logs) {
	t.Helper()
	warnings := &logs{}
	return &Client{BaseURL: srv.URL, Token: token, UserAgent: "rollbar-deploy/test", Backoff: fastBackoff, Warnf: warnings.add}, warnings
}

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

var deploy = NewDeploy{Environment: "production", Revision: "0a1b2c", LocalUsername: "jane", Comment: "https://ci.example/run/1"}

func TestCreate(t *testing.T) {
	t.Parallel()
	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	c, _ := newClient(t, srv, "post-token")

	id, err := c.Create(timeout(t, 5*time.Second), deploy)
	require.NoError(t, err)

	deploys := srv.Deploys()
	require.Len(t, deploys, 1)
	assert.Equal(t, id, deploys[0].ID)
	assert.Equal(t, "production", deploys[0].Environment)
	assert.Equal(t, "0a1b2c", deploys[0].Revision)
	assert.Equal(t, "jane", deploys[0].LocalUsername)
	assert.Equal(t, "succeeded", deploys[0].Status)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "post-token", reqs[0].Header.Get("X-Rollbar-Access-Token"))
	assert.Equal(t, "rollbar-deploy/test", reqs[0].Header.Get("User-Agent"))
	assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	assert.Empty(t, reqs[0].RawQuery, "the token never goes in a URL")
}

func TestCreateFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		token     string
		faults    []rollbartest.Fault
		deploys   int    // recorded in the end
		requests  int    // POSTs sent
		warning   string // in the warnings, if any
		transient bool   // for a failing case: an outage?
		err       string
	}{
		{name: "two 503s then success", token: "post-token", deploys: 1, requests: 3,
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultStatus, Status: 503, Times: 2, Path: "/api/1/deploy"}}},
		{name: "connection cut before the answer", token: "post-token", deploys: 1, requests: 2,
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultCut}}},
		{name: "recorded then 502, token can read", token: "both-token", deploys: 1, requests: 1,
			faults:  []rollbartest.Fault{{Kind: rollbartest.FaultRecordThenStatus, Status: 502}},
			warning: "had recorded the deploy"},
		{name: "recorded then cut, token can read", token: "both-token", deploys: 1, requests: 1,
			faults:  []rollbartest.Fault{{Kind: rollbartest.FaultRecordThenCut}},
			warning: "had recorded the deploy"},
		{name: "recorded then 502, token cannot read: sent again, said so", token: "post-token", deploys: 2, requests: 2,
			faults:  []rollbartest.Fault{{Kind: rollbartest.FaultRecordThenStatus, Status: 502}},
			warning: "may record it twice"},
		{name: "401 is not retried", token: "bad-token", deploys: 0, requests: 1, err: "401 Unauthorized: invalid access token"},
		{name: "422 is not retried", token: "post-token", deploys: 0, requests: 1, err: "422",
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultStatus, Status: 422, Body: `{"err":1,"message":"Missing 'environment' key."}`}}},
		{name: "garbage 200 is an error, not retried", token: "post-token", deploys: 0, requests: 1, err: "not Rollbar's JSON",
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultGarbage}}},
		{name: "outage", token: "post-token", deploys: 0, transient: true, err: "503",
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultStatus, Status: 503, Times: 1000}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := rollbartest.NewServer()
			t.Cleanup(srv.Close)
			for _, f := range tt.faults {
				srv.Inject(f)
			}
			c, warnings := newClient(t, srv, tt.token)

			id, err := c.Create(timeout(t, time.Second), deploy)
			assert.Len(t, srv.Deploys(), tt.deploys)
			if tt.requests > 0 {
				assert.Equal(t, tt.requests, countMethod(srv, http.MethodPost))
			}
			if tt.warning != "" {
				assert.Contains(t, warnings.String(), tt.warning)
			}
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.Equal(t, tt.transient, Transient(err))
				assert.NotContains(t, err.Error(), srv.URL, "errors carry no URL")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, srv.Deploys()[len(srv.Deploys())-1].ID, id)
		})
	}
}

func countMethod(srv *rollbartest.Server, method string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == method {
			n++
		}
	}
	return n
}

func TestCreateWithoutIDIsAnError(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"data":{}}`))
	}))
	t.Cleanup(ts.Close)
	c := &Client{BaseURL: ts.URL, Token: "t"}
	_, err := c.Create(timeout(t, time.Second), deploy)
	var respErr *ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Contains(t, err.Error(), "no deploy id")
}

func TestRateLimitIsHonoured(t *testing.T) {
	t.Parallel()
	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultStatus, Status: 429,
		Header: map[string]string{"X-Rate-Limit-Remaining-Seconds": "1"}, Body: `{"err":1,"message":"rate limit"}`})
	c, _ := newClient(t, srv, "post-token")

	_, err := c.Create(timeout(t, 5*time.Second), deploy)
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.GreaterOrEqual(t, reqs[1].Time.Sub(reqs[0].Time), 900*time.Millisecond, "waited as Rollbar asked, not the 5ms backoff")
}

func TestWaitPastTheTimeoutGivesUpAtOnce(t *testing.T) {
	t.Parallel()
	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultStatus, Status: 429, Header: map[string]string{"Retry-After": "60"}})
	c, _ := newClient(t, srv, "post-token")

	start := time.Now()
	_, err := c.Create(timeout(t, 2*time.Second), deploy)
	require.Error(t, err)
	assert.Less(t, time.Since(start), time.Second, "no point waiting 60s with 2s left")
	assert.Contains(t, err.Error(), "429")
	assert.True(t, Transient(err))
}

func TestHangIsCutAtTheTimeout(t *testing.T) {
	t.Parallel()
	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultHang, Times: 100})
	c, _ := newClient(t, srv, "post-token")

	_, err := c.Create(timeout(t, 300*time.Millisecond), deploy)
	require.Error(t, err)
	assert.True(t, Transient(err))
	assert.Contains(t, err.Error(), "no answer before the timeout")
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	c, _ := newClient(t, srv, "post-token")
	ctx := timeout(t, 5*time.Second)

	started := deploy
	started.Status = "started"
	id, err := c.Create(ctx, started)
	require.NoError(t, err)

	d, err := c.Update(ctx, id, Update{Status: "succeeded"})
	require.NoError(t, err)
	assert.Equal(t, "succeeded", d.Status)
	assert.Equal(t, id, d.ID)

	_, err = c.Update(ctx, id, Update{Status: "failed"})
	var api *APIError
	require.ErrorAs(t, err, &api)
	assert.True(t, api.TimedOut(), "a finished deploy cannot be updated: %v", err)

	_, err = c.Update(ctx, 999, Update{Status: "failed"})
	require.ErrorAs(t, err, &api)
	assert.Equal(t, 404, api.Status)
	assert.Equal(t, "Deploy not found in this project.", api.Message)
	assert.Contains(t, api.Hint(), "another Rollbar project")
}

func TestGetAndList(t *testing.T) {
	t.Parallel()
	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	srv.Seed(45, "production")
	c, _ := newClient(t, srv, "post-token")
	c.ReadToken = "read-token"
	ctx := timeout(t, 5*time.Second)

	all := srv.Deploys()
	newest := all[len(all)-1]
	got, err := c.Get(ctx, newest.ID)
	require.NoError(t, err)
	assert.Equal(t, newest.ID, got.ID)
	assert.Equal(t, "production", got.Environment)

	var ids []int64
	for page := 1; ; page++ {
		deploys, err := c.List(ctx, page)
		require.NoError(t, err)
		if len(deploys) == 0 {
			assert.Equal(t, 4, page)
			break
		}
		for _, d := range deploys {
			ids = append(ids, d.ID)
		}
	}
	require.Len(t, ids, 45)
	assert.Equal(t, newest.ID, ids[0], "newest first")
	assert.Equal(t, all[0].ID, ids[44])

	for _, r := range srv.Requests() {
		assert.Equal(t, "read-token", r.Header.Get("X-Rollbar-Access-Token"), "reads use the read token")
	}
}

func TestReadWithPostOnlyToken(t *testing.T) {
	t.Parallel()
	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	c, _ := newClient(t, srv, "post-token")
	_, err := c.List(timeout(t, time.Second), 1)
	var api *APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, 403, api.Status)
	assert.Contains(t, api.Message, "insufficient privileges")
	assert.Contains(t, api.Hint(), "read")
}

func TestUploadSourceMap(t *testing.T) {
	t.Parallel()
	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	c, _ := newClient(t, srv, "post-token")
	err := c.UploadSourceMap(timeout(t, time.Second), SourceMap{Version: "abc", MinifiedURL: "https://example.com/app.min.js", Name: "app.min.js.map", Map: []byte(`{"version":3}`)})
	require.NoError(t, err)
	maps := srv.SourceMaps()
	require.Len(t, maps, 1)
	assert.Equal(t, "abc", maps[0].Version)
	assert.Equal(t, "https://example.com/app.min.js", maps[0].MinifiedURL)

	err = c.UploadSourceMap(timeout(t, time.Second), SourceMap{Version: "abc", MinifiedURL: "https://example.com/x.js", Name: "x.map", Map: []byte("not json")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "422")
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
	}{
		{"nothing", nil, 0},
		{"remaining seconds", map[string]string{"X-Rate-Limit-Remaining-Seconds": "55"}, 55 * time.Second},
		{"reset", map[string]string{"X-Rate-Limit-Reset": "1700000010"}, 10 * time.Second},
		{"reset in the past", map[string]string{"X-Rate-Limit-Reset": "1600000000"}, 0},
		{"retry-after seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"retry-after date", map[string]string{"Retry-After": now.Add(3 * time.Second).UTC().Format(http.TimeFormat)}, 3 * time.Second},
		{"Rollbar's own header first", map[string]string{"X-Rate-Limit-Remaining-Seconds": "2", "Retry-After": "9"}, 2 * time.Second},
		{"garbage", map[string]string{"Retry-After": "soon", "X-Rate-Limit-Remaining-Seconds": "-3"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			assert.Equal(t, tt.want, retryAfter(&http.Response{StatusCode: 429, Header: h}, now))
		})
	}
}

func TestNetworkErrorsReadWell(t *testing.T) {
	t.Parallel()
	c := &Client{BaseURL: "http://127.0.0.1:1", Token: "secret-token", Backoff: fastBackoff}
	_, err := c.Create(timeout(t, 200*time.Millisecond), deploy)
	require.Error(t, err)
	assert.True(t, Transient(err))
	assert.Contains(t, err.Error(), "record deploy: connection refused")
	assert.NotContains(t, err.Error(), "127.0.0.1:1", "no URL or Go-internal chain")
	assert.NotContains(t, err.Error(), "secret-token")
	assert.False(t, errors.Is(err, context.Canceled))
}

func TestRateLimitHeadersOnlyCountOn429(t *testing.T) {
	t.Parallel()
	h := http.Header{"X-Rate-Limit-Remaining-Seconds": {"55"}}
	assert.Zero(t, retryAfter(&http.Response{StatusCode: 503, Header: h}, time.Now()), "every answer carries them")
	h.Set("Retry-After", "3")
	assert.Equal(t, 3*time.Second, retryAfter(&http.Response{StatusCode: 503, Header: h}, time.Now()))
}
