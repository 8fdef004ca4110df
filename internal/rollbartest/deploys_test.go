package rollbartest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCreateDeploy(t *testing.T) {
	t.Parallel()
	const jsonType = "application/json"
	const formType = "application/x-www-form-urlencoded"
	mpType, mpBody := multipartBody(
		part{name: "access_token", content: "post-token"},
		part{name: "environment", content: "production"},
		part{name: "revision", content: "aaaafff"},
		part{name: "rollbar_username", content: "brianr"},
		part{name: "comment", content: "just a test"},
	)
	valid := `{"environment":"production","revision":"aaaafff"}`
	tests := []struct {
		name        string
		req         req
		wantStatus  int
		wantMessage string // exact, or a part of it when wantPartial
		wantPartial bool
	}{
		{name: "json", req: req{token: "post-token", contentType: jsonType, body: valid}, wantStatus: 200},
		{name: "form", req: req{token: "post-token", contentType: formType, body: "environment=production&revision=aaaafff"}, wantStatus: 200},
		{name: "multipart with the token in the form", req: req{contentType: mpType, body: mpBody}, wantStatus: 200},
		{name: "query token", req: req{path: "/api/1/deploy?access_token=post-token", contentType: jsonType, body: valid}, wantStatus: 200},
		{name: "trailing slash", req: req{path: "/api/1/deploy/", token: "post-token", contentType: jsonType, body: valid}, wantStatus: 200},
		{name: "head_long", req: req{token: "post-token", contentType: jsonType, body: `{"environment":"production","head_long":"aaaafff"}`}, wantStatus: 200},
		{name: "json without a content type", req: req{token: "post-token", body: valid}, wantStatus: 200},
		{name: "every status", req: req{token: "post-token", contentType: formType, body: "environment=p&revision=r&status=timed_out"}, wantStatus: 200},
		{name: "longest names", req: req{token: "post-token", contentType: jsonType,
			body: fmt.Sprintf(`{"environment":%q,"revision":%q,"local_username":%q}`, strings.Repeat("é", 255), strings.Repeat("r", 255), strings.Repeat("u", 255))}, wantStatus: 200},
		{name: "longest comment", req: req{token: "post-token", contentType: jsonType,
			body: fmt.Sprintf(`{"environment":"p","revision":"r","comment":%q}`, strings.Repeat("c", 64<<10))}, wantStatus: 200},

		{name: "nothing", req: req{token: "post-token", contentType: jsonType, body: `{}`}, wantStatus: 422,
			wantMessage: "Missing 'environment' key. Missing 'revision' or 'head_long' key."},
		{name: "empty body", req: req{token: "post-token"}, wantStatus: 422,
			wantMessage: "Missing 'environment' key. Missing 'revision' or 'head_long' key."},
		{name: "environment not a string", req: req{token: "post-token", contentType: jsonType, body: `{"environment":5}`}, wantStatus: 422,
			wantMessage: "Missing 'revision' or 'head_long' key. 'environment' key must be a string."},
		{name: "environment too long", req: req{token: "post-token", contentType: formType,
			body: "revision=r&environment=" + strings.Repeat("e", 256)}, wantStatus: 422,
			wantMessage: "'environment' key must be at most 255 characters."},
		{name: "revision too long", req: req{token: "post-token", contentType: formType,
			body: "environment=e&revision=" + strings.Repeat("r", 256)}, wantStatus: 422,
			wantMessage: "'revision' key must be at most 255 characters."},
		{name: "local_username too long", req: req{token: "post-token", contentType: formType,
			body: "environment=e&revision=r&local_username=" + strings.Repeat("u", 256)}, wantStatus: 422,
			wantMessage: "'local_username' key must be at most 255 characters."},
		{name: "comment too long", req: req{token: "post-token", contentType: formType,
			body: "environment=e&revision=r&comment=" + strings.Repeat("c", 64<<10+1)}, wantStatus: 422,
			wantMessage: "'comment' key must be at most 65536 bytes."},
		{name: "unknown status", req: req{token: "post-token", contentType: formType, body: "environment=e&revision=r&status=done"}, wantStatus: 422,
			wantMessage: "'status' key must be one of started, succeeded, failed, timed_out."},
		{name: "not json", req: req{token: "post-token", contentType: jsonType, body: `{"environment":`}, wantStatus: 400,
			wantMessage: "Invalid request body", wantPartial: true},
		{name: "wrong method", req: req{method: http.MethodGet, token: "post-token"}, wantStatus: 405, wantMessage: "Method not allowed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			r := tt.req
			r.method = cmp.Or(r.method, http.MethodPost)
			if r.path == "" {
				r.path = "/api/1/deploy"
			}
			got := do(t, s.URL, r)
			require.Equal(t, tt.wantStatus, got.status, "body: %s", got.body)
			assert.Equal(t, "application/json", got.header.Get("Content-Type"))
			if tt.wantStatus != http.StatusOK {
				if tt.wantPartial {
					assert.Contains(t, got.message(t), tt.wantMessage)
				} else {
					assert.Equal(t, tt.wantMessage, got.message(t))
				}
				assert.Empty(t, s.Deploys())
				return
			}
			body := got.object(t)
			assert.NotContains(t, body, "err", "a create answer has no err key")
			assert.Equal(t, map[string]any{"deploy_id": float64(45306460)}, body["data"])
			assert.Len(t, s.Deploys(), 1)
		})
	}
}

func TestCreateDeployStoresWhatWasSent(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := newServer(t, WithClock(clock.Now))

	first := createDeploy(t, s.URL, map[string]any{"environment": "production", "revision": "abc",
		"rollbar_username": "brianr", "local_username": "ci", "comment": "hello", "status": "started"})
	second := createDeploy(t, s.URL, map[string]any{"environment": "staging", "revision": "def", "rollbar_username": "brianr"})
	third := createDeploy(t, s.URL, map[string]any{"environment": "staging", "revision": "ghi", "rollbar_username": "other"})

	assert.Equal(t, int64(45306460), first)
	assert.Equal(t, []int64{first + 1, first + 2}, []int64{second, third}, "ids increase")
	start := clock.Now().Unix()
	deploys := s.Deploys()
	require.Len(t, deploys, 3)
	assert.Equal(t, Deploy{ID: first, ProjectID: 67454, UserID: deploys[0].UserID, Environment: "production",
		Revision: "abc", RollbarUsername: "brianr", LocalUsername: "ci", Comment: "hello",
		StartTime: start, Status: "started"}, deploys[0])
	assert.NotZero(t, deploys[0].UserID, "a rollbar_username gives a user_id")
	assert.Equal(t, deploys[0].UserID, deploys[1].UserID, "one user, one id")
	assert.NotEqual(t, deploys[0].UserID, deploys[2].UserID)
	assert.Equal(t, "succeeded", deploys[1].Status, "the default status")
	assert.Equal(t, start, deploys[1].FinishTime, "a final status sets finish_time")

	got := do(t, s.URL, req{path: fmt.Sprintf("/api/1/deploy/%d", second), token: "read-token"})
	require.Equal(t, http.StatusOK, got.status)
	assert.JSONEq(t, fmt.Sprintf(`{"err":0,"result":{"id":%d,"project_id":67454,"user_id":%d,
		"environment":"staging","revision":"def","local_username":null,"comment":null,
		"start_time":%d,"finish_time":%d,"status":"succeeded"}}`, second, deploys[1].UserID, start, start), string(got.body))

	got = do(t, s.URL, req{path: fmt.Sprintf("/api/1/deploy/%d/", first), token: "read-token"})
	res := got.result(t)
	assert.Nil(t, res["finish_time"], "a started deploy has no finish_time")
	assert.Equal(t, "hello", res["comment"])
	for _, id := range []string{"1%d", "4%d", "x%d"} { // after the last, before the first, not a number
		got := do(t, s.URL, req{path: "/api/1/deploy/" + fmt.Sprintf(id, first), token: "read-token"})
		assert.Equal(t, "404 "+notFound, fmt.Sprint(got.status, " ", got.message(t)), id)
	}
}

func TestPatchDeploy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		opts        []Option
		target      string        // "started", "succeeded" or a literal id
		timeOut     bool          // TimeOut the started deploy first
		wait        time.Duration // before the PATCH; 5s when 0
		body        string
		wantStatus  int
		wantMessage string        // of an error answer
		want        string        // of a success: the status and comment after it
		wantFinish  time.Duration // of the started deploy, after its start
	}{
		{name: "finish", target: "started", body: `{"status":"succeeded","comment":"done"}`, wantStatus: 200, want: "succeeded done", wantFinish: 5 * time.Second},
		{name: "an absent comment stays", target: "started", body: `{"status":"failed"}`, wantStatus: 200, want: "failed first", wantFinish: 5 * time.Second},
		{name: "comment only", target: "started", body: `{"comment":"halfway"}`, wantStatus: 200, want: "started halfway"},
		{name: "just before the default timeout", target: "started", wait: 59 * time.Minute, body: `{"status":"failed"}`, wantStatus: 200,
			want: "failed first", wantFinish: 59 * time.Minute},
		{name: "no timeout", opts: []Option{WithDeployTimeout(0)}, target: "started", wait: 24 * time.Hour, body: `{"status":"failed"}`,
			wantStatus: 200, want: "failed first", wantFinish: 24 * time.Hour},
		{name: "already finished", target: "succeeded", body: `{"status":"failed"}`, wantStatus: 409, wantMessage: notStarted},
		{name: "already finished, as also seen", opts: []Option{WithNotStartedStatus(422)}, target: "succeeded", body: `{"status":"failed"}`,
			wantStatus: 422, wantMessage: notStarted},
		{name: "at the default timeout", target: "started", wait: time.Hour, body: `{"status":"succeeded"}`, wantStatus: 409,
			wantMessage: notStarted, wantFinish: time.Hour},
		{name: "long after the project's timeout", opts: []Option{WithDeployTimeout(10 * time.Second)}, target: "started", wait: time.Hour,
			body: `{"status":"succeeded"}`, wantStatus: 409, wantMessage: notStarted, wantFinish: 10 * time.Second},
		{name: "timed out by hand", target: "started", timeOut: true, body: `{"status":"succeeded"}`, wantStatus: 409,
			wantMessage: notStarted, wantFinish: 5 * time.Second},
		{name: "unknown id", target: "999", body: `{"status":"failed"}`, wantStatus: 404, wantMessage: notFound},
		{name: "unknown status", target: "started", body: `{"status":"done"}`, wantStatus: 422,
			wantMessage: "'status' key must be one of started, succeeded, failed, timed_out."},
		{name: "comment not a string", target: "started", body: `{"comment":[1]}`, wantStatus: 422,
			wantMessage: "'comment' key must be a string."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newClock()
			s := newServer(t, append(tt.opts, WithClock(clock.Now))...)
			ids := map[string]int64{
				"started":   createDeploy(t, s.URL, map[string]any{"environment": "p", "revision": "r", "status": "started", "comment": "first"}),
				"succeeded": createDeploy(t, s.URL, map[string]any{"environment": "p", "revision": "r"}),
			}
			start := clock.Now()
			clock.Add(cmp.Or(tt.wait, 5*time.Second))
			if tt.timeOut {
				require.True(t, s.TimeOut(ids["started"]))
				assert.False(t, s.TimeOut(ids["started"]), "no longer started")
				assert.False(t, s.TimeOut(ids["succeeded"]))
				assert.False(t, s.TimeOut(12))
			}
			target := tt.target
			if id, ok := ids[target]; ok {
				target = fmt.Sprint(id)
			}
			got := do(t, s.URL, req{method: http.MethodPatch, path: "/api/1/deploy/" + target, token: "post-token",
				contentType: "application/json", body: tt.body})
			require.Equal(t, tt.wantStatus, got.status, "body: %s", got.body)
			stored := s.Deploys()[0]
			if tt.wantFinish != 0 {
				assert.Equal(t, start.Add(tt.wantFinish).Unix(), stored.FinishTime)
			} else {
				assert.Zero(t, stored.FinishTime)
			}
			if tt.wantStatus != http.StatusOK {
				assert.Equal(t, tt.wantMessage, got.message(t))
				assert.Contains(t, []string{"started", "timed_out"}, stored.Status)
				return
			}
			var answer struct {
				Err    int    `json:"err"`
				Result Deploy `json:"result"`
			}
			require.NoError(t, json.Unmarshal(got.body, &answer))
			assert.Equal(t, stored, answer.Result, "the answer is the stored deploy")
			assert.Equal(t, tt.want, stored.Status+" "+stored.Comment)
		})
	}
}

func TestListDeploys(t *testing.T) {
	t.Parallel()
	const newest = 45306460 + 44
	tests := []struct {
		query    string
		wantPage int
		wantIDs  []int64 // newest first
	}{
		{query: "", wantPage: 1, wantIDs: idRange(newest, 20)},
		{query: "page=1", wantPage: 1, wantIDs: idRange(newest, 20)},
		{query: "page=2", wantPage: 2, wantIDs: idRange(newest-20, 20)},
		{query: "page=3", wantPage: 3, wantIDs: idRange(newest-40, 5)},
		{query: "page=4", wantPage: 4, wantIDs: []int64{}},
		{query: "page=9223372036854775807", wantPage: 9223372036854775807, wantIDs: []int64{}},
		{query: "page=0", wantPage: 1, wantIDs: idRange(newest, 20)},
		{query: "page=-2", wantPage: 1, wantIDs: idRange(newest, 20)},
		{query: "page=%zz", wantPage: 1, wantIDs: idRange(newest, 20)},
		{query: "limit=5", wantPage: 1, wantIDs: idRange(newest, 5)},
		{query: "page=2&limit=30", wantPage: 2, wantIDs: idRange(newest-30, 15)},
		{query: "page=3&limit=30", wantPage: 3, wantIDs: []int64{}},
		{query: "limit=5000", wantPage: 1, wantIDs: idRange(newest, 45)},
		{query: "limit=0", wantPage: 1, wantIDs: idRange(newest, 20)},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			s.Seed(45, "production")
			got := do(t, s.URL, req{path: "/api/1/deploys/?" + tt.query, token: "read-token"})
			require.Equal(t, http.StatusOK, got.status, "body: %s", got.body)
			var answer struct {
				Err    int `json:"err"`
				Result struct {
					Deploys []Deploy `json:"deploys"`
					Page    int      `json:"page"`
				} `json:"result"`
			}
			require.NoError(t, json.Unmarshal(got.body, &answer))
			assert.Contains(t, string(got.body), `"deploys":[`, "never null")
			assert.Equal(t, tt.wantPage, answer.Result.Page)
			ids := []int64{}
			for _, d := range answer.Result.Deploys {
				ids = append(ids, d.ID)
			}
			assert.Equal(t, tt.wantIDs, ids)
		})
	}
}

// idRange is n ids counting down from first.
func idRange(first int64, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = first - int64(i)
	}
	return ids
}

func TestSeedAndReset(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := newServer(t, WithClock(clock.Now))
	s.AddToken("extra", ScopeRead)
	s.Seed(3, "")
	deploys := s.Deploys()
	require.Len(t, deploys, 3)
	assert.Equal(t, "production", deploys[0].Environment, "the default environment")
	assert.Equal(t, clock.Now().Unix(), deploys[2].StartTime, "the newest ends now")
	assert.Less(t, deploys[0].StartTime, deploys[1].StartTime)
	assert.Len(t, deploys[0].Revision, 40)
	assert.NotEqual(t, deploys[0].Revision, deploys[1].Revision)

	do(t, s.URL, req{path: "/api/1/deploys", token: "extra"})
	s.AddItem("v1", "production", Item{}, 0)
	s.Reset()
	assert.Empty(t, s.Deploys())
	assert.Empty(t, s.Requests())
	assert.Equal(t, http.StatusNotFound, do(t, s.URL, req{path: "/api/1/versions/v1?environment=production", token: "extra"}).status, "items are gone")
	got := do(t, s.URL, req{path: "/api/1/deploys", token: "extra"})
	assert.Equal(t, http.StatusOK, got.status, "tokens survive a reset")
	assert.Equal(t, int64(45306460), createDeploy(t, s.URL, map[string]any{"environment": "p", "revision": "r"}), "ids start over")
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	const n = 40
	client := &http.Client{Timeout: 10 * time.Second}
	var wg sync.WaitGroup
	bodies := make(chan string, n)
	for i := range n {
		wg.Go(func() {
			// No require here: only the test goroutine may stop the test.
			got, err := send(client, s.URL, req{method: http.MethodPost, path: "/api/1/deploy", token: "post-token",
				body: fmt.Sprintf(`{"environment":"p","revision":"%d"}`, i)})
			if assert.NoError(t, err) {
				bodies <- string(got.body)
			}
			_, err = send(client, s.URL, req{path: "/api/1/deploys", token: "read-token"})
			assert.NoError(t, err)
			_ = s.Deploys()
			_ = s.Requests()
		})
	}
	wg.Wait()
	close(bodies)
	seen := map[string]bool{}
	for b := range bodies {
		assert.False(t, seen[b], "answer %s given twice", b)
		seen[b] = true
	}
	assert.Len(t, seen, n)
	assert.Len(t, s.Deploys(), n)
	assert.Len(t, s.Requests(), 2*n)
}

func TestRequestsAreRecorded(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := newServer(t, WithClock(clock.Now))
	body := url.Values{"environment": {"p"}, "revision": {"r"}}.Encode()
	do(t, s.URL, req{method: http.MethodPost, path: "/api/1/deploy?x=1", token: "post-token",
		contentType: "application/x-www-form-urlencoded", body: body})
	do(t, s.URL, req{path: "/nowhere"})

	got := s.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, "POST", got[0].Method)
	assert.Equal(t, "/api/1/deploy", got[0].Path)
	assert.Equal(t, "x=1", got[0].RawQuery)
	assert.Equal(t, "post-token", got[0].Header.Get("X-Rollbar-Access-Token"))
	assert.Equal(t, body, string(got[0].Body))
	assert.Equal(t, http.StatusOK, got[0].Status)
	assert.Equal(t, clock.Now().UTC(), got[0].Time)
	assert.Equal(t, http.StatusNotFound, got[1].Status)

	got[0].Header.Set("X-Rollbar-Access-Token", "changed")
	assert.Equal(t, "post-token", s.Requests()[0].Header.Get("X-Rollbar-Access-Token"), "callers get copies")
}
