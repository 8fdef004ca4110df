package config_test

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/rollbar-deploy/rollbar-deploy/internal/ci"
	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
)

// benchGitHubEnv is a recorded GitHub Actions environment with every input of
// action.yml set as the runner sets them ("" when not given), and the push
// event payload the runner points at.
func benchGitHubEnv(b *testing.B) (func(string) string, ci.ReadFile) {
	b.Helper()
	f, err := os.Open("../ci/testdata/github-actions.env")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	for _, s := range config.Table {
		env["INPUT_"+strings.ToUpper(string(s.Name))] = ""
	}
	env["INPUT_ENVIRONMENT"] = "production"
	env["ROLLBAR_ACCESS_TOKEN"] = "post-token"
	event, err := os.ReadFile("../ci/testdata/github-push.json")
	if err != nil {
		b.Fatal(err)
	}
	readFile := func(path string) ([]byte, error) {
		if path != env["GITHUB_EVENT_PATH"] {
			return nil, os.ErrNotExist
		}
		return event, nil
	}
	return func(k string) string { return env[k] }, readFile
}

// BenchmarkResolveGitHub is what a run in GitHub Actions does before it
// sends anything: detect the CI (reading the event payload) and resolve every
// setting. No git runs: the variables tell everything.
func BenchmarkResolveGitHub(b *testing.B) {
	getenv, readFile := benchGitHubEnv(b)
	noGit := func() (git.Commit, error) { return git.Commit{}, errors.New("git must not run") }
	b.ReportAllocs()
	for b.Loop() {
		cfg, err := config.Resolve(config.Input{Getenv: getenv, CI: ci.Detect(getenv, readFile), Git: noGit})
		if err != nil || cfg.Revision == "" || cfg.Environment != "production" {
			b.Fatalf("resolve: %v", err)
		}
	}
}

// BenchmarkResolveFlags is a plain CLI run with everything on the command line.
func BenchmarkResolveFlags(b *testing.B) {
	flags := map[config.Name]string{config.Environment: "production", config.Revision: "0a1b2c3d",
		config.LocalUsername: "jane", config.AccessToken: "post-token", config.Status: "started"}
	getenv := func(string) string { return "" }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := config.Resolve(config.Input{Flags: flags, Getenv: getenv, CI: ci.Detect(getenv, nil)}); err != nil {
			b.Fatal(err)
		}
	}
}
