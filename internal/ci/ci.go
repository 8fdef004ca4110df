// Package ci reads what a CI provider already knows about the deploy it runs:
// the commit, who made it, where the run can be seen and, where the CI has
// the notion, the environment. Each provider lives in a file of its own,
// mostly a table of the variables it sets.
package ci

import (
	"os"
	"slices"
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
	Branch        Field
	Repository    Field // "owner/name" where known, else a credential-free URL

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
	// Rollback is true when the provider says this release rolls back to an
	// older one (Heroku release descriptions).
	Rollback bool
}

// SkipsUnchanged is whether a new deploy is first checked against its
// environment's newest: a release phase's, unless it rolls back.
func (i Info) SkipsUnchanged() bool { return i.SkipsUnchangedReleases && !i.Rollback }

// provider describes one CI as data. In each list the first non-empty entry
// wins; an entry with a "$" in it is a template (see expand).
type provider struct {
	id, name string
	detect   func(Getenv) bool

	revision, localUsername, comment, environment, branch, repository, workspace []string

	commitURL string // a template

	// notUser reports a username value that names no person (a trigger or a
	// service account): the next source is taken instead.
	notUser func(string) bool

	skipsUnchangedReleases bool
	joinsLists             bool
	deployIDVars           []string
	revisionHint           string

	// finish fills what a table cannot say (event payloads, validation).
	finish func(Getenv, ReadFile, *Info)
}

// providers is the detection order. It matters: Forgejo and Gitea also set
// GITHUB_ACTIONS, woodpecker-cli exec passes the host's GITHUB_*/GITLAB_*
// through, and GitLab and Woodpecker share CI_COMMIT_SHA.
// Harness sets DRONE=true; Cloudflare's CF_PAGES must not be taken for
// Codefresh's CF_*; Xcode Cloud's CI_* must not be taken for GitLab's. The
// providers added last have markers no earlier one reads.
var providers = []provider{
	woodpecker, forgejo, gitea, github, gitlab, harness, drone, heroku, circleci, bitbucket, jenkins,
	buildkite, azure, travis, codebuild, semaphore, codefresh, bitrise, teamcity, netlify, vercel, render,
	appveyor, railway, cloudflarePages, cloudflareWorkers, buddy, codemagic, xcodeCloud, cirrus, googleCloudBuild,
}

// Detect finds the CI running this process and reads what it tells about the
// deploy. With no CI recognised it returns the zero Info and the caller falls
// back to git.
func Detect(getenv Getenv, readFile ReadFile) Info {
	if getenv == nil {
		return Info{}
	}
	get := func(key string) string { return strings.TrimSpace(getenv(key)) }
	for _, p := range providers {
		if p.detect(get) {
			return p.read(get, readFile)
		}
	}
	return Info{}
}

func (p provider) read(get Getenv, readFile ReadFile) Info {
	user := get
	if p.notUser != nil {
		user = func(k string) string {
			if v := get(k); !p.notUser(v) {
				return v
			}
			return ""
		}
	}
	info := Info{
		Provider:               p.name,
		ID:                     p.id,
		Revision:               first(get, p.revision),
		LocalUsername:          first(user, p.localUsername),
		Comment:                first(get, p.comment),
		Environment:            first(get, p.environment),
		Branch:                 first(func(k string) string { return branchName(get(k)) }, p.branch),
		Repository:             first(get, p.repository),
		SharesWorkspace:        len(p.workspace) > 0, // only such CIs name a workspace
		Workspace:              first(get, p.workspace).Value,
		JoinsLists:             p.joinsLists,
		SkipsUnchangedReleases: p.skipsUnchangedReleases,
		DeployIDVars:           slices.Clone(p.deployIDVars),
		RevisionHint:           p.revisionHint,
		CommitURL:              expand(get, p.commitURL).Value,
	}
	if p.finish != nil {
		p.finish(get, readFile, &info)
	}
	if info.Revision.Value != "" {
		info.RevisionHint = "" // nothing to tell
	}
	// CIs hand out clone URLs with job tokens in them; none of that may reach Rollbar or a log.
	for _, f := range []*Field{&info.Revision, &info.LocalUsername, &info.Comment, &info.Environment, &info.Branch, &info.Repository} {
		f.Value = StripCredentials(f.Value)
	}
	info.CommitURL = StripCredentials(info.CommitURL)
	return info
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
