package ci

import (
	"net/url"
	"strings"
)

// Heroku release phase: devcenter.heroku.com/articles/release-phase and
// /articles/dyno-metadata. The dyno
// metadata appears only with the runtime-dyno-metadata lab (and
// runtime-dyno-build-metadata for HEROKU_BUILD_*). The release phase runs in
// a dyno named release.N, metadata or not; any other dyno (web.1, run.1234)
// counts only with the metadata. Who deployed is not in the environment, and
// the slug has no .git. The release phase also runs on config-var changes,
// and nothing in the environment tells those, or a rollback, from a deploy.
var heroku = provider{
	id: "heroku", name: "Heroku",
	detect: func(get Getenv) bool {
		dyno := get("DYNO")
		return strings.HasPrefix(dyno, "release.") ||
			dyno != "" && herokuMetadata(get)
	},
	// HEROKU_SLUG_COMMIT is deprecated. SOURCE_VERSION is the commit Heroku
	// builds, set during the build only: the buildpack (buildpack/bin/compile)
	// keeps it in the slug for the dynos, so that a release of that slug (a
	// config-var change, a rollback) knows its commit without the labs.
	revision:               []string{"HEROKU_BUILD_COMMIT", "HEROKU_SLUG_COMMIT", "SOURCE_VERSION"},
	skipsUnchangedReleases: true,
	finish:                 herokuRelease,
}

func herokuRelease(get Getenv, _ ReadFile, info *Info) {
	// A failing release command blocks the release: Rollbar being down must not.
	info.FailOnError = "never"
	info.RevisionHint = herokuRevisionHint(get)

	version, app := get("HEROKU_RELEASE_VERSION"), get("HEROKU_APP_NAME")
	if version == "" && app == "" {
		return
	}
	text, sources := "Heroku release", []string(nil)
	if version != "" {
		text += " " + version
		sources = append(sources, "HEROKU_RELEASE_VERSION")
	}
	if app != "" {
		text += " of " + app
		sources = append(sources, "HEROKU_APP_NAME")
	}
	if app != "" {
		text += ": https://dashboard.heroku.com/apps/" + url.PathEscape(app) + "/activity"
	}
	info.Comment = Field{Value: text, Source: strings.Join(sources, ", ")}
}

// herokuRevisionHint names the labs that put the commit in the environment.
// runtime-dyno-metadata brings the app and release variables all at once.
func herokuRevisionHint(get Getenv) string {
	app := get("HEROKU_APP_NAME")
	if app == "" {
		app = "<app>"
	}
	build := "`heroku labs:enable runtime-dyno-build-metadata -a " + app + "`"
	if !herokuMetadata(get) {
		return "Heroku's dyno metadata is off: `heroku labs:enable runtime-dyno-metadata -a " + app + "` and " +
			build + " turn it on from the next release"
	}
	return "Heroku's build metadata is off: " + build + " turns it on from the next release"
}

// herokuMetadata reports whether the dyno metadata lab is on.
var herokuMetadata = anySet("HEROKU_APP_NAME", "HEROKU_APP_ID", "HEROKU_RELEASE_VERSION")

// Heroku CI test runs: devcenter.heroku.com/articles/heroku-ci (HEROKU_TEST_RUN_ID,
// HEROKU_TEST_RUN_BRANCH, HEROKU_TEST_RUN_COMMIT_VERSION). A test run is
// not a release: no release phase defaults, and no user in the environment.
var herokuCI = provider{
	id: "heroku-ci", name: "Heroku CI",
	detect:   anySet("HEROKU_TEST_RUN_ID"),
	revision: []string{"HEROKU_TEST_RUN_COMMIT_VERSION"},
	branch:   []string{"HEROKU_TEST_RUN_BRANCH"},
}
