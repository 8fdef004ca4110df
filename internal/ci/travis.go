package ci

// Travis CI: docs.travis-ci.com/user/environment-variables. No actor in the
// environment; the caller asks git. A pull request build's TRAVIS_COMMIT is
// the merge Travis made; TRAVIS_PULL_REQUEST_SHA is the pull request's head.
var travis = provider{
	id: "travis", name: "Travis CI",
	detect:     is("true", "TRAVIS"),
	revision:   []string{"TRAVIS_PULL_REQUEST_SHA", "TRAVIS_COMMIT"},
	status:     []string{"TRAVIS_TEST_RESULT"}, // 0 while every script command passed, 1 after one failed
	outcome:    exitCode,
	comment:    []string{"TRAVIS_BUILD_WEB_URL", "TRAVIS_JOB_WEB_URL"},
	branch:     []string{"TRAVIS_PULL_REQUEST_BRANCH", "TRAVIS_BRANCH"}, // TRAVIS_BRANCH is a pull request's target
	repository: []string{"TRAVIS_REPO_SLUG"},
}
