package ci

import (
	"strconv"
	"strings"
)

// GitHub Actions: github/docs content/actions/reference/workflows-and-actions/variables.md
// and events-that-trigger-workflows.md (what GITHUB_SHA is for each event);
// the runner's per-step file commands (GITHUB_ENV, GITHUB_OUTPUT) in
// actions/runner src/Runner.Worker. The committer, a deployment and a pull
// request's head are only in the event payload at GITHUB_EVENT_PATH.
var github = provider{
	id: "github", name: "GitHub Actions",
	// GITHUB_ACTIONS=true alone may be baked into an image built in Actions
	// and run elsewhere; the runner gives each step its own command files.
	detect: func(get Getenv) bool {
		return is("true", "GITHUB_ACTIONS")(get) && anySet("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")(get)
	},
	local:   act,
	payload: githubEvent,
	// GITHUB_SHA is the commit the event built, except: a pull request's
	// GITHUB_SHA is the merge commit GitHub made (pull_request_target's the
	// base branch's head); a workflow_run's, a check_run's and a
	// check_suite's the default branch's head.
	revision: []string{githubEvent + " pull_request.head.sha", githubEvent + " deployment.sha",
		githubEvent + " workflow_run.head_sha", githubEvent + " check_run.head_sha", githubEvent + " check_suite.head_sha",
		"GITHUB_SHA"},
	// web-flow commits what was merged or edited on github.com; act runs as
	// nektos/act.
	localUsername: []string{githubEvent + " head_commit.committer.username", githubEvent + " head_commit.author.username",
		"GITHUB_TRIGGERING_ACTOR", "GITHUB_ACTOR"},
	notUser:     oneOf("web-flow", "nektos/act"),
	comment:     []string{"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID"},
	environment: []string{githubEvent + " deployment.environment"}, // deployment and deployment_status events
	status:      []string{githubEvent + " deployment_status.state"},
	// GITHUB_REF of a pull request is refs/pull/…
	branch:           []string{"GITHUB_HEAD_REF", githubEvent + " workflow_run.head_branch", "GITHUB_REF"},
	repository:       []string{"GITHUB_REPOSITORY"},
	commitURL:        "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/commit/",
	workflowCommands: true,
	deployIDVars:     []string{"DEPLOY_ID"}, // how rollbar/github-deploy-action passes a deploy on
	finish: func(get Getenv, readFile ReadFile, info *Info) {
		info.Run = info.Comment.Value
		info.Attempt, _ = strconv.Atoi(get("GITHUB_RUN_ATTEMPT"))
		// The job's own page tells apart the legs of a matrix and the
		// attempts of a re-run; its id is an expression (job.check_run_id),
		// which the Action passes in. Without it, a re-run's attempt has a page
		// of its own.
		switch check := get("ROLLBAR_CHECK_RUN_ID"); {
		case info.Comment.Value == "":
		case check != "" && strings.Trim(check, "0123456789") == "":
			info.Comment.Value += "/job/" + check
			info.Comment.Source += "/job/ROLLBAR_CHECK_RUN_ID"
			info.JobComment = true
			if info.Attempt > 1 { // for a later attempt to tell its own deploys from an earlier one's
				info.Comment.Value += " (attempt " + strconv.Itoa(info.Attempt) + ")"
				info.Comment.Source += " (attempt GITHUB_RUN_ATTEMPT)"
			}
		case info.Attempt > 1:
			info.Comment.Value += "/attempts/" + strconv.Itoa(info.Attempt)
			info.Comment.Source += "/attempts/GITHUB_RUN_ATTEMPT"
		}
		// A deployment's states (pending, in_progress, then success) each start
		// a run: the comment names the deployment too, for the run of its
		// outcome to find the deploy a run of an earlier state started. A
		// deployment event's run is one (its matrix legs are not one deploy).
		if id := get(githubEvent + " deployment.id"); info.Comment.Value != "" && id != "" &&
			get("GITHUB_EVENT_NAME") == "deployment_status" {
			info.Deployment = " (deployment " + id + ")"
			info.Comment.Value += info.Deployment
			info.Comment.Source += " (deployment GITHUB_EVENT_PATH deployment.id)"
		}
		githubEventRules(get, nil, info)
	},
}

// githubEventRules are what the event tells beyond the tables, on GitHub
// and the runners made after it.
func githubEventRules(get Getenv, _ ReadFile, info *Info) {
	info.SecretsHint = githubSecretsHint(get, info.Provider)
	// A comment on a pull request (a ChatOps /deploy) runs on the default
	// branch's head, and its payload names no commit of the pull request:
	// the checkout tells what was built (git), where the workflow checked
	// the pull request out.
	if get("GITHUB_EVENT_NAME") == "issue_comment" && get(githubEvent+" issue.pull_request.url") != "" &&
		info.Revision.Source == "GITHUB_SHA" {
		info.Revision = Field{}
		info.RevisionHint = "a comment on a pull request names no commit of it: check the pull request out " +
			"(actions/checkout with ref: refs/pull/N/head), or pass the revision"
	}
}

const githubEvent = "GITHUB_EVENT_PATH"

// act (nektos/act) sets ACT=true; its GITHUB_ACTOR is nektos/act and its
// GITHUB_RUN_ID 1, a run of the real repository that is not this one.
var act = is("true", "ACT")

// githubSecretsHint tells why a run got no secrets: GitHub gives none to a
// pull_request run from a fork, and Dependabot's runs only Dependabot secrets.
func githubSecretsHint(get Getenv, provider string) string {
	event := get("GITHUB_EVENT_NAME")
	head := get(githubEvent + " pull_request.head.repo.full_name")
	base := get(githubEvent + " pull_request.base.repo.full_name")
	switch {
	case strings.HasPrefix(event, "pull_request") && event != "pull_request_target" &&
		(get(githubEvent+" pull_request.head.repo.fork") == "true" || head != "" && base != "" && head != base):
		return provider + " gives a pull request from a fork no secrets; " +
			"record deploys from runs on the repository's own branches"
	case get("GITHUB_ACTOR") == "dependabot[bot]":
		return "GitHub gives Dependabot's runs only Dependabot secrets: " +
			"add ROLLBAR_ACCESS_TOKEN under Settings > Secrets > Dependabot"
	}
	return ""
}
