package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/pipeline/pipelinetest"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

// The security suite of issue 6 (SPEC section 7): tokens never show, values
// never add lines to the files a CI parses, and nothing is evaluated.

// Distinctive tokens, so that a leak anywhere is found by a plain search.
const (
	tokPost = "tok-post-5e1f0c9a7d3b"
	tokRead = "tok-read-92c4e8b1a6f0"
	tokBoth = "tok-both-3a7d5c1e9b24"
	tokDead = "tok-dead-0f8e6d4c2b1a" // unknown to the fake: 401
)

var secretTokens = []string{tokPost, tokRead, tokBoth, tokDead}

// secureFake is a fake Rollbar that knows the distinctive tokens.
func secureFake(t *testing.T) *rollbartest.Server {
	t.Helper()
	srv := fakeRollbar(t)
	srv.AddToken(tokPost, rollbartest.ScopePost)
	srv.AddToken(tokRead, rollbartest.ScopeRead)
	srv.AddToken(tokBoth, rollbartest.ScopePost, rollbartest.ScopeRead)
	return srv
}

// startDeploy records a started deploy straight through the API, for the
// commands that need one to exist.
func startDeploy(t *testing.T, srv *rollbartest.Server) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/api/1/deploy",
		strings.NewReader(`{"environment":"production","revision":"`+faultSHA+`","status":"started"}`))
	require.NoError(t, err)
	req.Header.Set("X-Rollbar-Access-Token", "post-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		Data struct {
			DeployID int64 `json:"deploy_id"`
		} `json:"data"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return strconv.FormatInt(out.Data.DeployID, 10)
}

// leakCase is one command line whose every byte is searched for tokens.
type leakCase struct {
	name string
	// prepare sets up the fake and the directory, and returns the run's
	// variables and arguments.
	prepare func(t *testing.T, srv *rollbartest.Server, dir string) (env map[string]string, args []string)
}

var leakCases = []leakCase{
	{"record", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, tokRead), nil
	}},
	{"record started", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokBoth, ""), []string{"--status", "started"}
	}},
	{"record --json", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, ""), []string{"--json"}
	}},
	{"token as a flag", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, "", ""), []string{"--access-token", tokPost, "--read-access-token=" + tokRead}
	}},
	{"token as Action inputs", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return merge(faultEnv(srv.URL, "", ""), map[string]string{"INPUT_ACCESS_TOKEN": tokPost, "INPUT_READ-ACCESS-TOKEN": tokRead}), nil
	}},
	{"token as plugin settings", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return merge(faultEnv(srv.URL, "", ""), map[string]string{"PLUGIN_ACCESS_TOKEN": tokPost, "PLUGIN_READ_ACCESS_TOKEN": tokRead}), nil
	}},
	{"update", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, tokRead), []string{"update", "--deploy-id", startDeploy(t, srv), "--status", "succeeded", "--comment", "done"}
	}},
	{"get", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, tokRead), []string{"get", startDeploy(t, srv)}
	}},
	{"get --json", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokBoth, ""), []string{"get", startDeploy(t, srv), "--json"}
	}},
	{"list --all", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		srv.Seed(25, "production")
		return faultEnv(srv.URL, tokPost, tokRead), []string{"list", "--all"}
	}},
	{"list --json", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		srv.Seed(3, "production")
		return faultEnv(srv.URL, "", tokRead), []string{"list", "--json"}
	}},
	{"sourcemaps", func(t *testing.T, srv *rollbartest.Server, dir string) (map[string]string, []string) {
		writeMap(t, dir)
		return faultEnv(srv.URL, tokPost, ""), []string{"sourcemaps", "dist", "--url-prefix", "https://example.com/static/"}
	}},
	{"record with source maps", func(t *testing.T, srv *rollbartest.Server, dir string) (map[string]string, []string) {
		writeMap(t, dir)
		return faultEnv(srv.URL, tokPost, ""), []string{"--source-maps", "dist", "--url-prefix", "https://example.com/static/"}
	}},
	{"dry run", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, tokRead), []string{"--dry-run"}
	}},
	{"dry run --json", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, tokRead), []string{"--dry-run", "--json"}
	}},
	{"dry run of an update", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, ""), []string{"--dry-run", "--deploy-id", "45306460", "--status", "failed"}
	}},
	// Failures.
	{"401", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokDead, ""), nil
	}},
	{"403 on a read", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, ""), []string{"list"}
	}},
	{"404 on an update", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, ""), []string{"update", "--deploy-id", "7", "--status", "failed"}
	}},
	{"outage", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultStatus, Status: 503, Times: 1000})
		return faultEnv(srv.URL, tokPost, tokRead), []string{"--timeout", "1s"}
	}},
	{"hang", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultHang, Times: 1000})
		return faultEnv(srv.URL, tokPost, ""), []string{"--timeout", "1s", "--fail-on-error", "always"}
	}},
	{"garbage", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultGarbage})
		return faultEnv(srv.URL, tokPost, ""), nil
	}},
	{"recorded then 502, read token", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultRecordThenStatus, Status: 502})
		return faultEnv(srv.URL, tokPost, tokRead), nil
	}},
	{"recorded then cut, post token only", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultRecordThenCut})
		return faultEnv(srv.URL, tokPost, ""), nil
	}},
	{"update of a timed-out deploy", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		id := startDeploy(t, srv)
		n, _ := strconv.ParseInt(id, 10, 64)
		require.True(t, srv.TimeOut(n))
		return faultEnv(srv.URL, tokPost, ""), []string{"update", "--deploy-id", id, "--status", "succeeded"}
	}},
	{"usage error", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, tokRead), []string{"--no-such-flag"}
	}},
	{"invalid setting", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return faultEnv(srv.URL, tokPost, tokRead), []string{"--status", "finished"}
	}},
	{"token given twice, blank input", func(t *testing.T, srv *rollbartest.Server, _ string) (map[string]string, []string) {
		return merge(faultEnv(srv.URL, tokPost, ""), map[string]string{"INPUT_ACCESS_TOKEN": "", "PLUGIN_ACCESS-TOKEN": "  " + tokBoth + "  "}), nil
	}},
}

func writeMap(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "dist"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dist", "app.min.js.map"), []byte(`{"version":3,"sources":["app.js"],"mappings":"AAAA"}`), 0o644))
}

func TestSecurityTokensNeverShow(t *testing.T) {
	t.Parallel()
	for _, tc := range leakCases {
		for _, verbose := range []bool{false, true} {
			for _, actions := range []bool{false, true} {
				name := tc.name
				if verbose {
					name += "/verbose"
				}
				if actions {
					name += "/actions"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					srv := secureFake(t)
					dir := t.TempDir()
					env, args := tc.prepare(t, srv, dir)
					before := len(srv.Requests()) // the setup's own requests
					if verbose {
						args = append(args, "--verbose")
					}
					files := map[string]string{}
					if actions {
						env = merge(env, githubActions(t, files))
						args = append(args, "--dotenv", filepath.Join(dir, "deploy.env"))
					}
					res := run(t, dir, env, args...)
					given := givenTokens(env, args)
					require.NotEmpty(t, given, "the case gives a token")
					if actions {
						checkMasked(t, res, given)
					} else {
						checkNotShown(t, res)
					}
					checkRequests(t, srv.Requests()[before:])
					for _, path := range append(fileValues(files), filepath.Join(dir, "deploy.env")) {
						data, _ := os.ReadFile(path)
						for _, tok := range secretTokens {
							assert.NotContains(t, string(data), tok, path)
						}
					}
				})
			}
		}
	}
}

// githubActions is the environment of a GitHub Actions step, with its
// file commands in files (by variable name).
func githubActions(t *testing.T, files map[string]string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{"GITHUB_ACTIONS": "true", "CI": "true"}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"} {
		path := filepath.Join(dir, strings.ToLower(name))
		require.NoError(t, os.WriteFile(path, nil, 0o644))
		files[name], env[name] = path, path
	}
	return env
}

func fileValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func givenTokens(env map[string]string, args []string) []string {
	all := strings.Join(args, " ")
	for _, v := range env {
		all += " " + v
	}
	var out []string
	for _, tok := range secretTokens {
		if strings.Contains(all, tok) {
			out = append(out, tok)
		}
	}
	return out
}

// checkNotShown: outside GitHub Actions no token, and no ::add-mask:: (which
// would print the token it masks).
func checkNotShown(t *testing.T, res result) {
	t.Helper()
	for _, tok := range secretTokens {
		assert.NotContains(t, res.output(), tok, res)
	}
	assert.NotContains(t, res.output(), "::add-mask::")
	assertClean(t, res)
}

// checkMasked: in GitHub Actions each given token is masked before anything
// else is printed, and shows nowhere but in its mask line.
func checkMasked(t *testing.T, res result, given []string) {
	t.Helper()
	lines := strings.Split(res.stdout, "\n")
	masks := 0
	for masks < len(lines) && strings.HasPrefix(lines[masks], "::add-mask::") {
		masks++
	}
	var masked []string
	for _, l := range lines[:masks] {
		masked = append(masked, strings.TrimPrefix(l, "::add-mask::"))
	}
	for _, tok := range given {
		assert.Contains(t, masked, tok, "masked first: %s", res)
	}
	rest := strings.Join(lines[masks:], "\n")
	assert.NotContains(t, rest, "::add-mask::", "all masks come first")
	for _, tok := range secretTokens {
		assert.NotContains(t, rest, tok, res)
		assert.NotContains(t, res.stderr, tok, res)
	}
	assertClean(t, res)
}

// checkRequests: tokens travel in the header only.
func checkRequests(t *testing.T, reqs []rollbartest.Request) {
	t.Helper()
	for _, r := range reqs {
		for _, tok := range secretTokens {
			assert.NotContains(t, r.Path, tok)
			assert.NotContains(t, r.RawQuery, tok)
			assert.NotContains(t, string(r.Body), tok)
			for k, vs := range r.Header {
				if http.CanonicalHeaderKey(k) == "X-Rollbar-Access-Token" {
					continue
				}
				assert.NotContains(t, strings.Join(vs, " "), tok, "header %s", k)
			}
		}
		if tok := r.Header.Get("X-Rollbar-Access-Token"); tok != "" {
			assert.Contains(t, secretTokens, tok, "only the given tokens are sent")
		}
	}
}

// echoServer is a malicious (or careless) Rollbar that puts the token it was
// sent into its answers.
func echoServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request, tok string)) (url string, requests func() []rollbartest.Request) {
	t.Helper()
	var mu sync.Mutex
	var reqs []rollbartest.Request
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		reqs = append(reqs, rollbartest.Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
		mu.Unlock()
		answer(w, r, r.Header.Get("X-Rollbar-Access-Token"))
	}))
	t.Cleanup(ts.Close)
	return ts.URL, func() []rollbartest.Request {
		mu.Lock()
		defer mu.Unlock()
		return append([]rollbartest.Request(nil), reqs...)
	}
}

func TestSecurityEchoedTokenIsRedacted(t *testing.T) {
	t.Parallel()
	jsonError := func(status int) func(http.ResponseWriter, *http.Request, string) {
		return func(w http.ResponseWriter, _ *http.Request, tok string) {
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"err":1,"message":"invalid access token %s (token=%s)"}`, tok, tok)
		}
	}
	deploy := func(tok string) string {
		return fmt.Sprintf(`{"id":45306460,"environment":"production","note":"%s","revision":"%s","local_username":"%s","comment":"token: %s","status":"succeeded","start_time":1700000000}`, tok, tok, tok, tok)
	}
	tests := []struct {
		name   string
		answer func(http.ResponseWriter, *http.Request, string)
		args   []string
	}{
		{"in a 401 message", jsonError(401), nil},
		{"in a 500 message, retried", jsonError(500), []string{"--timeout", "1s"}},
		{"in a 422 message of an update", jsonError(422), []string{"update", "--deploy-id", "45306460", "--status", "failed"}},
		{"in an HTML page", func(w http.ResponseWriter, _ *http.Request, tok string) {
			fmt.Fprintf(w, "<html>bad token %s</html>", tok)
		}, nil},
		{"in a proxy's 502 page", func(w http.ResponseWriter, _ *http.Request, tok string) {
			w.WriteHeader(502)
			fmt.Fprintf(w, "<html>upstream rejected %s</html>", tok)
		}, []string{"--timeout", "1s"}},
		{"in a deploy read back", func(w http.ResponseWriter, _ *http.Request, tok string) {
			fmt.Fprintf(w, `{"err":0,"result":%s}`, deploy(tok))
		}, []string{"get", "45306460"}},
		{"in a deploy read back as JSON", func(w http.ResponseWriter, _ *http.Request, tok string) {
			fmt.Fprintf(w, `{"err":0,"result":%s}`, deploy(tok))
		}, []string{"get", "45306460", "--json"}},
		{"in a list", func(w http.ResponseWriter, r *http.Request, tok string) {
			if r.URL.Query().Get("page") != "1" {
				fmt.Fprint(w, `{"err":0,"result":{"deploys":[],"page":2}}`)
				return
			}
			fmt.Fprintf(w, `{"err":0,"result":{"deploys":[%s],"page":1}}`, deploy(tok))
		}, []string{"list", "--all"}},
		{"in a list as JSON", func(w http.ResponseWriter, r *http.Request, tok string) {
			fmt.Fprintf(w, `{"err":0,"result":{"deploys":[%s],"page":1}}`, deploy(tok))
		}, []string{"list", "--json"}},
	}
	for _, tt := range tests {
		for _, actions := range []bool{false, true} {
			name := tt.name
			if actions {
				name += "/actions"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				url, requests := echoServer(t, tt.answer)
				env := faultEnv(url, tokBoth, "")
				if actions {
					env = merge(env, githubActions(t, map[string]string{}))
				}
				res := run(t, t.TempDir(), env, append(tt.args, "--verbose")...)
				require.NotEmpty(t, requests(), "the server was asked")
				assert.Contains(t, res.output(), "***", "the echoed token shows as ***: %s", res)
				if actions {
					checkMasked(t, res, []string{tokBoth})
				} else {
					checkNotShown(t, res)
				}
				checkRequests(t, requests())
			})
		}
	}
}

// TestSecurityValuesCannotAddLines feeds values with line breaks, heredoc
// delimiters and Markdown table syntax to every value that reaches a file a
// CI parses, and checks each file holds exactly its keys.
func TestSecurityValuesCannotAddLines(t *testing.T) {
	t.Parallel()
	const evil = "\nevil=1\nghadelimiter_00000000-0000-0000-0000-000000000000\nEVIL<<EOF\n| Injected | row |\n"
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"environment", map[string]string{"ROLLBAR_ENVIRONMENT": "prod" + evil}},
		{"revision", map[string]string{"ROLLBAR_REVISION": "abc" + evil}},
		{"local user", map[string]string{"ROLLBAR_LOCAL_USERNAME": "jane" + evil}},
		{"Rollbar user", map[string]string{"ROLLBAR_USERNAME": "jane" + evil}},
		{"CR line breaks", map[string]string{"ROLLBAR_ENVIRONMENT": "prod\revil=1\r", "ROLLBAR_LOCAL_USERNAME": "a\r\n| x | y |"}},
		{"table syntax", map[string]string{"ROLLBAR_ENVIRONMENT": "a | b | c", "ROLLBAR_LOCAL_USERNAME": `\| x \\| y`}},
		{"the run's commit (summary link)", map[string]string{"ROLLBAR_REVISION": "", "GITHUB_SHA": faultSHA + evil,
			"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r) | x |" + evil}},
		{"the run's commit URL with a pipe", map[string]string{"ROLLBAR_REVISION": "", "GITHUB_SHA": faultSHA,
			"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r|x|y"}},
	}
	for _, tt := range tests {
		for _, status := range []string{"started", "succeeded"} {
			t.Run(tt.name+"/"+status, func(t *testing.T) {
				t.Parallel()
				srv := secureFake(t)
				dir := t.TempDir()
				files := map[string]string{}
				env := merge(faultEnv(srv.URL, tokPost, ""), githubActions(t, files), tt.env)
				dotenv := filepath.Join(dir, "deploy.env")
				res := run(t, dir, env, "--status", status, "--dotenv", dotenv)
				require.Equal(t, 0, res.code, res)
				deploys := srv.Deploys()
				require.Len(t, deploys, 1)
				id := strconv.FormatInt(deploys[0].ID, 10)
				url := "https://rollbar.com/deploy/" + id + "/"

				assert.Equal(t, map[string]string{"deploy_id": id, "deploy_url": url, "status": status},
					parseFileCommands(t, files["GITHUB_OUTPUT"]))
				wantEnv := map[string]string{"ROLLBAR_DEPLOY_ID": ""}
				if status == "started" {
					wantEnv["ROLLBAR_DEPLOY_ID"] = id
				}
				assert.Equal(t, wantEnv, parseFileCommands(t, files["GITHUB_ENV"]))
				assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": id, "ROLLBAR_DEPLOY_URL": url}, readDotenv(t, dotenv))
				assert.Equal(t, []string{"Environment", "Revision", "User", "Status", "Deploy"}, summaryRows(t, files["GITHUB_STEP_SUMMARY"]))

				// Workflow commands on stdout: each on one line of its own.
				for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
					assert.Regexp(t, `^(::(add-mask|notice|warning|error)( [^:]*)?::.*|\d+)$`, line)
				}
			})
		}
	}
}

// parseFileCommands reads a GITHUB_OUTPUT or GITHUB_ENV file one step wrote
// as the runner does, failing the test on a line it rejects or a name set
// twice.
func parseFileCommands(t *testing.T, path string) map[string]string {
	return pipelinetest.ReadFile(t, path, pipelinetest.ParseFileCommandsOnce)
}

// summaryRows checks the step summary is one heading and one two-column
// table, and returns the first cell of each row.
func summaryRows(t *testing.T, path string) []string {
	return pipelinetest.ReadFile(t, path, pipelinetest.SummaryRows)
}

// TestSecurityNoShellEvaluation: values are data, whatever they look like.
func TestSecurityNoShellEvaluation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	canary := func(n int) string { return filepath.Join(dir, "pwned-"+strconv.Itoa(n)) }
	comment := fmt.Sprintf("$(touch %s) `touch %s` ${IFS}; touch %s && echo $HOME %%s %%n \\ \"'", canary(1), canary(2), canary(3))
	environment := fmt.Sprintf("$(touch %s)", canary(4))
	user := fmt.Sprintf("`touch %s`", canary(5))

	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"variables", map[string]string{"ROLLBAR_COMMENT": comment, "ROLLBAR_ENVIRONMENT": environment, "ROLLBAR_LOCAL_USERNAME": user}, nil},
		{"flags", nil, []string{"--comment", comment, "--environment", environment, "--local-username", user}},
		{"Action inputs", map[string]string{"GITHUB_ACTIONS": "true", "INPUT_COMMENT": comment, "INPUT_ENVIRONMENT": environment, "INPUT_LOCAL_USERNAME": user}, nil},
		{"plugin settings", map[string]string{"PLUGIN_COMMENT": comment, "PLUGIN_ENVIRONMENT": environment, "PLUGIN_LOCAL_USERNAME": user}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := secureFake(t)
			env := merge(map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": tokPost, "ROLLBAR_REVISION": faultSHA}, tt.env)
			res := run(t, t.TempDir(), env, append(tt.args, "--verbose")...)
			require.Equal(t, 0, res.code, res)
			deploys := srv.Deploys()
			require.Len(t, deploys, 1)
			assert.Equal(t, comment, deploys[0].Comment, "verbatim")
			assert.Equal(t, environment, deploys[0].Environment, "verbatim")
			assert.Equal(t, user, deploys[0].LocalUsername, "verbatim")

			dry := run(t, t.TempDir(), env, append(tt.args, "--dry-run", "--json")...)
			require.Equal(t, 0, dry.code, dry)
			for n := 1; n <= 5; n++ {
				assert.NoFileExists(t, canary(n), "nothing was evaluated")
			}
		})
	}
}
