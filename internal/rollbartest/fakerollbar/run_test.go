package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is written by run and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the command, which writes its base URL to addrFile, until the
// test calls stop, which returns the exit code.
func start(t *testing.T, addrFile string, args ...string) (url string, stdout, stderr *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() { code <- run(ctx, append([]string{"-addr-file", addrFile}, args...), stdout, stderr) }()
	stop = func() int {
		cancel()
		select {
		case c := <-code:
			return c
		case <-time.After(10 * time.Second):
			t.Fatal("run did not return after its context ended")
			return -1
		}
	}
	t.Cleanup(func() { cancel() })
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(addrFile)
		url = strings.TrimSpace(string(b))
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "stderr: %s", stderr)
	return url, stdout, stderr, stop
}

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	addrFile := filepath.Join(t.TempDir(), "url")
	url, stdout, stderr, stop := start(t, addrFile, "-addr", "127.0.0.1:0")
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, url)
	assert.Equal(t, url+"\n", stdout.String(), "the URL is printed once listening")

	resp, err := http.Post(url+"/api/1/deploy?access_token=post-token", "application/x-www-form-urlencoded",
		strings.NewReader("environment=e&revision=r"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "body: %s", body)
	assert.Eventually(t, func() bool { return strings.Contains(stderr.String(), "path=/api/1/deploy status=200") },
		5*time.Second, 10*time.Millisecond, "requests are logged: %s", stderr)
	assert.NotContains(t, stderr.String(), "post-token", "tokens stay out of the log")

	assert.Equal(t, 0, stop())
	assert.NoFileExists(t, addrFile, "a stale file would announce a dead server")
	resp, err2 := http.Get(url + "/_fake/deploys")
	if err2 == nil {
		resp.Body.Close()
	}
	assert.Error(t, err2, "stopped listening")
}

func TestRunReleasesHungRequests(t *testing.T) {
	t.Parallel()
	url, _, stderr, stop := start(t, filepath.Join(t.TempDir(), "url"), "-quiet", "-deploy-timeout", "5s", "-not-started-status", "422")
	resp, err := http.Post(url+"/_fake/faults", "application/json", strings.NewReader(`{"kind":"hang"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	errs := make(chan error, 1)
	go func() {
		resp, err := http.Get(url + "/api/1/deploys?access_token=read-token")
		if err == nil {
			resp.Body.Close()
		}
		errs <- err
	}()
	require.Eventually(t, func() bool {
		resp, err := http.Get(url + "/_fake/requests")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), "/api/1/deploys")
	}, 10*time.Second, 10*time.Millisecond)

	began := time.Now()
	assert.Equal(t, 0, stop())
	assert.Less(t, time.Since(began), 4*time.Second, "shutdown did not wait for the hang")
	assert.Error(t, <-errs)
	assert.Empty(t, stderr.String(), "-quiet")
}

func TestRunRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{name: "all interfaces", args: []string{"-addr", "0.0.0.0:0"}, wantCode: 1, wantStderr: "refusing to listen"},
		{name: "no host", args: []string{"-addr", ":0"}, wantCode: 1, wantStderr: "refusing to listen"},
		{name: "another host", args: []string{"-addr", "192.0.2.1:0"}, wantCode: 1, wantStderr: "refusing to listen"},
		{name: "a host name", args: []string{"-addr", "example.com:0"}, wantCode: 1, wantStderr: "refusing to listen"},
		{name: "no port", args: []string{"-addr", "127.0.0.1"}, wantCode: 1, wantStderr: "missing port"},
		{name: "unknown flag", args: []string{"-port", "1"}, wantCode: 2, wantStderr: "flag provided but not defined"},
		{name: "extra arguments", args: []string{"serve"}, wantCode: 2, wantStderr: "unexpected arguments"},
		{name: "help", args: []string{"-h"}, wantCode: 0, wantStderr: "-addr-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			assert.Equal(t, tt.wantCode, code)
			assert.Contains(t, stderr.String(), tt.wantStderr)
			assert.Empty(t, stdout.String())
		})
	}
}
