// Package ci reads what a CI provider already knows about the deploy it runs:
// the commit, who made it, where the run can be seen and, where the CI has
// the notion, the environment. Each provider lives in a file of its own,
// mostly a table of the variables it sets.
package ci

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Getenv returns the value of an environment variable; blank counts as unset.
type Getenv func(key string) string

// ReadFile reads a file the CI points at (GitHub's event payload).
type ReadFile func(path string) ([]byte, error)

// Field is one value the CI told, and where it came from (a variable name,
// or a short description such as "GITHUB_EVENT_PATH head_commit.author.username").
type Field struct {
	Value  string
	Source string
}

// Info is everything one provider tells about the running deploy.
type Info struct {
	// Provider is the display name ("GitHub Actions"); empty when no CI was detected.
	Provider string
	// ID is a stable lower-case key ("github", "gitlab", "heroku", …; "" for
	// none) for display and tests. What differs by CI is in the fields below,
	// so that no caller needs to compare it.
	ID string

	Revision      Field
	LocalUsername Field // the committer (or the person who started the run)
	Comment       Field // the run URL, or for Heroku a line naming the release
	Environment   Field
	// Status is the CI's own word for the outcome so far (Drone's
	// DRONE_BUILD_STATUS, a deployment_status event's state), a final step's
	// default status; empty where the CI tells none.
	Status     Field
	Branch     Field
	Repository Field // "owner/name" where known, else a credential-free URL

	// CommitURL links the revision in a summary (empty when unknown).
	CommitURL string
	// SharesWorkspace is true where the steps of a run share one directory and
	// nothing else carries a value from step to step (Drone, Woodpecker,
	// Harness): the tool keeps its deploy id in a file there.
	SharesWorkspace bool
	// Workspace is that directory where the CI names it; empty means the
	// working directory.
	Workspace string
	// JoinsLists is true where a plugin's YAML list setting reaches it as
	// one comma-joined PLUGIN_ value (Drone, Woodpecker, Harness).
	JoinsLists bool
	// SkipsUnchangedReleases is true where the CI runs the tool on releases
	// that carry no new code (Heroku's release phase also runs on config
	// changes): a release whose revision is already the newest deploy is not
	// recorded again, unless it is a Rollback.
	SkipsUnchangedReleases bool
	// DeployIDVars are the variables this CI uses to hand over a Rollbar
	// deploy id the user gave (GitHub Actions: DEPLOY_ID, as the official
	// action has it). Elsewhere the same names mean something else (Netlify's
	// DEPLOY_ID is its own), so the list is empty.
	DeployIDVars []string
	// RevisionHint tells how to make the CI give the revision, for the error
	// when there is none; empty where there is nothing to switch on.
	RevisionHint string
	// FailOnError is the provider's default failure policy ("never" on Heroku,
	// where a failing release command blocks the release); empty for the global default.
	FailOnError string
	// WorkflowCommands is true where the runner reads workflow commands
	// (::add-mask::, ::error::) from a step's output: GitHub's runner and the
	// runners made after it. Anywhere else such a line is printed as it is.
	WorkflowCommands bool
	// SecretsHint says why this run may have been given no secrets (a fork's
	// pull request, an unprotected GitLab ref), for the error when the token
	// is missing; empty where nothing tells.
	SecretsHint string

	// Run is the URL every job and attempt of this run starts its comment
	// with, where the CI re-runs a run as attempts (GitHub Actions); Attempt
	// is this one's. A started deploy of an earlier attempt is one no job
	// will finish: the attempt is over.
	Run     string
	Attempt int
	// JobComment is true when the comment names this job alone (GitHub's job
	// page): no parallel job of the run records a deploy with the same one.
	JobComment bool
	// Deployment ends the comment of a run that a deployment of the CI's own
	// started (GitHub's deployment_status events), and of every other run of
	// that deployment: each of its states starts a run of its own, so the run
	// that records its outcome finds the deploy that an earlier state's run
	// started by it. Empty for any other run.
	Deployment string
	// NotDeploying says why this job deploys nothing, where the CI tells
	// (a GitLab job that stops an environment); empty for a deploy.
	NotDeploying string
}

// AttemptOf tells which attempt of this run recorded a comment, as this
// CI writes them: the run's URL, then /attempts/N, or /job/J with
// " (attempt N)" after it past the first; 0 for another run's.
func (i Info) AttemptOf(comment string) int {
	rest, ok := strings.CutPrefix(comment, i.Run)
	if i.Run == "" || !ok || rest != "" && rest[0] != '/' && rest[0] != ' ' {
		return 0
	}
	for _, marker := range []string{"/attempts/", " (attempt "} {
		if _, n, ok := strings.Cut(rest, marker); ok {
			// The number ends at the first non-digit: ")" or a deployment after it.
			digits := n[:len(n)-len(strings.TrimLeft(n, "0123456789"))]
			if a, err := strconv.Atoi(digits); err == nil && a > 0 {
				return a
			}
			return 0
		}
	}
	return 1
}

// SkipsUnchanged is whether a new deploy is first checked against its
// environment's newest: a release phase's. Nothing Heroku sets tells a
// rollback, but a rollback brings an older revision, so it is recorded.
func (i Info) SkipsUnchanged() bool { return i.SkipsUnchangedReleases }

// provider describes one CI as data. In each list the first non-empty entry
// wins; an entry with a "$" in it is a template (see expand), and one that
// starts with the payload variable and a space names a field of the event
// payload ("GITHUB_EVENT_PATH pull_request.head.sha", see withPayload).
type provider struct {
	id, name string
	detect   func(Getenv) bool
	// local reports a CI's own runner on a developer's machine (act,
	// gitlab-ci-local, woodpecker-cli exec): its run URL and users are
	// placeholders it makes up, so none is recorded and git tells who.
	local func(Getenv) bool
	// payload names the variable holding the path of a JSON event payload.
	payload string

	revision, localUsername, comment, environment, status, branch, repository, workspace []string

	// commitURL is a template of the address a commit's page has without
	// the commit at its end: the revision read is put there.
	commitURL string

	// outcome turns a status variable's value into a CI word ParseStatus
	// knows, where the CI tells its outcome as a number; "" is no outcome.
	outcome func(string) string

	// notUser reports a username value that names no person (a trigger, a
	// service account, a placeholder): the next source is taken instead.
	notUser func(string) bool

	skipsUnchangedReleases bool
	joinsLists             bool
	workflowCommands       bool
	deployIDVars           []string
	revisionHint           string

	// finish fills what a table cannot say (event payloads, validation).
	finish func(Getenv, ReadFile, *Info)
}

// providers is the detection order. It matters: Forgejo and Gitea also set
// GITHUB_ACTIONS, woodpecker-cli exec passes the host's GITHUB_*/GITLAB_*
// through, and GitLab and Woodpecker share CI_COMMIT_SHA.
// Harness sets DRONE=true; a Heroku CI test run is in a dyno too; Cloudflare's CF_PAGES must not be taken for
// Codefresh's CF_*; Xcode Cloud's CI_* must not be taken for GitLab's. The
// providers added last have markers no earlier one reads.
var providers = []provider{
	woodpecker, forgejo, gitea, github, gitlab, harness, drone, herokuCI, heroku, circleci, bitbucket, jenkins,
	buildkite, azure, travis, codebuild, semaphore, codefresh, bitrise, teamcity, netlify, vercel, render,
	appveyor, railway, cloudflarePages, cloudflareWorkers, buddy, codemagic, xcodeCloud, cirrus, googleCloudBuild,
}

// None is the ci setting's value for a plain CLI run: no CI is read.
const None = "none"

// IDs lists the ids the ci setting accepts, none included.
func IDs() []string {
	ids := []string{None}
	for _, p := range providers {
		ids = append(ids, p.id)
	}
	return ids
}

// Detect finds the CI running this process and reads what it tells about the
// deploy. With no CI recognised it returns the zero Info and the caller falls
// back to git.
func Detect(getenv Getenv, readFile ReadFile) Info {
	info, _ := Select("", getenv, readFile)
	return info
}

// Select reads what the CI named by id tells (the ci setting, ROLLBAR_CI),
// whatever detection would find: "none" is no CI, "" detects. An id no
// provider has is an error naming them all.
func Select(id string, getenv Getenv, readFile ReadFile) (Info, error) {
	if getenv == nil || strings.EqualFold(id, None) {
		return Info{}, nil
	}
	get := func(key string) string { return strings.TrimSpace(getenv(key)) }
	for _, p := range providers {
		if id == "" && p.detect(get) || strings.EqualFold(id, p.id) {
			return p.read(get, readFile), nil
		}
	}
	if id != "" {
		return Info{}, fmt.Errorf("names no CI rollbar-deploy knows: use one of %s", strings.Join(IDs(), ", "))
	}
	return Info{}, nil
}

func (p provider) read(get Getenv, readFile ReadFile) Info {
	if p.payload != "" {
		get = withPayload(get, readFile, p.payload)
	}
	local := p.local != nil && p.local(get)
	info := Info{
		Provider:               p.name,
		ID:                     p.id,
		Revision:               first(get, p.revision),
		LocalUsername:          person(get, p.localUsername, p.notUser),
		Comment:                first(get, p.comment),
		Environment:            first(get, p.environment),
		Status:                 first(get, p.status),
		Branch:                 first(func(k string) string { return branchName(get(k)) }, p.branch),
		Repository:             first(get, p.repository),
		SharesWorkspace:        len(p.workspace) > 0, // only such CIs name a workspace
		Workspace:              first(get, p.workspace).Value,
		JoinsLists:             p.joinsLists,
		SkipsUnchangedReleases: p.skipsUnchangedReleases,
		WorkflowCommands:       p.workflowCommands,
		DeployIDVars:           slices.Clone(p.deployIDVars),
		RevisionHint:           p.revisionHint,
	}
	if p.outcome != nil && info.Status.Value != "" {
		info.Status.Value = p.outcome(info.Status.Value)
		if info.Status.Value == "" {
			info.Status = Field{}
		}
	}
	if p.finish != nil {
		p.finish(get, readFile, &info)
	}
	if local {
		info.Comment, info.LocalUsername, info.Run = Field{}, Field{}, "" // no run of this repository
	}
	if info.Revision.Value != "" {
		info.RevisionHint = "" // nothing to tell
		if prefix := expand(get, p.commitURL).Value; prefix != "" {
			info.CommitURL = prefix + info.Revision.Value
		}
	}
	// CIs hand out clone URLs with job tokens in them; none of that may reach Rollbar or a log.
	for _, f := range []*Field{
		&info.Revision, &info.LocalUsername, &info.Comment, &info.Environment, &info.Branch, &info.Repository,
	} {
		f.Value = StripCredentials(f.Value)
	}
	info.CommitURL = StripCredentials(info.CommitURL)
	return info
}

// person is the first user the names give that is a person: a value
// notUser refuses is passed over, and a bot ("dependabot[bot]") is taken
// only where no person is named.
func person(get Getenv, names []string, notUser func(string) bool) Field {
	var bot Field
	for _, name := range names {
		f := first(get, []string{name})
		switch {
		case f.Value == "" || notUser != nil && notUser(f.Value):
		case strings.HasSuffix(f.Value, "[bot]"):
			if bot.Value == "" {
				bot = f
			}
		default:
			return f
		}
	}
	return bot
}

func first(get Getenv, names []string) Field {
	for _, name := range names {
		if strings.Contains(name, "$") {
			if f := expand(get, name); f.Value != "" {
				return f
			}
		} else if v := get(name); v != "" {
			return Field{Value: v, Source: name}
		}
	}
	return Field{}
}

// expand fills a template such as "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY"; it
// stays empty unless every variable in it is set, so no half-built URL gets
// recorded. Values lose a trailing "/" (Forgejo's server URL has one) and
// spaces are escaped (Azure project names have them).
func expand(get Getenv, tmpl string) Field {
	complete := true
	v := os.Expand(tmpl, func(k string) string {
		x := strings.TrimRight(get(k), "/")
		complete = complete && x != ""
		return strings.ReplaceAll(x, " ", "%20")
	})
	if !complete || v == "" {
		return Field{}
	}
	return Field{Value: v, Source: strings.ReplaceAll(tmpl, "$", "")}
}

// withPayload extends get with the fields of the JSON file that the
// variable pathVar names: "GITHUB_EVENT_PATH pull_request.head.sha" is that
// field as text (a number or a boolean as JSON writes it). The file is read
// once, when a field is first asked for; a missing or malformed file has no
// fields.
func withPayload(get Getenv, readFile ReadFile, pathVar string) Getenv {
	var fields map[string]any
	read := false
	return func(key string) string {
		path, ok := strings.CutPrefix(key, pathVar+" ")
		if !ok {
			return get(key)
		}
		if !read {
			read = true
			if file := get(pathVar); file != "" && readFile != nil {
				if data, err := readFile(file); err == nil {
					dec := json.NewDecoder(bytes.NewReader(data))
					dec.UseNumber() // ids beyond 2^53 stay whole
					_ = dec.Decode(&fields)
				}
			}
		}
		var v any = fields
		for _, name := range strings.Split(path, ".") {
			m, _ := v.(map[string]any)
			v = m[name]
		}
		switch v := v.(type) {
		case string:
			return strings.TrimSpace(v)
		case bool, json.Number:
			return fmt.Sprint(v)
		}
		return ""
	}
}

// branchName turns a ref into a branch name; tag and pull-request refs are not branches.
func branchName(ref string) string {
	ref = strings.TrimPrefix(strings.TrimPrefix(ref, "refs/remotes/"), "origin/")
	if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		return b
	}
	if strings.HasPrefix(ref, "refs/") {
		return ""
	}
	return ref
}

// is reports whether any of the variables holds value, in any case (Azure sets TF_BUILD=True).
func is(value string, names ...string) func(Getenv) bool {
	return func(get Getenv) bool {
		for _, n := range names {
			if strings.EqualFold(get(n), value) {
				return true
			}
		}
		return false
	}
}

// exitCode is the outcome a shell's exit code tells: 0 succeeded.
func exitCode(v string) string {
	if strings.Trim(v, "0123456789") != "" {
		return ""
	}
	if strings.Trim(v, "0") == "" {
		return "success"
	}
	return "failure"
}

// oneOf reports the values listed, in any case.
func oneOf(values ...string) func(string) bool {
	return func(v string) bool {
		return slices.ContainsFunc(values, func(x string) bool { return strings.EqualFold(v, x) })
	}
}

func anySet(names ...string) func(Getenv) bool {
	return func(get Getenv) bool {
		for _, n := range names {
			if get(n) != "" {
				return true
			}
		}
		return false
	}
}
