package rollbartest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// newServer starts a fake that is closed when the test ends.
func newServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

func newClock() *Clock { return NewClock(time.Unix(1605086087, 0)) }

// req is one request to send to the fake.
type req struct {
	method, path, token, contentType, body string
}

type reply struct {
	status int
	header http.Header
	body   []byte
}

// send sends a request with a plain client, as any Rollbar client would.
func send(client *http.Client, base string, r req) (reply, error) {
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	hr, err := http.NewRequest(cmp.Or(r.method, http.MethodGet), base+r.path, body)
	if err != nil {
		return reply{}, err
	}
	if r.token != "" {
		hr.Header.Set("X-Rollbar-Access-Token", r.token)
	}
	if r.contentType != "" {
		hr.Header.Set("Content-Type", r.contentType)
	}
	resp, err := client.Do(hr)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, err
}

// do sends a request that must get an answer.
func do(t *testing.T, base string, r req) reply {
	t.Helper()
	got, err := send(&http.Client{Timeout: 10 * time.Second}, base, r)
	require.NoError(t, err)
	return got
}

// object decodes a JSON object answer.
func (r reply) object(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

// message is the message of a Rollbar error answer.
func (r reply) message(t *testing.T) string {
	t.Helper()
	m := r.object(t)
	require.Equal(t, float64(1), m["err"], "body: %s", r.body)
	msg, _ := m["message"].(string)
	return msg
}

// result is the result object of a Rollbar success answer.
func (r reply) result(t *testing.T) map[string]any {
	t.Helper()
	m := r.object(t)
	require.Equal(t, float64(0), m["err"], "body: %s", r.body)
	res, ok := m["result"].(map[string]any)
	require.True(t, ok, "body: %s", r.body)
	return res
}

// createDeploy creates a deploy and returns its id.
func createDeploy(t *testing.T, base string, fields map[string]any) int64 {
	t.Helper()
	body, err := json.Marshal(fields)
	require.NoError(t, err)
	got := do(t, base, req{method: http.MethodPost, path: "/api/1/deploy", token: "post-token",
		contentType: "application/json", body: string(body)})
	require.Equal(t, http.StatusOK, got.status, "body: %s", got.body)
	var created struct {
		Data struct {
			DeployID int64 `json:"deploy_id"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(got.body, &created))
	return created.Data.DeployID
}

// part is one multipart field; file parts have a file name.
type part struct {
	name, filename, content string
}

func multipartBody(parts ...part) (contentType, body string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		var fw io.Writer
		if p.filename != "" {
			fw, _ = w.CreateFormFile(p.name, p.filename)
		} else {
			fw, _ = w.CreateFormField(p.name)
		}
		_, _ = io.WriteString(fw, p.content)
	}
	_ = w.Close()
	return w.FormDataContentType(), b.String()
}
