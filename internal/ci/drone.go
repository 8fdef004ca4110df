package ci

import "strings"

// Drone: drone/runner-go environ/environ.go (and docs.drone.io
// pipeline/environment/reference). DRONE_BRANCH is a pull request's
// target; DRONE_SOURCE_BRANCH its source (the same branch on a push).
var drone = provider{
	id: "drone", name: "Drone",
	detect:        is("true", "DRONE"),
	revision:      []string{"DRONE_COMMIT_SHA", "DRONE_COMMIT"},
	localUsername: []string{"DRONE_COMMIT_AUTHOR"}, // the login; _NAME is the display name
	comment:       []string{"DRONE_BUILD_LINK"},
	environment:   []string{"DRONE_DEPLOY_TO"}, // promotions and rollbacks
	// success until a step fails, then failure: what a step with
	// `when: status: [success, failure]` runs after.
	status:     []string{"DRONE_BUILD_STATUS"},
	branch:     []string{"DRONE_SOURCE_BRANCH", "DRONE_BRANCH"},
	repository: []string{"DRONE_REPO"},
	workspace:  []string{"DRONE_WORKSPACE"},
	joinsLists: true,
	finish: func(get Getenv, _ ReadFile, info *Info) {
		// A promotion, a rollback or a build started by hand (custom) is
		// deployed by who asked for it, not the commit's author; a trigger of
		// @hook or @cron is no person.
		if event := get("DRONE_BUILD_EVENT"); event == "promote" || event == "rollback" || event == "custom" {
			if by := get("DRONE_BUILD_TRIGGER"); by != "" && !strings.HasPrefix(by, "@") {
				info.LocalUsername = Field{Value: by, Source: "DRONE_BUILD_TRIGGER"}
			}
		}
	},
}

// Harness CI sets the DRONE_* variables too (and DRONE=true), plus its own
// HARNESS_*. The steps of a stage share the workspace, /harness; promotions,
// and so DRONE_DEPLOY_TO, do not exist there.
var harness = provider{
	id: "harness", name: "Harness CI",
	detect:        anySet("HARNESS_BUILD_ID"),
	revision:      drone.revision,
	localUsername: drone.localUsername,
	comment:       drone.comment,
	branch:        drone.branch,
	repository:    drone.repository,
	workspace:     []string{"HARNESS_WORKSPACE", "DRONE_WORKSPACE"},
	joinsLists:    true,
}
