package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/cli"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
)

// benchServer serves n deploys, 20 a page newest first, from bodies encoded
// once, and answers a create; it samples the live heap at every page.
type benchServer struct {
	*httptest.Server
	mu   sync.Mutex
	peak uint64
	live []metrics.Sample
}

func newBenchServer(b *testing.B, n int) *benchServer {
	b.Helper()
	var pages [][]byte
	for first := n; first > 0; first -= 20 {
		var deploys []map[string]any
		for id := first; id > max(first-20, 0); id-- {
			deploys = append(deploys, map[string]any{
				"id": id, "project_id": 67454, "user_id": nil, "environment": "production",
				"revision": fmt.Sprintf("%040x", id), "local_username": "octocat",
				"comment":    "https://github.com/acme/shop/actions/runs/" + strconv.Itoa(id),
				"start_time": 1_700_000_000 + id, "finish_time": 1_700_000_060 + id, "status": "succeeded",
			})
		}
		body, err := json.Marshal(map[string]any{"err": 0, "result": map[string]any{"deploys": deploys, "page": len(pages) + 1}})
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, body)
	}
	s := &benchServer{live: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	empty := []byte(`{"err":0,"result":{"deploys":[],"page":0}}`)
	created := []byte(`{"data":{"deploy_id":45306460}}`)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			_, _ = io.Copy(io.Discard, r.Body)
			_, _ = w.Write(created)
			return
		}
		s.sample()
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page < 1 || page > len(pages) {
			_, _ = w.Write(empty)
			return
		}
		_, _ = w.Write(pages[page-1])
	}))
	b.Cleanup(s.Close)
	return s
}

func (s *benchServer) sample() {
	s.mu.Lock()
	defer s.mu.Unlock()
	metrics.Read(s.live)
	if v := s.live[0].Value; v.Kind() == metrics.KindUint64 {
		s.peak = max(s.peak, v.Uint64())
	}
}

// resetPeak starts peak measurement from the live heap after a collection
// (the server's pages among it), and returns that base.
func (s *benchServer) resetPeak() uint64 {
	runtime.GC()
	s.mu.Lock()
	s.peak = 0
	s.mu.Unlock()
	s.sample()
	return s.peak
}

func benchCommand(env map[string]string) *cli.Command {
	return &cli.Command{
		Stdout: io.Discard, Stderr: io.Discard,
		Getenv:   func(k string) string { return env[k] },
		ReadFile: func(string) ([]byte, error) { return nil, io.EOF },
		Now:      time.Now,
		Dir:      ".",
		Version:  "bench",
		Git: func(context.Context, string) (git.Commit, error) {
			return git.Commit{SHA: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", Committer: "Jane"}, nil
		},
	}
}

// BenchmarkListAllJSON is `list --all --json` over 1,000 and 10,000 deploys,
// written to io.Discard. Rows stream out as pages arrive: the bytes and
// allocations per deploy, and the peak live heap, are the same for both
// counts, so memory does not grow with the number of deploys.
func BenchmarkListAllJSON(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run("deploys="+strconv.Itoa(n), func(b *testing.B) {
			srv := newBenchServer(b, n)
			cmd := benchCommand(map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_READ_ACCESS_TOKEN": "read-token", "ROLLBAR_TIMEOUT": "1m"})
			ctx := context.Background()
			base := srv.resetPeak()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ReportAllocs()
			for b.Loop() {
				if code := cmd.Main(ctx, []string{"list", "--all", "--json"}); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
			runtime.ReadMemStats(&after)
			deploys := float64(b.N) * float64(n)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/deploys, "B/deploy")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/deploys, "allocs/deploy")
			b.ReportMetric(float64(max(srv.peak, base)-base)/(1<<10), "peak-live-KB")
		})
	}
}

// BenchmarkRecord is one whole record in process, as in GitHub Actions:
// detect the CI, resolve the settings, send, print the id.
func BenchmarkRecord(b *testing.B) {
	srv := newBenchServer(b, 0)
	cmd := benchCommand(map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_SHA": "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "GITHUB_ACTOR": "octocat",
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "11960822866",
		"INPUT_ENVIRONMENT": "production", "ROLLBAR_ACCESS_TOKEN": "post-token", "ROLLBAR_API_URL": srv.URL,
	})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if code := cmd.Main(ctx, nil); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
