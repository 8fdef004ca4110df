package ci

// CircleCI: "Project values and variables". CIRCLE_USERNAME is unset for
// scheduled pipelines and can be an e-mail address on newer organisations.
var circleci = provider{
	id: "circleci", name: "CircleCI",
	detect:        is("true", "CIRCLECI"),
	revision:      []string{"CIRCLE_SHA1"},
	localUsername: []string{"CIRCLE_USERNAME"},
	comment:       []string{"CIRCLE_BUILD_URL"},
	branch:        []string{"CIRCLE_BRANCH"},
	repository:    []string{"$CIRCLE_PROJECT_USERNAME/$CIRCLE_PROJECT_REPONAME"},
}
