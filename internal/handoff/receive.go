package handoff

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Saved is a deploy id the tool handed to a later step, with the
// environment it belongs to.
type Saved struct {
	ID          int64
	Environment string
	Source      string
}

// Inbox is what earlier steps and jobs handed this run: the deploys they
// started and did not finish, the last one started first. They are not the
// user's deploy id: a saved id only finishes a deploy of its environment.
type Inbox struct {
	Saved []Saved
	// Kept is what the workspace's id file held: the run changes only what
	// it changes of it (SaveIDs).
	Kept map[string]int64
	// Stale is true when another run kept them: none is taken up.
	Stale bool
	// Started is true when an earlier step of this job ran a started record
	// of the environment that failed (StartsVar), and no final one since.
	Started bool
	// Warnings are what the run should say of them.
	Warnings []string
}

// UserEnv is getenv as the settings read it: a ROLLBAR_DEPLOY_ID the tool
// handed over (see handedOver) is the hand-off's, not the user's deploy id,
// so it reads as unset there. The tool's own variables are no misspelt
// settings either.
func UserEnv(getenv func(string) string) func(string) string {
	if env, _ := handedOver(getenv); env == "" {
		return getenv
	}
	return func(key string) string {
		if key == DeployIDVar {
			return ""
		}
		return getenv(key)
	}
}

// Own reports whether a variable is one the tool writes for later steps.
func Own(name string) bool {
	return name == EnvironmentVar || name == PendingVar || name == StartsVar || strings.HasPrefix(name, PendingVar+"_")
}

// Receive reads what earlier steps handed over for environment: the
// variables (GITHUB_ENV's, a GitLab dotenv report's), and with a workspace
// (Drone, Woodpecker) the id file there, unless another run kept it. The
// record kept under environment's own name comes first. One that does not
// parse is not the tool's, so it is passed over; an id file that does not is
// an error.
func Receive(getenv func(string) string, environment string, workspace Workspace) (Inbox, error) {
	var in Inbox
	get := func(key string) string { return strings.TrimSpace(getenv(key)) }
	starts, _ := url.ParseQuery(get(StartsVar))
	in.Started = environment != "" && starts.Has(environment)
	if name := PendingVarOf(environment); name != "" {
		records := DecodeRecords(get(name))
		if id, ok := records[environment]; ok && id > 0 {
			in.Saved = append(in.Saved, Saved{ID: id, Environment: environment, Source: name})
		}
		// eu-prod and eu_prod share ROLLBAR_DEPLOYS_EU_PROD, and GitLab kept
		// the last report's: this environment's deploy may be lost.
		for _, other := range slices.Sorted(maps.Keys(records)) {
			if other != environment && records[other] > 0 {
				in.Warnings = append(in.Warnings, fmt.Sprintf("%s holds the started deploy of %s, and %s goes by that name too: "+
					"GitLab keeps one report's, so a started deploy of either may be left to time out; name the environments apart",
					name, other, environment))
			}
		}
	}
	if env, started := handedOver(get); env != "" && started {
		if id, err := strconv.ParseInt(get(DeployIDVar), 10, 64); err == nil && id > 0 {
			in.Saved = append(in.Saved, Saved{ID: id, Environment: env, Source: DeployIDVar})
		}
	}
	pending := DecodePending(get(PendingVar))
	for _, env := range slices.Sorted(maps.Keys(pending)) {
		in.Saved = append(in.Saved, Saved{ID: pending[env], Environment: env, Source: PendingVar})
	}
	if workspace.Dir != "" {
		kept, path, err := LoadIDs(workspace.Dir)
		if err != nil {
			return in, err
		}
		in.Kept = kept
		if by := keptBy(workspace.Dir); len(kept) > 0 && by != "" && workspace.Run != "" && by != workspace.Run {
			// Not this run's to finish: they go with the next write.
			in.Stale = true
			in.Warnings = append(in.Warnings, fmt.Sprintf("%s holds deploys another run started (%s), "+
				"which this run does not finish: Rollbar times them out", path, by))
			kept = nil
		}
		for _, env := range slices.Sorted(maps.Keys(kept)) {
			in.Saved = append(in.Saved, Saved{ID: kept[env], Environment: env, Source: path})
		}
	}
	return in, nil
}

// Handed is the deploy the tool handed over in ROLLBAR_DEPLOY_ID, started or
// finished (a GitLab job after the deploy job gets its dotenv report), with
// its environment; 0 when the variable is not the tool's.
func Handed(getenv func(string) string) (id int64, environment string) {
	env, _ := handedOver(getenv)
	id, err := strconv.ParseInt(strings.TrimSpace(getenv(DeployIDVar)), 10, 64)
	if env == "" || err != nil || id <= 0 {
		return 0, ""
	}
	return id, env
}

// handedOver tells whose a ROLLBAR_DEPLOY_ID is: the tool's, with its
// environment, and started or finished, or the user's (environment "").
// The tool writes the id with its environment, and where it keeps records
// of that environment (ROLLBAR_DEPLOYS, ROLLBAR_DEPLOYS_<ENVIRONMENT>) the
// same id in them, negated once finished. An id beside them that is not
// theirs was set by the user, say `export ROLLBAR_DEPLOY_ID=$(…)` in a job
// that GitLab also handed another job's report, and is the user's.
func handedOver(getenv func(string) string) (environment string, started bool) {
	get := func(key string) string { return strings.TrimSpace(getenv(key)) }
	env := get(EnvironmentVar)
	if env == "" {
		return "", false
	}
	if unescaped, err := url.PathUnescape(env); err == nil {
		env = unescaped // as the dotenv report holds it
	}
	id, _ := strconv.ParseInt(get(DeployIDVar), 10, 64)
	for _, name := range []string{PendingVar, PendingVarOf(env)} {
		if rec, ok := DecodeRecords(get(name))[env]; ok {
			switch rec {
			case id:
				return env, true
			case -id:
				return env, false
			}
			return "", false
		}
	}
	return env, true
}

// Target is the deploy a record updates, or none (ID 0) for a new one.
type Target struct {
	ID     int64
	Source string
}

// Choose picks the deploy a record updates. An id the user gives always
// names it. An id the tool saved for later steps finishes only a deploy of
// its own environment (or a step that names none), and never serves a
// started record: that starts a deploy of its own, or two environments in
// one job would share one deploy.
func (in Inbox) Choose(user Target, final bool, environment string) Target {
	if user.ID != 0 {
		return user
	}
	if !final {
		return Target{}
	}
	for _, s := range in.Saved {
		if s.ID != 0 && (s.Environment == "" || environment == "" || s.Environment == environment) {
			return Target{ID: s.ID, Source: s.Source}
		}
	}
	return Target{}
}

// Without is what the job's later steps are to be handed once the deploys
// saved for environment are forgotten (an id saved with no environment
// finishes any), and those deploys; none when nothing was saved for it.
func (in Inbox) Without(environment string) (pending map[string]int64, forgotten []Saved) {
	pending = map[string]int64{}
	for _, s := range in.Saved {
		switch {
		case s.Source == DeployIDVar:
		case s.Environment == environment || s.Environment == "":
			forgotten = append(forgotten, s)
		default:
			pending[s.Environment] = s.ID
		}
	}
	return pending, forgotten
}

// Settle sets what res hands the job's later steps: the job's unfinished
// deploys after this run (a started deploy joins them; a final one leaves
// them, as does the saved deploy it finished, finishedID), and what
// becomes of ROLLBAR_DEPLOY_ID. It returns the deploy a started record
// replaces for later steps, if any, which is then never finished.
func (in Inbox) Settle(res *Result, final bool, finishedID int64) (replaced int64) {
	res.Pending, res.Kept = map[string]int64{}, in.Kept
	for _, s := range in.Saved {
		if s.Source != DeployIDVar {
			res.Pending[s.Environment] = s.ID
		}
	}
	if !final {
		if old, ok := res.Pending[res.Environment]; ok && old != res.DeployID {
			replaced = old
		}
		res.Pending[res.Environment], res.Handoff = res.DeployID, Save
		return replaced
	}
	finished := func(env string, saved int64) bool { return env == res.Environment || saved == finishedID }
	before := len(res.Pending)
	if maps.DeleteFunc(res.Pending, finished); len(res.Pending) == before && !in.Stale {
		res.Pending = nil // nothing to write
	}
	// ROLLBAR_DEPLOY_ID, the last deploy started, is cleared once it is
	// finished, or when there is none; another environment's stays.
	res.Handoff = Clear
	for _, s := range in.Saved {
		if s.Source == DeployIDVar && !finished(s.Environment, s.ID) {
			res.Handoff = Leave
		}
	}
	return 0
}
