package e2e

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

// The fault suite of issue 6: the built binary against a misbehaving Rollbar.
// Every case sets the revision and user in variables, so no git runs, and a
// short --timeout, so outages end quickly.

const faultSHA = "0123456789abcdef0123456789abcdef01234567"

// faultEnv is what a record needs against srv, with the given tokens
// ("" leaves a token out).
func faultEnv(url, token, readToken string) map[string]string {
	env := map[string]string{
		"ROLLBAR_API_URL":        url,
		"ROLLBAR_ENVIRONMENT":    "production",
		"ROLLBAR_REVISION":       faultSHA,
		"ROLLBAR_LOCAL_USERNAME": "jane",
	}
	if token != "" {
		env["ROLLBAR_ACCESS_TOKEN"] = token
	}
	if readToken != "" {
		env["ROLLBAR_READ_ACCESS_TOKEN"] = readToken
	}
	return env
}

// calls counts the requests srv was sent with method to path.
func calls(srv *rollbartest.Server, method, path string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == method && strings.TrimSuffix(r.Path, "/") == path {
			n++
		}
	}
	return n
}

// refusedURL is a loopback address nothing listens on.
func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	url := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	return url
}

// assertClean checks what no run may ever print.
func assertClean(t *testing.T, res result) {
	t.Helper()
	for _, s := range []string{"panic", "goroutine ", "runtime error", "*url.Error", "&{"} {
		assert.NotContains(t, res.output(), s, "no crash or Go internals in the output")
	}
	// Only a dry run shows the API URL, on stdout; errors name what failed.
	assert.NotContains(t, res.stderr, "http://127.0.0.1", "no URL in logs or errors")
}

func TestFaultsRecordExactlyOnce(t *testing.T) {
	t.Parallel()
	post := rollbartest.Fault{Method: http.MethodPost, Path: "/api/1/deploy"}
	with := func(f rollbartest.Fault, kind rollbartest.FaultKind, status, times int) rollbartest.Fault {
		f.Kind, f.Status, f.Times = kind, status, times
		return f
	}
	tests := []struct {
		name             string
		token, readToken string
		faults           []rollbartest.Fault
		deploys, posts   int
		lists            int    // duplicate checks sent (GET /api/1/deploys)
		warning          string // in stderr; "" for none
	}{
		// A 503 may come from a proxy that passed the request on: without a
		// read scope that cannot be checked, which is said once, and the
		// check is not tried again.
		{name: "two 503s then success", token: "post-token", posts: 3, lists: 1, deploys: 1,
			faults:  []rollbartest.Fault{with(post, rollbartest.FaultStatus, 503, 2)},
			warning: "may record it twice"},
		{name: "two 503s then success, token can read", token: "both-token", posts: 3, lists: 2, deploys: 1,
			faults: []rollbartest.Fault{with(post, rollbartest.FaultStatus, 503, 2)}},
		{name: "connection cut before the answer", token: "post-token", posts: 2, lists: 1, deploys: 1,
			faults:  []rollbartest.Fault{with(post, rollbartest.FaultCut, 0, 1)},
			warning: "may record it twice"},
		{name: "connection cut before the answer, read token", token: "post-token", readToken: "read-token", posts: 2, lists: 1, deploys: 1,
			faults: []rollbartest.Fault{with(post, rollbartest.FaultCut, 0, 1)}},
		{name: "recorded then 502, read token", token: "post-token", readToken: "read-token", posts: 1, lists: 1, deploys: 1,
			faults:  []rollbartest.Fault{with(post, rollbartest.FaultRecordThenStatus, 502, 1)},
			warning: "had recorded the deploy"},
		{name: "recorded then 502, token with both scopes", token: "both-token", posts: 1, lists: 1, deploys: 1,
			faults:  []rollbartest.Fault{with(post, rollbartest.FaultRecordThenStatus, 502, 1)},
			warning: "had recorded the deploy"},
		{name: "recorded then cut, read token", token: "post-token", readToken: "read-token", posts: 1, lists: 1, deploys: 1,
			faults:  []rollbartest.Fault{with(post, rollbartest.FaultRecordThenCut, 0, 1)},
			warning: "had recorded the deploy"},
		{name: "recorded then cut, token with both scopes", token: "both-token", posts: 1, lists: 1, deploys: 1,
			faults:  []rollbartest.Fault{with(post, rollbartest.FaultRecordThenCut, 0, 1)},
			warning: "had recorded the deploy"},
		// Without a read scope nothing can be checked: the documented
		// behaviour is to send again and say it may be recorded twice.
		{name: "recorded then 502, post token only", token: "post-token", posts: 2, lists: 1, deploys: 2,
			faults:  []rollbartest.Fault{with(post, rollbartest.FaultRecordThenStatus, 502, 1)},
			warning: "may record it twice"},
		{name: "recorded then cut, post token only", token: "post-token", posts: 2, lists: 1, deploys: 2,
			faults:  []rollbartest.Fault{with(post, rollbartest.FaultRecordThenCut, 0, 1)},
			warning: "may record it twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakeRollbar(t)
			for _, f := range tt.faults {
				srv.Inject(f)
			}
			res := run(t, t.TempDir(), faultEnv(srv.URL, tt.token, tt.readToken), "--timeout", "10s")
			require.Equal(t, 0, res.code, res)
			assertClean(t, res)

			deploys := srv.Deploys()
			require.Len(t, deploys, tt.deploys, res)
			newest := deploys[len(deploys)-1]
			assert.Equal(t, strconv.FormatInt(newest.ID, 10)+"\n", res.stdout, "the id alone on stdout")
			assert.Equal(t, "production", newest.Environment)
			assert.Equal(t, faultSHA, newest.Revision)
			assert.Equal(t, tt.posts, calls(srv, http.MethodPost, "/api/1/deploy"), "POSTs sent")
			assert.Equal(t, tt.lists, calls(srv, http.MethodGet, "/api/1/deploys"), "duplicate checks sent")
			if tt.warning != "" {
				assert.Contains(t, res.stderr, "warning: ")
				assert.Contains(t, res.stderr, tt.warning)
				assert.Equal(t, 1, strings.Count(res.stderr, tt.warning), "said once")
			}
			assert.Less(t, res.elapsed, 5*time.Second)
		})
	}
}

func TestFaultsRateLimitIsWaitedOut(t *testing.T) {
	t.Parallel()
	// The fake sends its own rate-limit headers with every answer (a minute's
	// window); each case lays the ones it tests over them, blanking the rest.
	tests := []struct {
		name    string
		header  func(now time.Time) map[string]string
		atLeast time.Duration
	}{
		{"X-Rate-Limit-Remaining-Seconds", func(time.Time) map[string]string {
			return map[string]string{"X-Rate-Limit-Remaining-Seconds": "1", "X-Rate-Limit-Reset": ""}
		}, 900 * time.Millisecond},
		{"X-Rate-Limit-Reset", func(now time.Time) map[string]string {
			return map[string]string{"X-Rate-Limit-Remaining-Seconds": "", "X-Rate-Limit-Reset": strconv.FormatInt(now.Unix()+2, 10)}
		}, 900 * time.Millisecond},
		{"Retry-After", func(time.Time) map[string]string {
			return map[string]string{"X-Rate-Limit-Remaining-Seconds": "", "X-Rate-Limit-Reset": "", "Retry-After": "1"}
		}, 900 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakeRollbar(t)
			srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultStatus, Status: http.StatusTooManyRequests,
				Header: tt.header(time.Now()), Body: `{"err":1,"message":"Rate limit exceeded."}`})
			res := run(t, t.TempDir(), faultEnv(srv.URL, "post-token", ""), "--timeout", "10s")
			require.Equal(t, 0, res.code, res)
			assertClean(t, res)

			deploys := srv.Deploys()
			require.Len(t, deploys, 1)
			assert.Equal(t, strconv.FormatInt(deploys[0].ID, 10)+"\n", res.stdout)
			reqs := srv.Requests()
			require.Len(t, reqs, 2, "a 429 is not ambiguous: no duplicate check, one retry")
			gap := reqs[1].Time.Sub(reqs[0].Time)
			assert.GreaterOrEqual(t, gap, tt.atLeast, "waited as Rollbar asked, not the 300ms backoff")
			assert.Less(t, gap, 4*time.Second)
		})
	}
}

func TestFaultsGarbageAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"an HTML page", "", "not Rollbar's JSON"},
		{"truncated JSON", `{"data":{"deploy_id":`, "not Rollbar's JSON"},
		{"the id as a string", `{"data":{"deploy_id":"45306460"}}`, "expected fields"},
		{"no id (an old API)", `{"data":{}}`, "no deploy id"},
		{"null", `null`, "no deploy id"},
		{"an array", `[1,2,3]`, "not Rollbar's JSON"},
		{"binary", "\x00\xff\xfe\x01PK\x03\x04", "not Rollbar's JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakeRollbar(t)
			srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultGarbage, Body: tt.body})
			res := run(t, t.TempDir(), faultEnv(srv.URL, "post-token", ""), "--timeout", "5s")
			assert.Equal(t, 1, res.code, "a 200 that is not Rollbar's answer is an error: %s", res)
			assertClean(t, res)
			assert.Empty(t, res.stdout)
			assert.Contains(t, res.stderr, "error: record deploy: unexpected answer from Rollbar (HTTP 200)")
			assert.Contains(t, res.stderr, tt.want)
			assert.Equal(t, 1, calls(srv, http.MethodPost, "/api/1/deploy"), "not retried")
		})
	}
}

func TestFaultsHangIsCutAtTheTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		policy string
		code   int
	}{{"config", 0}, {"always", 1}}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			t.Parallel()
			srv := fakeRollbar(t)
			srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultHang, Times: 100})
			res := run(t, t.TempDir(), faultEnv(srv.URL, "post-token", ""), "--timeout", "1s", "--fail-on-error", tt.policy)
			assert.Equal(t, tt.code, res.code, res)
			assertClean(t, res)
			assert.Empty(t, res.stdout)
			assert.Contains(t, res.stderr, "no answer before the timeout")
			assert.GreaterOrEqual(t, res.elapsed, 900*time.Millisecond)
			assert.Less(t, res.elapsed, 4*time.Second, "exits at about the timeout, not the 30s default")
			assert.Empty(t, srv.Deploys())
		})
	}
}

func TestFaultsOutageUnderEachPolicy(t *testing.T) {
	t.Parallel()
	outages := []struct {
		name string
		url  func(t *testing.T) string
		want string
	}{
		{"503 forever", func(t *testing.T) string {
			srv := fakeRollbar(t)
			srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultStatus, Status: 503, Times: 1_000_000})
			return srv.URL
		}, "Rollbar answered 503 Service Unavailable"},
		{"connection refused", refusedURL, "record deploy: connection refused"},
	}
	policies := []struct {
		policy string
		code   int
		level  string
	}{
		{"config", 0, "warning: "},
		{"always", 1, "error: "},
		{"never", 0, "warning: "},
		{"true", 1, "error: "},
		{"false", 0, "warning: "},
	}
	for _, o := range outages {
		for _, p := range policies {
			t.Run(o.name+"/"+p.policy, func(t *testing.T) {
				t.Parallel()
				res := run(t, t.TempDir(), faultEnv(o.url(t), "post-token", ""), "--timeout", "1s", "--fail-on-error", p.policy)
				assert.Equal(t, p.code, res.code, res)
				assertClean(t, res)
				assert.Empty(t, res.stdout)
				assert.Contains(t, res.stderr, "rollbar-deploy: "+p.level+"record deploy")
				assert.Contains(t, res.stderr, o.want)
				assert.Contains(t, res.stderr, "gave up after", "says it retried")
				if p.code == 0 {
					assert.Contains(t, res.stderr, "fail_on_error", "says why it did not fail")
				}
				assert.LessOrEqual(t, strings.Count(res.stderr, "may record it twice"), 1, "said once, not on every retry")
				assert.Less(t, res.elapsed, 4*time.Second, "retries end at the timeout")
			})
		}
	}
}

func TestFaultsUserErrorsUnderEachPolicy(t *testing.T) {
	t.Parallel()
	errs := []struct {
		name   string
		token  string
		fault  *rollbartest.Fault
		args   []string
		method string
		want   []string
	}{
		{name: "401", token: "revoked-token", method: http.MethodPost,
			want: []string{"401 Unauthorized: invalid access token", "Hint: the access token is invalid"}},
		{name: "403", token: "read-token", method: http.MethodPost,
			want: []string{"403 Forbidden: insufficient privileges", "post_server_item"}},
		{name: "404", token: "post-token", method: http.MethodPatch, args: []string{"update", "--deploy-id", "999", "--status", "succeeded"},
			want: []string{"update deploy 999", "404 Not Found: Deploy not found in this project.", "another Rollbar project"}},
		{name: "422", token: "post-token", method: http.MethodPost,
			fault: &rollbartest.Fault{Kind: rollbartest.FaultStatus, Status: 422, Body: `{"err":1,"message":"Missing 'environment' key."}`},
			want:  []string{"422 Unprocessable Entity: Missing 'environment' key."}},
	}
	policies := []struct {
		policy string
		code   int
		level  string
	}{{"config", 1, "error: "}, {"always", 1, "error: "}, {"never", 0, "warning: "}}
	for _, e := range errs {
		for _, p := range policies {
			t.Run(e.name+"/"+p.policy, func(t *testing.T) {
				t.Parallel()
				srv := fakeRollbar(t)
				if e.fault != nil {
					srv.Inject(*e.fault)
				}
				args := append(append([]string{}, e.args...), "--timeout", "5s", "--fail-on-error", p.policy)
				res := run(t, t.TempDir(), faultEnv(srv.URL, e.token, ""), args...)
				assert.Equal(t, p.code, res.code, res)
				assertClean(t, res)
				assert.Empty(t, res.stdout)
				assert.Contains(t, res.stderr, "rollbar-deploy: "+p.level)
				for _, w := range e.want {
					assert.Contains(t, res.stderr, w)
				}
				if p.policy == "never" {
					assert.Contains(t, res.stderr, "fail_on_error is never")
				}
				assert.Len(t, srv.Requests(), 1, "the caller's errors are not retried")
				assert.Equal(t, e.method, srv.Requests()[0].Method)
				assert.Empty(t, srv.Deploys())
			})
		}
	}
}

func TestFaultsUpdateOfATimedOutDeploy(t *testing.T) {
	t.Parallel()
	t.Run("timed out by Rollbar, fields at hand", func(t *testing.T) {
		t.Parallel()
		srv := fakeRollbar(t)
		env := faultEnv(srv.URL, "post-token", "")
		started := run(t, t.TempDir(), env, "--status", "started")
		require.Equal(t, 0, started.code, started)
		id, err := strconv.ParseInt(strings.TrimSpace(started.stdout), 10, 64)
		require.NoError(t, err)
		require.True(t, srv.TimeOut(id))

		res := run(t, t.TempDir(), env, "update", "--deploy-id", strconv.FormatInt(id, 10), "--status", "failed")
		require.Equal(t, 0, res.code, res)
		assertClean(t, res)
		deploys := srv.Deploys()
		require.Len(t, deploys, 2)
		assert.Equal(t, "timed_out", deploys[0].Status, "Rollbar's timeout stands")
		fresh := deploys[1]
		assert.Equal(t, "failed", fresh.Status, "the final status is recorded")
		assert.Equal(t, "production", fresh.Environment)
		assert.Equal(t, faultSHA, fresh.Revision)
		assert.Equal(t, strconv.FormatInt(fresh.ID, 10)+"\n", res.stdout, "the new id is printed")
		assert.Contains(t, res.stderr, "warning: Rollbar had already timed deploy "+strconv.FormatInt(id, 10)+" out")
		assert.Contains(t, res.stderr, "recorded deploy "+strconv.FormatInt(fresh.ID, 10)+" with status failed instead")
	})

	t.Run("timed out on the fake's clock, fields read back from Rollbar", func(t *testing.T) {
		t.Parallel()
		clock := rollbartest.NewClock(time.Now())
		srv := fakeRollbar(t, rollbartest.WithClock(clock.Now), rollbartest.WithDeployTimeout(time.Minute))
		started := run(t, t.TempDir(), faultEnv(srv.URL, "both-token", ""), "--status", "started")
		require.Equal(t, 0, started.code, started)
		id := strings.TrimSpace(started.stdout)
		clock.Add(61 * time.Second)

		// A later job knows only the id and the outcome.
		res := run(t, t.TempDir(), map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "both-token", "ROLLBAR_DEPLOY_ID": id},
			"--status", "success")
		require.Equal(t, 0, res.code, res)
		assertClean(t, res)
		deploys := srv.Deploys()
		require.Len(t, deploys, 2)
		assert.Equal(t, "timed_out", deploys[0].Status)
		assert.Equal(t, "succeeded", deploys[1].Status)
		assert.Equal(t, "production", deploys[1].Environment, "from Rollbar's copy")
		assert.Equal(t, faultSHA, deploys[1].Revision, "from Rollbar's copy")
		assert.Equal(t, "jane", deploys[1].LocalUsername, "from Rollbar's copy")
		assert.Equal(t, strconv.FormatInt(deploys[1].ID, 10)+"\n", res.stdout)
		assert.Contains(t, res.stderr, "timed deploy "+id+" out")
	})
}

// A PATCH whose answer was lost is retried; Rollbar then refuses it because
// the first one went through. That is success, not a timed-out deploy to
// record again.
func TestUpdateWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	dir, _ := checkout(t, "Jane")
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "both-token"}

	started := run(t, dir, env, "--environment", "production", "--status", "started")
	require.Equal(t, 0, started.code, started)
	id := strings.TrimSpace(started.stdout)

	srv.Inject(rollbartest.Fault{Method: "PATCH", Kind: rollbartest.FaultRecordThenStatus, Status: 502})
	res := run(t, dir, env, "update", "--deploy-id", id, "--status", "succeeded", "--timeout", "5s")
	require.Equal(t, 0, res.code, res)
	assert.Equal(t, id+"\n", res.stdout)
	deploys := srv.Deploys()
	require.Len(t, deploys, 1, "no deploy recorded in its place")
	assert.Equal(t, "succeeded", deploys[0].Status)
	assert.NotContains(t, res.stderr, "timed deploy")
}
