package rollbartest

import (
	"cmp"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultKinds(t *testing.T) {
	t.Parallel()
	create := req{method: http.MethodPost, path: "/api/1/deploy", token: "post-token",
		contentType: "application/json", body: `{"environment":"production","revision":"abc"}`}
	tests := []struct {
		name          string
		fault         Fault
		clientTimeout time.Duration
		wantErr       bool // no answer at all
		wantStatus    int
		wantType      string
		wantBody      string
		wantHeader    map[string]string
		wantRecorded  bool
		wantSlow      time.Duration
	}{
		{name: "status", fault: Fault{Kind: FaultStatus}, wantStatus: 503, wantType: "application/json",
			wantBody: `{"err":1,"message":"Service Unavailable"}`},
		{name: "empty kind is status", fault: Fault{Status: 500}, wantStatus: 500, wantType: "application/json",
			wantBody: `{"err":1,"message":"Internal Server Error"}`},
		{name: "rate limited", fault: Fault{Kind: FaultStatus, Status: 429, Header: map[string]string{"X-Rate-Limit-Remaining-Seconds": "2", "Retry-After": "2"}},
			wantStatus: 429, wantHeader: map[string]string{"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Remaining-Seconds": "2", "Retry-After": "2", "X-Rate-Limit-Limit": "5000"}},
		{name: "status with its own body", fault: Fault{Kind: FaultStatus, Status: 502, Body: "<html>Bad Gateway</html>"},
			wantStatus: 502, wantType: "text/html; charset=utf-8", wantBody: "<html>Bad Gateway</html>"},
		{name: "status after a delay", fault: Fault{Kind: FaultStatus, Delay: 100 * time.Millisecond}, wantStatus: 503, wantSlow: 100 * time.Millisecond},
		{name: "cut", fault: Fault{Kind: FaultCut}, wantErr: true},
		{name: "record then status", fault: Fault{Kind: FaultRecordThenStatus}, wantStatus: 502, wantRecorded: true,
			wantBody: `{"err":1,"message":"Bad Gateway"}`},
		{name: "record then 504", fault: Fault{Kind: FaultRecordThenStatus, Status: 504}, wantStatus: 504, wantRecorded: true},
		{name: "record then cut", fault: Fault{Kind: FaultRecordThenCut}, wantErr: true, wantRecorded: true},
		{name: "slow", fault: Fault{Kind: FaultSlow, Delay: 200 * time.Millisecond}, wantStatus: 200, wantRecorded: true,
			wantSlow: 200 * time.Millisecond, wantBody: `{"data":{"deploy_id":45306460}}`},
		{name: "hang", fault: Fault{Kind: FaultHang}, clientTimeout: 200 * time.Millisecond, wantErr: true},
		{name: "garbage", fault: Fault{Kind: FaultGarbage}, wantStatus: 200, wantType: "text/html; charset=utf-8"},
		{name: "garbage of its own", fault: Fault{Kind: FaultGarbage, Body: "OK"}, wantStatus: 200, wantType: "text/plain; charset=utf-8", wantBody: "OK"},
		{name: "unknown kind", fault: Fault{Kind: "explode"}, wantStatus: 500, wantBody: `{"err":1,"message":"rollbartest: unknown fault kind \"explode\""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			s.Inject(tt.fault)
			client := &http.Client{Timeout: cmp.Or(tt.clientTimeout, 10*time.Second)}
			began := time.Now()
			got, err := send(client, s.URL, create)
			if tt.wantErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.wantStatus, got.status)
				if tt.wantType != "" {
					assert.Equal(t, tt.wantType, got.header.Get("Content-Type"))
				}
				if tt.wantBody != "" {
					assert.Equal(t, tt.wantBody, strings.TrimSpace(string(got.body)))
				}
				for k, v := range tt.wantHeader {
					assert.Equal(t, v, got.header.Get(k), k)
				}
			}
			if tt.fault.Kind == FaultGarbage {
				assert.False(t, json.Valid(got.body), "garbage is not JSON: %s", got.body)
			}
			assert.GreaterOrEqual(t, time.Since(began), tt.wantSlow)
			if tt.wantRecorded {
				assert.Len(t, s.Deploys(), 1, "the deploy was recorded")
			} else {
				assert.Empty(t, s.Deploys(), "the request was not processed")
			}
			reqs := s.Requests()
			require.Len(t, reqs, 1, "faulted requests are recorded")
			if !tt.wantErr {
				assert.Equal(t, tt.wantStatus, reqs[0].Status)
			}

			next := do(t, s.URL, create)
			assert.Equal(t, http.StatusOK, next.status, "a fault applies once by default")
		})
	}
}

func TestFaultMatching(t *testing.T) {
	t.Parallel()
	create := req{method: http.MethodPost, path: "/api/1/deploy", token: "post-token",
		contentType: "application/json", body: `{"environment":"production","revision":"abc"}`}
	list := req{path: "/api/1/deploys", token: "read-token"}
	get := req{path: "/api/1/deploy/45306460/", token: "read-token"}
	version := req{path: "/api/1/versions/abc?environment=production", token: "read-token"}
	items := req{path: "/api/1/versions/abc/items?environment=production&event=new", token: "read-token"}
	tests := []struct {
		name   string
		faults []Fault
		reqs   []req
		want   []int
	}{
		{name: "times", faults: []Fault{{Status: 503, Times: 2}},
			reqs: []req{create, create, create}, want: []int{503, 503, 200}},
		{name: "in order", faults: []Fault{{Status: 503}, {Status: 502}},
			reqs: []req{create, create, create}, want: []int{503, 502, 200}},
		{name: "by method", faults: []Fault{{Method: "get", Status: 503}},
			reqs: []req{create, list, list}, want: []int{200, 503, 200}},
		{name: "by path", faults: []Fault{{Path: "/api/1/deploys", Status: 503}},
			reqs: []req{create, get, list, list}, want: []int{200, 200, 503, 200}},
		{name: "a path covers the paths below it", faults: []Fault{{Path: "/api/1/deploy/", Status: 503, Times: 3}},
			reqs: []req{list, create, get, create}, want: []int{200, 503, 503, 503}},
		{name: "versions too", faults: []Fault{{Path: "/api/1/versions", Status: 502, Times: 2}},
			reqs: []req{create, version, items, version}, want: []int{200, 502, 502, 200}},
		{name: "first match wins", faults: []Fault{{Method: "GET", Status: 502}, {Status: 503}},
			reqs: []req{create, list, create}, want: []int{503, 502, 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			for _, f := range tt.faults {
				s.Inject(f)
			}
			var got []int
			for _, r := range tt.reqs {
				got = append(got, do(t, s.URL, r).status)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestHangEndsOnClose(t *testing.T) {
	t.Parallel()
	s := NewServer()
	t.Cleanup(s.Close) // in case the test stops early; Close twice is fine
	s.Inject(Fault{Kind: FaultHang})
	s.Inject(Fault{Kind: FaultSlow, Delay: time.Hour})
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := send(&http.Client{}, s.URL, req{path: "/api/1/deploys", token: "read-token"})
			errs <- err
		}()
	}
	require.Eventually(t, func() bool { return len(s.Requests()) == 2 }, 5*time.Second, 10*time.Millisecond)

	closed := make(chan struct{})
	go func() {
		s.Close()
		close(closed)
	}()
	for range 2 {
		select {
		case err := <-errs:
			assert.Error(t, err, "cut, not answered")
		case <-time.After(5 * time.Second):
			t.Fatal("a held request outlived Close")
		}
	}
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
}

func TestFaultJSON(t *testing.T) {
	t.Parallel()
	f := Fault{Method: "POST", Path: "/api/1/deploy", Times: 2, Kind: FaultSlow, Status: 0,
		Header: map[string]string{"Retry-After": "1"}, Body: "x", Delay: 2 * time.Second}
	b, err := json.Marshal(f)
	require.NoError(t, err)
	assert.JSONEq(t, `{"method":"POST","path":"/api/1/deploy","times":2,"kind":"slow",
		"header":{"Retry-After":"1"},"body":"x","delay":"2s"}`, string(b))
	var back Fault
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, f, back)

}
