// Package scenario runs the flows of rollbar-deploy as testscript scenarios
// (testdata/*.txtar): each script sets a CI's variables, runs the command as
// that CI would, and checks its output, the files it leaves for the CI and
// what the fake Rollbar, running inside the test, was sent.
package scenario

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/rollbar-deploy/rollbar-deploy/internal/command"
	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff/handofftest"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

// rollbarDeploy is main.go's entry point, run in the test binary.
func rollbarDeploy() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return command.Main(ctx, command.Process{
		Args: os.Args[1:], Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Environ: os.Environ, ReadFile: os.ReadFile, Getwd: os.Getwd, Now: time.Now,
	}, "test")
}

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"rollbar-deploy": func() { os.Exit(rollbarDeploy()) }})
}

// Distinctive tokens, so that a leak anywhere is found by a plain search.
var tokens = map[string]struct {
	value  string
	scopes []rollbartest.Scope
}{
	"TOKEN":      {"tok-both-3a7d5c1e9b24", []rollbartest.Scope{rollbartest.ScopePost, rollbartest.ScopeRead}},
	"POST_TOKEN": {"tok-post-5e1f0c9a7d3b", []rollbartest.Scope{rollbartest.ScopePost}},
	"READ_TOKEN": {"tok-read-92c4e8b1a6f0", []rollbartest.Scope{rollbartest.ScopeRead}},
	"DEAD_TOKEN": {"tok-dead-0f8e6d4c2b1a", nil}, // unknown to the fake: 401
}

// fake is one script's Rollbar. Its clock is the real one moved on by
// "fake advance", or a fixed time after "fake clock", for golden times.
type fake struct {
	*rollbartest.Server
	mu     sync.Mutex
	fixed  time.Time
	offset time.Duration
}

func (f *fake) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fixed.IsZero() {
		return time.Now().Add(f.offset)
	}
	return f.fixed.Add(f.offset)
}

func TestScenarios(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                "testdata",
		RequireUniqueNames: true,
		UpdateScripts:      os.Getenv("UPDATE_SCENARIOS") != "",
		Setup:              setup,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){"fake": cmdFake, "requests": cmdRequests,
			"deploys": positive(cmdDeploys), "deploy": positive(cmdDeploy), "exits": positive(cmdExits), "cifile": positive(cmdCIFile),
			"dotenv": positive(cmdDotenv), "noleak": positive(cmdNoLeak), "forget": positive(cmdForget)},
	})
}

// positive is a command that has no negated form: "! noleak" is refused,
// not taken for "noleak".
func positive(cmd func(*testscript.TestScript, bool, []string)) func(*testscript.TestScript, bool, []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if neg {
			ts.Fatalf("this command has no negated form")
		}
		cmd(ts, false, args)
	}
}

func setup(env *testscript.Env) error {
	f := &fake{}
	f.Server = rollbartest.NewServer(rollbartest.WithClock(f.now))
	env.Defer(f.Close)
	env.Values["fake"] = f
	env.Setenv("FAKE_URL", f.URL)
	for name, tok := range tokens {
		if tok.scopes != nil {
			f.AddToken(tok.value, tok.scopes...)
		}
		env.Setenv(name, tok.value)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	env.Setenv("REFUSED_URL", "http://"+ln.Addr().String()) // nothing listens there
	// A TLS server whose certificate no system trusts, as an inspecting
	// proxy's is to a runner without its CA.
	inspected := httptest.NewUnstartedServer(f.Server)
	inspected.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes it refuses are the point
	inspected.StartTLS()
	env.Defer(inspected.Close)
	env.Setenv("UNTRUSTED_URL", inspected.URL)
	env.Setenv("NL", "\n") // scripts cannot write line breaks in values
	env.Setenv("CR", "\r")
	env.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	return ln.Close()
}

func fakeOf(ts *testscript.TestScript) *fake { return ts.Value("fake").(*fake) }

// cmdFake drives the fake: fault KIND [method= path= times= status= body= header=K:V... delay=DURATION],
// item VERSION ENV [level= event= title= counter= occurrences= after= first= listed= counted= stamped= count=],
// seed N ENV, timeout ID, advance DURATION, clock RFC3339, await N, reset, close.
func cmdFake(ts *testscript.TestScript, neg bool, args []string) {
	f := fakeOf(ts)
	if neg || len(args) == 0 {
		ts.Fatalf("usage: fake fault|item|seed|timeout|advance|clock|await|reset ...")
	}
	switch args[0] {
	case "fault":
		fault := rollbartest.Fault{Kind: rollbartest.FaultKind(args[1]), Header: map[string]string{}}
		fields(ts, args[2:], map[string]func(string) error{
			"method": func(v string) error { fault.Method = v; return nil },
			"path":   func(v string) error { fault.Path = v; return nil },
			"times":  func(v string) (err error) { fault.Times, err = strconv.Atoi(v); return err },
			"status": func(v string) (err error) { fault.Status, err = strconv.Atoi(v); return err },
			"body":   func(v string) error { fault.Body = v; return nil },
			"header": func(v string) error { k, val, _ := strings.Cut(v, ":"); fault.Header[k] = val; return nil },
			"delay":  func(v string) (err error) { fault.Delay, err = time.ParseDuration(v); return err },
		})
		f.Inject(fault)
	case "item": // item VERSION ENV [level= event= title= counter= occurrences= after= first= listed= counted= stamped= count=]
		it, after, count := rollbartest.Item{}, time.Duration(0), 1
		duration := func(to *time.Duration) func(string) error {
			return func(v string) (err error) { *to, err = time.ParseDuration(v); return err }
		}
		fields(ts, args[3:], map[string]func(string) error{
			"level":       func(v string) error { it.Level = v; return nil },
			"event":       func(v string) error { it.Event = v; return nil },
			"title":       func(v string) error { it.Title = v; return nil },
			"counter":     func(v string) (err error) { it.Counter, err = strconv.ParseInt(v, 10, 64); return err },
			"occurrences": func(v string) (err error) { it.Occurrences, err = strconv.ParseInt(v, 10, 64); return err },
			"count":       func(v string) (err error) { count, err = strconv.Atoi(v); return err },
			"after":       duration(&after), // its last occurrence, from the fake's now (before it when negative)
			"first":       duration(&it.FirstBefore),
			"listed":      duration(&it.ListedAfter),
			"counted":     duration(&it.CountedAfter),
			"stamped":     duration(&it.StampedAfter),
		})
		for range count {
			f.AddItem(args[1], args[2], it, after)
		}
	case "seed":
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		f.Seed(n, args[2])
	case "timeout":
		id, err := strconv.ParseInt(args[1], 10, 64)
		ts.Check(err)
		if !f.TimeOut(id) {
			ts.Fatalf("deploy %d is not started", id)
		}
	case "advance":
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		f.mu.Lock()
		f.offset += d
		f.mu.Unlock()
	case "clock":
		t, err := time.Parse(time.RFC3339, args[1])
		ts.Check(err)
		f.mu.Lock()
		f.fixed = t
		f.mu.Unlock()
	case "await": // until the fake has been sent N requests
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		for deadline := time.Now().Add(10 * time.Second); len(f.Requests()) < n; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				ts.Fatalf("the fake was sent %d requests, want %d", len(f.Requests()), n)
			}
		}
	case "reset":
		tokensInHeaderOnly(ts, f.Requests()) // what the reset forgets is checked too
		f.Reset()
	default:
		ts.Fatalf("unknown fake command %q", args[0])
	}
}

// cmdForget unsets every way of giving a token and removes the files a run
// left for the CI (forget FILE...), so that the next case starts clean.
func cmdForget(ts *testscript.TestScript, neg bool, args []string) {
	for _, k := range []string{"ROLLBAR_ACCESS_TOKEN", "ROLLBAR_READ_ACCESS_TOKEN", "INPUT_ACCESS_TOKEN", "INPUT_READ-ACCESS-TOKEN",
		"PLUGIN_ACCESS_TOKEN", "PLUGIN_READ_ACCESS_TOKEN", "PLUGIN_ACCESS-TOKEN"} {
		ts.Setenv(k, "")
	}
	for _, f := range args {
		ts.Check(os.RemoveAll(ts.MkAbs(f)))
	}
}

// fields applies KEY=VALUE arguments through the setter of each key.
func fields(ts *testscript.TestScript, args []string, set map[string]func(string) error) {
	for _, kv := range args {
		k, v, _ := strings.Cut(kv, "=")
		f, ok := set[k]
		if !ok {
			ts.Fatalf("unknown field %q", k)
		}
		ts.Check(f(v))
	}
}

// cmdExits runs a command, as exec does, and checks its exit code:
// exits N COMMAND ARGS...
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	var exit *exec.ExitError
	if err := ts.Exec(args[1], args[2:]...); errors.As(err, &exit) {
		got = exit.ExitCode()
	} else {
		ts.Check(err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// cmdDeploys checks how many deploys the fake holds.
func cmdDeploys(ts *testscript.TestScript, neg bool, args []string) {
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	if got := len(fakeOf(ts).Deploys()); got != n {
		ts.Fatalf("the fake holds %d deploys, want %d", got, n)
	}
}

// cmdDeploy checks fields of the deploy with an id, as Rollbar shows them
// (JSON names; null is empty).
func cmdDeploy(ts *testscript.TestScript, neg bool, args []string) {
	for _, d := range fakeOf(ts).Deploys() {
		if strconv.FormatInt(d.ID, 10) != args[0] {
			continue
		}
		data, err := json.Marshal(d)
		ts.Check(err)
		var fields map[string]any
		ts.Check(json.Unmarshal(data, &fields))
		for _, kv := range args[1:] {
			k, want, _ := strings.Cut(kv, "=")
			if _, ok := fields[k]; !ok {
				ts.Fatalf("a deploy has no field %q", k)
			}
			got := fmt.Sprint(fields[k])
			if fields[k] == nil {
				got = ""
			} else if n, ok := fields[k].(float64); ok {
				got = strconv.FormatFloat(n, 'f', -1, 64)
			}
			if got != want {
				ts.Fatalf("deploy %s: %s is %q, want %q", args[0], k, got, want)
			}
		}
		return
	}
	ts.Fatalf("no deploy %s in %v", args[0], fakeOf(ts).Deploys())
}

// cmdRequests ("! requests": none was sent) prints the fake's log, "METHOD PATH[?QUERY] STATUS" a line,
// and fails if a token travelled anywhere but in its header. With "maps" it
// prints the source maps uploaded instead, as JSON lines.
func cmdRequests(ts *testscript.TestScript, neg bool, args []string) {
	f := fakeOf(ts)
	if neg { // ! requests: nothing was sent
		if n := len(f.Requests()); n > 0 {
			ts.Fatalf("the fake was sent %d requests", n)
		}
		return
	}
	if len(args) == 1 && args[0] == "maps" {
		for _, m := range f.SourceMaps() {
			data, err := json.Marshal(m)
			ts.Check(err)
			fmt.Fprintf(ts.Stdout(), "%s\n", data)
		}
		return
	}
	for _, line := range tokensInHeaderOnly(ts, f.Requests()) {
		fmt.Fprintln(ts.Stdout(), line)
	}
}

// tokensInHeaderOnly fails if a token travelled anywhere but in its header,
// and returns the requests as "METHOD PATH[?QUERY] STATUS" lines.
func tokensInHeaderOnly(ts *testscript.TestScript, reqs []rollbartest.Request) []string {
	var lines []string
	for _, r := range reqs {
		line := r.Method + " " + r.Path
		if r.RawQuery != "" {
			line += "?" + r.RawQuery
		}
		lines = append(lines, fmt.Sprintf("%s %d", line, r.Status))
		sent := r.Header.Get("X-Rollbar-Access-Token")
		r.Header.Del("X-Rollbar-Access-Token")
		if showsToken(fmt.Sprint(line, r.Header, string(r.Body))) != "" {
			ts.Fatalf("a token left its header in %s", line)
		}
		if sent != "" && showsToken(sent) != sent {
			ts.Fatalf("%s sent a token it was not given", line)
		}
	}
	return lines
}

// showsToken returns the first of the tokens s contains, or "".
func showsToken(s string) string {
	for _, tok := range tokens {
		if strings.Contains(s, tok.value) {
			return tok.value
		}
	}
	return ""
}

// cmdCIFile reads a file the run left for the CI as the CI reads it and
// checks it holds exactly the keys given: cifile github|dotenv FILE K=V...,
// or cifile summary FILE ROW... for the first cells of the step summary.
func cmdCIFile(ts *testscript.TestScript, neg bool, args []string) {
	data := []byte(ts.ReadFile(args[1]))
	var got []string
	var err error
	switch args[0] {
	case "github":
		got, err = pairs(handofftest.ParseFileCommandsOnce(data))
	case "dotenv":
		got, err = pairs(handofftest.ParseDotenv(data))
	case "summary":
		got, err = handofftest.SummaryRows(data)
	default:
		ts.Fatalf("usage: cifile github|dotenv|summary FILE ...")
	}
	ts.Check(err)
	if want := args[2:]; !slices.Equal(got, want) {
		ts.Fatalf("%s holds %q, want %q", args[1], got, want)
	}
}

// cmdDotenv sets the variables of the dotenv reports named, in order, as
// GitLab hands a job the reports of the earlier jobs: where two name one
// variable, the last one wins.
func cmdDotenv(ts *testscript.TestScript, _ bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: dotenv FILE...")
	}
	for _, file := range args {
		vars, err := handofftest.ParseDotenv([]byte(ts.ReadFile(file)))
		ts.Check(err)
		for k, v := range vars {
			ts.Setenv(k, v)
		}
	}
}

func pairs(m map[string]string, err error) ([]string, error) {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out, err
}

var requestURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/api/`)

// cmdNoLeak checks the last command's output and the files named: no token
// shows but in a runner's ::add-mask:: line, which comes before anything
// else on its stream and only in GitHub Actions; masked=TOKEN requires that
// token's mask. Nothing shows a crash, Go internals or, in errors, a URL.
func cmdNoLeak(ts *testscript.TestScript, neg bool, args []string) {
	masked := map[string]bool{}
	var files []string
	for _, a := range args {
		if tok, ok := strings.CutPrefix(a, "masked="); ok {
			masked[tok] = false
		} else {
			files = append(files, a)
		}
	}
	for _, stream := range []string{"stdout", "stderr"} {
		text, others := ts.ReadFile(stream), false
		for _, line := range strings.Split(text, "\n") {
			tok, isMask := strings.CutPrefix(line, "::add-mask::")
			switch {
			case isMask && ts.Getenv("GITHUB_ACTIONS") != "true":
				ts.Fatalf("%s: a mask outside GitHub Actions prints the token", stream)
			case isMask && others:
				ts.Fatalf("%s: a mask after other output", stream)
			case isMask:
				masked[tok] = true
			case showsToken(line) != "":
				ts.Fatalf("%s shows a token: %q", stream, line)
			default:
				others = true
			}
		}
		for _, bad := range []string{"panic", "goroutine ", "runtime error", "*url.Error", "&{"} {
			if strings.Contains(text, bad) {
				ts.Fatalf("%s shows Go internals: %q", stream, bad)
			}
		}
	}
	// The API URL is a setting --verbose may show; a request's URL is Go's
	// error chain talking.
	if requestURL.MatchString(ts.ReadFile("stderr")) {
		ts.Fatalf("stderr names a request's URL")
	}
	for tok, seen := range masked {
		if !seen {
			ts.Fatalf("%s was not masked", tok)
		}
	}
	for _, file := range files { // a file the run did not write holds nothing
		if data, _ := os.ReadFile(ts.MkAbs(file)); showsToken(string(data)) != "" {
			ts.Fatalf("%s holds a token", file)
		}
	}
}
