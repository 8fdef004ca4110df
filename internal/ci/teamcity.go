package ci

// TeamCity puts little in the environment: no actor, no build URL, and the
// branch only in its build properties file.
var teamcity = provider{
	id: "teamcity", name: "TeamCity",
	detect:   anySet("TEAMCITY_VERSION"),
	revision: []string{"BUILD_VCS_NUMBER"},
}
