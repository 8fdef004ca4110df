package ci

// Drone: drone/runner-go environ/environ.go. DRONE_BRANCH is a pull
// request's target; DRONE_SOURCE_BRANCH its source (the same branch on a push).
var drone = provider{
	id: "drone", name: "Drone",
	detect:        is("true", "DRONE"),
	revision:      []string{"DRONE_COMMIT_SHA", "DRONE_COMMIT"},
	localUsername: []string{"DRONE_COMMIT_AUTHOR"}, // the login; _NAME is the display name
	comment:       []string{"DRONE_BUILD_LINK"},
	environment:   []string{"DRONE_DEPLOY_TO"}, // promotions and rollbacks
	branch:        []string{"DRONE_SOURCE_BRANCH", "DRONE_BRANCH"},
	repository:    []string{"DRONE_REPO"},
	workspace:     []string{"DRONE_WORKSPACE"},
	joinsLists:    true,
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
