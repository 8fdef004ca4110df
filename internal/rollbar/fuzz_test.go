package rollbar

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/sethvargo/go-retry"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fuzzToken = "tok-fuzz-6d0b2f8e41a7"

// fuzzServer answers every request with whatever the current fuzz input says.
type fuzzServer struct {
	mu     sync.Mutex
	status int
	header http.Header
	body   []byte
}

func (s *fuzzServer) set(status int, header http.Header, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.header, s.body = status, header, body
}

func (s *fuzzServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	status, header, body := s.status, s.header, s.body
	s.mu.Unlock()
	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// FuzzClientAnswers: whatever status and body Rollbar (or a proxy) answers,
// every call returns a value or an error that names what failed, never
// panics, never carries the token, and is one line.
func FuzzClientAnswers(f *testing.F) {
	seeds := []struct {
		op     uint8
		status uint16
		body   string
	}{
		{0, 200, `{"data":{"deploy_id":45306460}}`},
		{0, 200, `{"data":{}}`},
		{0, 200, `{"data":{"deploy_id":"x"}}`},
		{0, 200, `<html>maintenance</html>`},
		{0, 200, `{"err":1,"message":"odd"}`},
		{0, 502, `<html>Bad Gateway</html>`},
		{0, 429, `{"err":1,"message":"rate limit"}`},
		{1, 200, `{"err":0,"result":{"id":1,"status":"succeeded"}}`},
		{1, 422, `{"err":1,"message":"The deploy can not be updated because its status is not started."}`},
		{2, 200, `{"err":0,"result":{"id":8387647,"project_id":67454,"user_id":null,"environment":"unit-tests","revision":"99909a3a","local_username":null,"comment":null,"start_time":1522095147,"finish_time":1522095148,"status":"succeeded"}}`},
		{2, 200, `{"err":0,"result":null}`},
		{2, 404, `{"err":1,"message":"Deploy not found in this project."}`},
		{3, 200, `{"err":0,"result":{"deploys":[{"id":1},{"id":2}],"page":1}}`},
		{3, 200, `{"err":0,"result":{"deploys":null}}`},
		{3, 200, `{"err":0,"result":{"deploys":{}}}`},
		{3, 403, `{"err":1,"message":"insufficient privileges\n::error::forged\u001b[31m"}`},
		{4, 200, `{"err":0,"result":{}}`},
		{4, 413, ``},
		{0, 200, "\xff\xfe\x00"},
		{0, 301, `{"err":1}`},
		{0, 204, ``},
	}
	for _, s := range seeds {
		f.Add(s.op, s.status, []byte(s.body), "")
	}
	f.Add(uint8(0), uint16(429), []byte(`{}`), "1")
	f.Add(uint8(3), uint16(503), []byte(`{}`), "Wed, 21 Oct 2015 07:28:00 GMT")

	srv := &fuzzServer{}
	ts := httptest.NewServer(srv)
	f.Cleanup(ts.Close)

	f.Fuzz(func(t *testing.T, op uint8, code uint16, body []byte, retryAfter string) {
		status := int(code)
		if status < 200 || status > 599 {
			status = 200 + status%400 // what a server can answer finally: 200 to 599
		}
		header := http.Header{}
		if retryAfter != "" && !strings.ContainsAny(retryAfter, "\r\n\x00") {
			header.Set("Retry-After", retryAfter)
		}
		srv.set(status, header, body)
		c := &Client{BaseURL: ts.URL, Token: fuzzToken, UserAgent: "fuzz",
			// One quick retry: the retry path runs, and a 5xx costs no time.
			Backoff: func() retry.Backoff { return retry.WithMaxRetries(1, retry.NewConstant(time.Millisecond)) }}
		// Short, so that a Retry-After of a second or more ends the call at once.
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		defer cancel()

		var err error
		switch op % 5 {
		case 0:
			var id int64
			id, err = c.Create(ctx, NewDeploy{Environment: "production", Revision: "abc"})
			if err == nil {
				assert.NotZero(t, id, "a create without an id is an error")
			}
		case 1:
			_, err = c.Update(ctx, 45306460, Update{Status: "succeeded"})
		case 2:
			_, err = c.Get(ctx, 45306460)
		case 3:
			_, err = c.List(ctx, 1, 0)
		case 4:
			err = c.UploadSourceMap(ctx, SourceMap{Version: "abc", MinifiedURL: "https://example.com/a.js", Name: "a.js.map", Size: 2,
				Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("{}")), nil }})
		}
		if err == nil {
			assert.Less(t, status, 300, "only a 2xx succeeds")
			return
		}
		checkFuzzError(t, err, status, body)
	})
}

func checkFuzzError(t *testing.T, err error, status int, body []byte) {
	t.Helper()
	var api *APIError
	var resp *ResponseError
	var netErr *NetworkError
	var endpoint *EndpointError
	require.True(t, errors.As(err, &api) || errors.As(err, &resp) || errors.As(err, &netErr) || errors.As(err, &endpoint),
		"an error of the client's own: %T %v", err, err)
	msg := err.Error()
	if !strings.Contains(string(body), fuzzToken) {
		assert.NotContains(t, msg, fuzzToken)
	}
	assert.NotContains(t, msg, "127.0.0.1", "no URL in errors")
	assert.False(t, strings.ContainsFunc(msg, unicode.IsControl), "one line, no control characters: %q", msg)
	if endpoint != nil {
		assert.True(t, status == 400 || status == 404 || status >= 300 && status < 400,
			"only a redirect, or a 400 or 404 that is not Rollbar's, points at api_url: %v", err)
		assert.False(t, Transient(err))
		return
	}
	if status >= 300 && netErr == nil {
		require.NotNil(t, api, "a non-2xx answer is an APIError: %v", err)
		assert.Equal(t, status, api.Status)
		assert.Contains(t, msg, strconv.Itoa(status))
		assert.Equal(t, status == 429 || status >= 500, Transient(err))
	}
}

// FuzzRetryAfter: whatever the rate-limit headers say, the wait is never
// negative, and a sane request is honoured exactly.
func FuzzRetryAfter(f *testing.F) {
	f.Add(uint16(429), "55", "1605086147", "")
	f.Add(uint16(429), "", "1700000010", "")
	f.Add(uint16(503), "55", "", "7")
	f.Add(uint16(503), "", "", "Wed, 21 Oct 2015 07:28:00 GMT")
	f.Add(uint16(429), "9223372037", "", "")
	f.Add(uint16(429), "-3", "99999999999999999", "soon")
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, code uint16, remaining, reset, retry string) {
		h := http.Header{}
		for k, v := range map[string]string{"X-Rate-Limit-Remaining-Seconds": remaining, "X-Rate-Limit-Reset": reset, "Retry-After": retry} {
			if v != "" {
				h.Set(k, v)
			}
		}
		status := int(code)
		if status < 200 || status > 599 {
			status = 200 + status%400
		}
		d := retryAfter(&http.Response{StatusCode: status, Header: h}, now)
		assert.GreaterOrEqual(t, d, time.Duration(0))
		if status < 429 || status > 429 && status < 500 {
			assert.Zero(t, d, "only a 429 or a 5xx asks to wait")
		}
		if s, err := strconv.Atoi(remaining); err == nil && s > 0 && s <= 3600 && status == 429 {
			assert.Equal(t, time.Duration(s)*time.Second, d)
		}
	})
}
