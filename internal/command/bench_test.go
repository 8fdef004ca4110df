package command

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

// BenchmarkRecord is one whole record in process, as in GitHub Actions:
// detect the CI, resolve the settings, send, print the id. Process start
// and the network are what a real run adds (scripts/bench.sh).
func BenchmarkRecord(b *testing.B) {
	fake := rollbartest.NewServer(rollbartest.WithRateLimit(1 << 30))
	defer fake.Close()
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_SHA": "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "GITHUB_ACTOR": "octocat",
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_RUN_ID": "11960822866",
		"INPUT_ENVIRONMENT": "production", "ROLLBAR_ACCESS_TOKEN": "post-token", "ROLLBAR_API_URL": fake.URL,
	}
	cli := &CLI{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }, Now: time.Now, Dir: "."}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if code := cli.Main(ctx, nil); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
