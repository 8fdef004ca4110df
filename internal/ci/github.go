package ci

import (
	"encoding/json"
	"strconv"
)

// GitHub Actions: the committer and a deployment's
// environment are only in the event payload at GITHUB_EVENT_PATH.
var github = provider{
	id: "github", name: "GitHub Actions",
	detect:        is("true", "GITHUB_ACTIONS"),
	revision:      []string{"GITHUB_SHA"},
	localUsername: []string{"GITHUB_TRIGGERING_ACTOR", "GITHUB_ACTOR"}, // after the payload's committer, see readGitHubEvent
	comment:       []string{"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID"},
	branch:        []string{"GITHUB_HEAD_REF", "GITHUB_REF"}, // GITHUB_HEAD_REF: a pull request's branch; GITHUB_REF is then refs/pull/…
	repository:    []string{"GITHUB_REPOSITORY"},
	commitURL:     "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/commit/$GITHUB_SHA",
	deployIDVars:  []string{"DEPLOY_ID"}, // how rollbar/github-deploy-action passes a deploy on
	finish: func(get Getenv, readFile ReadFile, info *Info) {
		// A re-run has a page of its own.
		if n, _ := strconv.Atoi(get("GITHUB_RUN_ATTEMPT")); n > 1 && info.Comment.Value != "" {
			info.Comment.Value += "/attempts/" + strconv.Itoa(n)
			info.Comment.Source += "/attempts/GITHUB_RUN_ATTEMPT"
		}
		readGitHubEvent(get, readFile, info)
	},
}

// readGitHubEvent takes the committer and a deployment's environment from the
// event payload. The payload is optional: a missing or malformed file, or a
// push without head_commit (a branch deletion), leaves the variables' values.
func readGitHubEvent(get Getenv, readFile ReadFile, info *Info) {
	path := get("GITHUB_EVENT_PATH")
	if path == "" || readFile == nil {
		return
	}
	data, err := readFile(path)
	if err != nil {
		return
	}
	var event struct {
		HeadCommit struct {
			Author    struct{ Username string } `json:"author"`
			Committer struct{ Username string } `json:"committer"`
		} `json:"head_commit"`
		Deployment struct{ Environment string } `json:"deployment"` // deployment and deployment_status events
	}
	if json.Unmarshal(data, &event) != nil {
		return
	}
	// web-flow is GitHub itself, committing what was merged or edited in the web UI.
	if u := event.HeadCommit.Committer.Username; u != "" && u != "web-flow" {
		info.LocalUsername = Field{Value: u, Source: "GITHUB_EVENT_PATH head_commit.committer.username"}
	} else if u := event.HeadCommit.Author.Username; u != "" {
		info.LocalUsername = Field{Value: u, Source: "GITHUB_EVENT_PATH head_commit.author.username"}
	}
	if e := event.Deployment.Environment; e != "" {
		info.Environment = Field{Value: e, Source: "GITHUB_EVENT_PATH deployment.environment"}
	}
}
