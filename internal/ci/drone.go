package ci

// Drone: drone/runner-go environ/environ.go.
var drone = provider{
	id: "drone", name: "Drone",
	detect:        is("true", "DRONE"),
	revision:      []string{"DRONE_COMMIT_SHA", "DRONE_COMMIT"},
	localUsername: []string{"DRONE_COMMIT_AUTHOR"}, // the login; _NAME is the display name
	comment:       []string{"DRONE_BUILD_LINK"},
	environment:   []string{"DRONE_DEPLOY_TO"}, // promotions and rollbacks
	branch:        []string{"DRONE_BRANCH"},
	repository:    []string{"DRONE_REPO"},
	workspace:     []string{"DRONE_WORKSPACE"}, // unset: the caller uses the working directory
}
