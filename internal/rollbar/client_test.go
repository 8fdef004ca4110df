package rollbar

import (
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
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

// fake starts a fake Rollbar that is closed when the test ends.
func fake(t *testing.T, opts ...rollbartest.Option) *rollbartest.Server {
	srv := rollbartest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

var deploy = NewDeploy{Environment: "production", Revision: "0a1b2c", LocalUsername: "jane", Comment: "https://ci.example/run/1"}

func TestCreate(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	c, _ := newClient(t, srv, "post-token")

	id, err := c.Create(timeout(t, 5*time.Second), deploy)
	require.NoError(t, err)

	d := srv.Deploys()[0]
	assert.Equal(t, []any{id, "production", "0a1b2c", "jane", "https://ci.example/run/1", "succeeded"},
		[]any{d.ID, d.Environment, d.Revision, d.LocalUsername, d.Comment, d.Status})
	r := srv.Requests()[0]
	assert.Equal(t, []string{"post-token", "rollbar-deploy/test", "application/json", ""},
		[]string{r.Header.Get("X-Rollbar-Access-Token"), r.Header.Get("User-Agent"), r.Header.Get("Content-Type"), r.RawQuery}, "the token never goes in a URL")
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
		shared    bool // another job may record a deploy of the same fields
	}{
		{name: "two 503s then success", token: "post-token", deploys: 1, requests: 3,
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultStatus, Status: 503, Times: 2, Path: "/api/1/deploy"}}},
		{name: "connection cut before the answer", token: "post-token", deploys: 1, requests: 2,
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultCut}}},
		{name: "recorded then 502, token can read", token: "both-token", deploys: 1, requests: 1,
			faults:  []rollbartest.Fault{{Kind: rollbartest.FaultRecordThenStatus, Status: 502}},
			warning: "had recorded the deploy"},
		{name: "recorded then 502, another job's may look the same", token: "both-token", deploys: 2, requests: 2, shared: true,
			faults:  []rollbartest.Fault{{Kind: rollbartest.FaultRecordThenStatus, Status: 502}},
			warning: "may be another job's of this run (nothing in its fields names this job): sending it again, which may record it twice"},
		{name: "recorded then cut, token can read", token: "both-token", deploys: 1, requests: 1,
			faults:  []rollbartest.Fault{{Kind: rollbartest.FaultRecordThenCut}},
			warning: "had recorded the deploy"},
		{name: "cut, and the check hangs: the check leaves the create its time", token: "both-token", deploys: 1, requests: 2,
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultCut, Method: http.MethodPost},
				{Kind: rollbartest.FaultHang, Path: "/api/1/deploys", Times: 100}},
			warning: "cannot check whether the deploy was already recorded"},
		{name: "401 is not retried", token: "bad-token", deploys: 0, requests: 1, err: "401 Unauthorized: invalid access token"},
		{name: "422 is not retried", token: "post-token", deploys: 0, requests: 1, err: "422",
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultStatus, Status: 422, Body: `{"err":1,"message":"Missing 'environment' key."}`}}},
		{name: "garbage 200 is an error, not retried", token: "post-token", deploys: 0, requests: 1, err: "not Rollbar's JSON",
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultGarbage}}},
		{name: "a 2xx without an id", token: "post-token", deploys: 0, requests: 1, err: "no valid deploy id",
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultGarbage, Body: `{"data":{}}`}}},
		{name: "outage", token: "post-token", deploys: 0, transient: true, err: "503",
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultStatus, Status: 503, Times: 1000}}},
		{name: "a hang is cut at the timeout", token: "post-token", deploys: 0, transient: true, err: "no answer before the timeout",
			faults: []rollbartest.Fault{{Kind: rollbartest.FaultHang, Times: 100}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fake(t)
			for _, f := range tt.faults {
				srv.Inject(f)
			}
			c, warnings := newClient(t, srv, tt.token)
			c.SharedFields = tt.shared

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

// TestCreateStringID: an answer whose id is a string of digits is taken.
func TestCreateStringID(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]int64{`{"data":{"deploy_id":"12"}}`: 12, `{"data":{"deploy_id":12}}`: 12,
		`{"data":{"deploy_id":"12a"}}`: 0, `{"data":{"deploy_id":""}}`: 0, `{"data":{"deploy_id":true}}`: 0} {
		srv := fake(t)
		srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultGarbage, Body: body})
		c, _ := newClient(t, srv, "post-token")
		id, err := c.Create(timeout(t, time.Second), deploy)
		assert.Equal(t, want, id, body)
		if want == 0 {
			assert.ErrorContains(t, err, "record deploy", body)
		}
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

// TestReadFixNamedOnce: a token that cannot check for a duplicate is told
// the fix once per Client, and not made to try again.
// TestReadStringID: a deploy read back with its id in a string of digits is
// that deploy, in get, list and so in the check after a lost answer.
func TestReadStringID(t *testing.T) {
	t.Parallel()
	const deploy = `{"id":"45306460","environment":"production","revision":"0a1b2c","status":"succeeded"}`
	srv := fake(t)
	srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultGarbage, Method: http.MethodGet, Body: `{"err":0,"result":` + deploy + `}`})
	srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultGarbage, Method: http.MethodGet,
		Body: `{"err":0,"result":{"deploys":[` + deploy + `],"page":1}}`})
	srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultGarbage, Method: http.MethodGet, Body: `{"err":0,"result":{"id":"4530646x"}}`})
	c, _ := newClient(t, srv, "read-token")
	got, err := c.Get(timeout(t, time.Second), 45306460)
	require.NoError(t, err)
	assert.Equal(t, Deploy{ID: 45306460, Environment: "production", Revision: "0a1b2c", Status: "succeeded"}, got)
	list, err := c.List(timeout(t, time.Second), 1, 20)
	require.NoError(t, err)
	assert.Equal(t, []Deploy{got}, list)
	_, err = c.Get(timeout(t, time.Second), 45306460)
	assert.ErrorContains(t, err, `result.id is a value that is no number ("\"4530646x\"")`)
}

func TestReadFixNamedOnce(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	c, warnings := newClient(t, srv, "post-token")
	for range 2 { // each call with an answer lost
		srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultRecordThenStatus, Status: 502, Path: "/api/1/deploy"})
		_, err := c.Create(timeout(t, 5*time.Second), deploy)
		require.NoError(t, err)
	}
	assert.Len(t, srv.Deploys(), 4, "without a read scope, each retry records again")
	assert.Equal(t, 1, countMethod(srv, http.MethodGet), "the check is not tried again")
	require.Len(t, warnings.lines, 1, warnings)
	assert.Contains(t, warnings.lines[0], "set read_access_token (ROLLBAR_READ_ACCESS_TOKEN) to a read-scope token")
}

func TestRateLimitIsHonoured(t *testing.T) {
	t.Parallel()
	srv := fake(t)
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
	srv := fake(t)
	srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultStatus, Status: 429, Header: map[string]string{"Retry-After": "60"}})
	c, _ := newClient(t, srv, "post-token")

	start := time.Now()
	_, err := c.Create(timeout(t, 2*time.Second), deploy)
	require.Error(t, err)
	assert.Less(t, time.Since(start), time.Second, "no point waiting 60s with 2s left")
	assert.Contains(t, err.Error(), "429")
	assert.True(t, Transient(err))
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	srv := fake(t)
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
	assert.True(t, api.NotStarted(), "a finished deploy cannot be updated: %v", err)
	assert.Equal(t, 409, api.Status)
	assert.Contains(t, api.Hint(), "no longer started")

	_, err = c.Update(ctx, 999, Update{Status: "failed"})
	require.ErrorAs(t, err, &api)
	assert.Equal(t, 404, api.Status)
	assert.Equal(t, "Deploy not found in this project.", api.Message)
	assert.Contains(t, api.Hint(), "another Rollbar project")
}

func TestGetAndList(t *testing.T) {
	t.Parallel()
	srv := fake(t)
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
		deploys, err := c.List(ctx, page, 0)
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
	deploys, err := c.List(ctx, 2, 40)
	require.NoError(t, err)
	assert.Equal(t, []int64{all[4].ID, all[0].ID}, []int64{deploys[0].ID, deploys[4].ID})
	assert.Equal(t, "limit=40&page=2", srv.Requests()[len(srv.Requests())-1].RawQuery)
	assert.Equal(t, "page=1", srv.Requests()[1].RawQuery, "no limit unless asked")

	for _, r := range srv.Requests() {
		assert.Equal(t, "read-token", r.Header.Get("X-Rollbar-Access-Token"), "reads use the read token")
	}
}

func TestUploadSourceMap(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	c, _ := newClient(t, srv, "post-token")
	opened := 0
	sourceMap := func(url, data string) SourceMap {
		return SourceMap{Version: "abc", MinifiedURL: url, Name: "app.min.js.map", Size: int64(len(data)),
			Open: func() (io.ReadCloser, error) { opened++; return io.NopCloser(strings.NewReader(data)), nil }}
	}
	// A retry sends the whole map again, from a file opened again.
	srv.Inject(rollbartest.Fault{Status: 503})
	err := c.UploadSourceMap(timeout(t, 5*time.Second), sourceMap("https://example.com/app.min.js", `{"version":3}`))
	require.NoError(t, err)
	assert.Equal(t, 2, opened)
	maps := srv.SourceMaps()
	require.Len(t, maps, 1)
	assert.Equal(t, "abc", maps[0].Version)
	assert.Equal(t, "https://example.com/app.min.js", maps[0].MinifiedURL)
	assert.JSONEq(t, `{"version":3}`, string(maps[0].SourceMap))

	err = c.UploadSourceMap(timeout(t, time.Second), sourceMap("https://example.com/x.js", "not json"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "422")
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name   string
		status int // 429 when 0
		header map[string]string
		want   time.Duration
	}{
		{"nothing", 0, nil, 0},
		{"rate-limit headers come with every answer: only a 429 counts them", 503, map[string]string{"X-Rate-Limit-Remaining-Seconds": "55"}, 0},
		{"a 5xx may ask", 503, map[string]string{"X-Rate-Limit-Remaining-Seconds": "55", "Retry-After": "3"}, 3 * time.Second},
		{"remaining seconds", 0, map[string]string{"X-Rate-Limit-Remaining-Seconds": "55"}, 55 * time.Second},
		{"reset", 0, map[string]string{"X-Rate-Limit-Reset": "1700000010"}, 10 * time.Second},
		{"reset in the past", 0, map[string]string{"X-Rate-Limit-Reset": "1600000000"}, 0},
		{"retry-after seconds", 0, map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{"retry-after date", 0, map[string]string{"Retry-After": now.Add(3 * time.Second).UTC().Format(http.TimeFormat)}, 3 * time.Second},
		{"Rollbar's own header first", 0, map[string]string{"X-Rate-Limit-Remaining-Seconds": "2", "Retry-After": "9"}, 2 * time.Second},
		{"garbage", 0, map[string]string{"Retry-After": "soon", "X-Rate-Limit-Remaining-Seconds": "-3"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			assert.Equal(t, tt.want, retryAfter(&http.Response{StatusCode: cmp.Or(tt.status, 429), Header: h}, now))
		})
	}
}

// TestWrongEndpoint: an api_url that does not lead to Rollbar's API fails at
// once, as a setting to fix, while a passing DNS failure stays an outage.
func TestWrongEndpoint(t *testing.T) {
	t.Parallel()
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	host := strings.TrimPrefix(plain.URL, "http://")
	var stolen atomic.Int32 // requests that reached where a redirect pointed
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { stolen.Add(1) }))
	t.Cleanup(elsewhere.Close)
	t.Cleanup(func() { assert.Zero(t, stolen.Load(), "a redirect took the request, and its token, elsewhere") })
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/steal?token=x", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	verified := httptest.NewTLSServer(http.NotFoundHandler()) // its certificate is for 127.0.0.1 and example.com
	t.Cleanup(verified.Close)
	trusted := verified.Client().Transport.(*http.Transport).TLSClientConfig
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	t.Cleanup(proxy.Close)
	const apiURLFix, sslFix, credentials = "check api_url (ROLLBAR_API_URL): ", "set SSL_CERT_FILE", "HTTPS_PROXY=http://user:password@"
	failDial := func(err error) func(context.Context, string, string) (net.Conn, error) {
		return func(context.Context, string, string) (net.Conn, error) { return nil, err }
	}
	tests := []struct {
		name    string
		baseURL string
		dial    func(context.Context, string, string) (net.Conn, error) // nil: the real one
		want    string                                                  // in the error
		outage  bool
		proxy   string      // the proxy's URL, if any
		tls     *tls.Config // nil: the system's roots
		hint    string      // in the hint; apiURLFix when empty
		env     map[string]string
		files   map[string]string // what ReadFile reads
	}{
		{name: "a certificate that does not verify (an inspecting proxy)", baseURL: verified.URL,
			want: "the TLS certificate of 127.0.0.1, issued by O=Acme Co, does not verify (x509: certificate signed by unknown authority)",
			hint: sslFix},
		{name: "a certificate that does not verify, SSL_CERT_FILE names no file", baseURL: verified.URL,
			env: map[string]string{"SSL_CERT_FILE": "corp-ca.pem"}, want: "does not verify",
			hint: "SSL_CERT_FILE names corp-ca.pem, which does not exist, so it was not used: give the path"},
		{name: "a certificate that does not verify, SSL_CERT_FILE holds no certificate", baseURL: verified.URL,
			env: map[string]string{"SSL_CERT_FILE": "/ca.pem"}, files: map[string]string{"/ca.pem": "-----BEGIN PRIVATE KEY-----"},
			want: "does not verify", hint: "SSL_CERT_FILE names /ca.pem, which holds no PEM certificate"},
		{name: "a certificate that does not verify, SSL_CERT_FILE holds another CA", baseURL: verified.URL,
			env: map[string]string{"SSL_CERT_FILE": "/ca.pem"}, files: map[string]string{"/ca.pem": otherCA(t)},
			want: "does not verify", hint: "SSL_CERT_FILE names /ca.pem, which does not hold the CA certificate that issued this one"},
		{name: "a certificate for another host", baseURL: strings.Replace(verified.URL, "127.0.0.1", "localhost", 1), tls: trusted,
			want: "the TLS certificate of localhost does not name it", hint: "check the host of api_url (ROLLBAR_API_URL), localhost"},
		{name: "a proxy that wants credentials", baseURL: "https://api.rollbar.com", proxy: proxy.URL,
			want: "the proxy answered 407 Proxy Authentication Required", hint: credentials},
		{name: "a proxy that wants credentials, plain HTTP", baseURL: "http://rollbar.internal", proxy: proxy.URL,
			want: "the proxy answered 407 Proxy Authentication Required", hint: credentials},
		{name: "an https:// proxy whose certificate does not verify", baseURL: "https://api.rollbar.com", proxy: verified.URL,
			want: "the TLS certificate of the proxy, issued by O=Acme Co, does not verify", hint: "an https:// proxy's certificate must verify"},
		{name: "a proxy that cannot be reached", baseURL: "https://api.rollbar.com", proxy: "http://127.0.0.1:1",
			want: "the proxy cannot be reached (connection refused)", hint: "check HTTPS_PROXY"},
		{name: "nothing listening is an outage", baseURL: "http://127.0.0.1:1", want: "record deploy: connection refused", outage: true},
		{name: "a 404 that is not Rollbar's", baseURL: plain.URL + "/rollbar", want: `404 with a page that is not Rollbar's ("404 page not found")`},
		{name: "a redirect, not followed", baseURL: redirect.URL, want: "answered 307, redirecting to " + elsewhere.URL + "/steal, which is not followed"},
		{name: "HTTPS to a plain HTTP server", baseURL: "https://" + host, want: "speaks plain HTTP, not HTTPS"},
		{name: "TLS to a server that is not HTTP", baseURL: "https://user:secret@ssh.example:22/?q=1", want: "speaks plain HTTP, not HTTPS",
			dial: func(context.Context, string, string) (net.Conn, error) {
				client, server := net.Pipe()
				go func() { _, _ = io.Copy(io.Discard, server) }()
				go func() { _, _ = server.Write([]byte("SSH-2.0-OpenSSH_9.6\r\n")) }()
				return client, nil
			}},
		{name: "a host name that does not resolve", baseURL: "https://api.rollbar.co",
			dial: failDial(&net.DNSError{Err: "no such host", Name: "api.rollbar.co", IsNotFound: true}), want: "the host name api.rollbar.co does not resolve"},
		{name: "Rollbar's own host unresolved is the runner's network", baseURL: "https://API.Rollbar.com.:443/",
			dial: failDial(&net.DNSError{Err: "no such host", Name: "api.rollbar.com", IsNotFound: true}), want: "cannot resolve host api.rollbar.com", outage: true},
		{name: "Rollbar's own host unresolved, HTTP_PROXY set: HTTPS_PROXY was meant", baseURL: "https://api.rollbar.com",
			env:  map[string]string{"HTTP_PROXY": "http://proxy.corp:3128"},
			dial: failDial(&net.DNSError{Err: "no such host", Name: "api.rollbar.com", IsNotFound: true}),
			want: "the host name api.rollbar.com does not resolve, and the proxy in HTTP_PROXY is not used",
			hint: "an https:// api_url goes through HTTPS_PROXY, not HTTP_PROXY"},
		{name: "Rollbar's own host unresolved, all_proxy set (curl's)", baseURL: "https://api.rollbar.com",
			env:  map[string]string{"all_proxy": "http://proxy.corp:3128"},
			dial: failDial(&net.DNSError{Err: "no such host", Name: "api.rollbar.com", IsNotFound: true}),
			want: "the proxy in all_proxy is not used", hint: "rollbar-deploy does not read ALL_PROXY: set HTTPS_PROXY"},
		{name: "a plain http:// api_url unresolved, ALL_PROXY set", baseURL: "http://rollbar.corp",
			env:  map[string]string{"ALL_PROXY": "http://proxy.corp:3128", "HTTPS_PROXY": "http://proxy.corp:3128"},
			dial: failDial(&net.DNSError{Err: "no such host", Name: "rollbar.corp", IsNotFound: true}),
			want: "the proxy in ALL_PROXY is not used", hint: "(HTTP_PROXY for a plain http:// api_url)"},
		{name: "Rollbar's own host unresolved, HTTPS_PROXY set too: NO_PROXY's choice, the network's outage",
			baseURL: "https://api.rollbar.com", env: map[string]string{"HTTP_PROXY": "http://p:1", "https_proxy": "http://p:1"},
			dial: failDial(&net.DNSError{Err: "no such host", Name: "api.rollbar.com", IsNotFound: true}),
			want: "cannot resolve host api.rollbar.com", outage: true},
		{name: "a DNS failure that may pass", baseURL: "https://api.rollbar.com",
			dial: failDial(&net.DNSError{Err: "server misbehaving", Name: "api.rollbar.com", IsTemporary: true}), want: "cannot resolve host api.rollbar.com", outage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var attempts atomic.Int32 // a dial can outlive the call that gave up on it
			transport := http.DefaultTransport.(*http.Transport).Clone()
			transport.TLSClientConfig = tt.tls
			if tt.proxy != "" {
				u, err := url.Parse(tt.proxy)
				require.NoError(t, err)
				transport.Proxy = http.ProxyURL(u)
			}
			dial := tt.dial
			if dial == nil {
				dial = transport.DialContext
			}
			transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
				attempts.Add(1)
				return dial(ctx, network, addr)
			}
			c := &Client{BaseURL: tt.baseURL, Token: "secret-token", Backoff: fastBackoff, HTTP: &http.Client{Transport: transport},
				Getenv: func(name string) string { return tt.env[name] },
				ReadFile: func(name string) ([]byte, error) {
					if data, ok := tt.files[name]; ok {
						return []byte(data), nil
					}
					return nil, fs.ErrNotExist
				}}
			_, err := c.Create(timeout(t, 1500*time.Millisecond), deploy) // a TLS handshake on a busy machine
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "secret", "no token, no URL, no Go-internal chain")
			assert.NotContains(t, strings.ReplaceAll(err.Error(), elsewhere.URL, ""), "://", "no URL but where a redirect points")
			assert.Equal(t, tt.outage, Transient(err), "%v", err)
			var endpoint *EndpointError
			if tt.outage {
				assert.Greater(t, attempts.Load(), int32(1), "retried")
				assert.False(t, errors.As(err, &endpoint))
				return
			}
			require.ErrorAs(t, err, &endpoint, "%#v", err)
			assert.Equal(t, int32(1), attempts.Load(), "not retried")
			var api *APIError
			assert.False(t, errors.As(err, &api), "not to be taken for Rollbar's own answer")
			assert.Contains(t, Hint(err), cmp.Or(tt.hint, apiURLFix))
			assert.NotContains(t, Hint(err), "secret")
		})
	}
}

// TestCertFix: the fix for a certificate that does not verify names what the
// platform reads: SSL_CERT_FILE on Linux, the system's store on macOS and
// Windows, where Go reads no SSL_CERT_FILE.
func TestCertFix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		way  wayOut
		want string
	}{
		{wayOut{goos: "linux"}, "set SSL_CERT_FILE to a file holding the proxy's CA certificate"},
		{wayOut{goos: "linux", certFile: "ca.pem", certFileProblem: "does not exist"}, "SSL_CERT_FILE names ca.pem, which does not exist"},
		{wayOut{goos: "darwin", certFile: "ca.pem"}, "add the proxy's CA certificate to the system's trust store (the Keychain on macOS"},
		{wayOut{goos: "windows"}, "Go reads no SSL_CERT_FILE there"},
	}
	for _, tt := range tests {
		assert.Contains(t, certFix("api.rollbar.com", tt.way), tt.want, "%+v", tt.way)
	}
}

// otherCA is a PEM certificate of a CA that issued no server's certificate.
func otherCA(t *testing.T) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Other CA"}, IsCA: true,
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestAPIErrorKinds(t *testing.T) {
	t.Parallel()
	const notStarted = "The deploy can not be updated because its status is not started."
	tests := []struct {
		status     int
		message    string
		notStarted bool
		hint       string
	}{
		{409, notStarted, true, "no longer started (Rollbar timed it out, or it was already finished)"},
		{422, notStarted, true, "no longer started"},
		{422, "Missing 'environment' key.", false, ""},
		{409, "Conflict", false, ""},
		{404, "Not found.", false, "check api_url"},
		{403, "insufficient privileges", false, "read token"},
		{413, "Request entity too large", false, "shorten the comment"},
		{429, "Rate limit exceeded.", false, "try again in a minute"},
	}
	for _, tt := range tests {
		e := &APIError{Op: "op", Status: tt.status, Message: tt.message}
		assert.Equal(t, tt.notStarted, e.NotStarted(), "%v", e)
		assert.Equal(t, tt.hint == "", Hint(e) == "", "%v: %s", e, Hint(e))
		assert.Contains(t, Hint(fmt.Errorf("wrapped: %w", e)), tt.hint)
	}
	// A token without the read scope: Rollbar answers 403, or names the
	// missing privilege; an invalid token is another failure.
	assert.True(t, lacksRead(fmt.Errorf("wrapped: %w", &APIError{Status: 403, Message: "Forbidden"})))
	assert.True(t, lacksRead(&APIError{Status: 401, Message: "insufficient privileges: read scope required"}))
	assert.False(t, lacksRead(&APIError{Status: 401, Message: "invalid access token"}))
	assert.False(t, lacksRead(&NetworkError{Op: "list deploys", Err: errNoAnswer}))
	// A source map too large is no comment's doing; a rate limit reset hours
	// away is no minute's wait.
	tooLarge := &APIError{Op: opUpload + " for https://example.com/app.js", Status: 413}
	assert.NotContains(t, tooLarge.Hint(), "comment")
	assert.Contains(t, tooLarge.Hint(), "larger than Rollbar accepts (64 MB)")
	limited := &APIError{Op: "record deploy", Status: 429, Wait: 3 * time.Hour}
	assert.NotContains(t, limited.Hint(), "minute")
	assert.Contains(t, limited.Hint(), "used up for 3h0m0s more")
	limited.Wait = 55 * time.Second // past what is left of a 30s timeout: not waited
	assert.Contains(t, limited.Hint(), "used up for 55s more, which the tool waits only within timeout: raise timeout")
}
