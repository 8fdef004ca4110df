package ci

// Cirrus CI: no actor. The run is the build; a task (the job) has a page
// of its own, the fallback.
var cirrus = provider{
	id: "cirrus", name: "Cirrus CI",
	detect:     is("true", "CIRRUS_CI"),
	revision:   []string{"CIRRUS_CHANGE_IN_REPO"},
	comment:    []string{"https://cirrus-ci.com/build/$CIRRUS_BUILD_ID", "https://cirrus-ci.com/task/$CIRRUS_TASK_ID"},
	branch:     []string{"CIRRUS_BRANCH"},
	repository: []string{"CIRRUS_REPO_FULL_NAME"},
}
