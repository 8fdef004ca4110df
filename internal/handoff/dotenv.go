package handoff

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// WriteDotenv writes ROLLBAR_DEPLOY_ID, ROLLBAR_DEPLOY_URL and the deploy's
// environment (which marks the id as the tool's own, so that only a later
// job of that environment takes it up) for GitLab's `artifacts: reports:
// dotenv`, and the deploy once more under its environment's own name
// (PendingVarOf), marked as started or finished. Of what the file held, the
// lines of others stay (a job's one report may carry the user's variables
// too); every deploy line goes, since GitLab takes the last duplicate and a
// stale id from an earlier run must not linger.
func WriteDotenv(path string, r Result) error {
	lines := [][2]string{{DeployIDVar, strconv.FormatInt(r.DeployID, 10)}, {"ROLLBAR_DEPLOY_URL", r.URL},
		{EnvironmentVar, EscapeEnvironment(r.Environment)}}
	if r.Environment != "" {
		id := r.DeployID
		if r.Handoff != Save {
			id = -id // finished: no later job is to finish it again
		}
		lines = append(lines, [2]string{PendingVarOf(r.Environment), EncodePending(map[string]int64{r.Environment: id})})
	}
	if r.Watch != nil {
		lines = append(lines, [2]string{"ROLLBAR_WATCH_RESULT", r.Watch.Result})
	}
	return writeDotenv(path, lines, func(key string) bool {
		return key == DeployIDVar || key == EnvironmentVar || key == "ROLLBAR_DEPLOY_URL" || key == "ROLLBAR_WATCH_RESULT" ||
			strings.HasPrefix(key, PendingVar+"_")
	})
}

// EscapeEnvironment writes an environment name as a dotenv value holds it:
// GitLab's environment names may hold spaces, which a dotenv value cannot,
// so a space is %20 and a % is %25 (URL path escapes, read back with
// url.PathUnescape); the rest stays as it is, for a later job to use
// (review/fix-42).
func EscapeEnvironment(env string) string {
	return strings.NewReplacer("%", "%25", " ", "%20").Replace(env)
}

// WriteWatchDotenv writes a watch's verdict as ROLLBAR_WATCH_RESULT, in
// place of any earlier one; the rest of the file stays.
func WriteWatchDotenv(path string, w Watch) error {
	return writeDotenv(path, [][2]string{{"ROLLBAR_WATCH_RESULT", w.Result}},
		func(key string) bool { return key == "ROLLBAR_WATCH_RESULT" })
}

// NotAFile says why path cannot be a dotenv report: it is there but no
// regular file (a FIFO, whose open would block the run for good until a
// reader comes; a directory, a device); "" when it can be.
func NotAFile(path string) string {
	info, err := os.Stat(path)
	if err != nil || info.Mode().IsRegular() {
		return ""
	}
	return fmt.Sprintf("is not a regular file (%s)", info.Mode().Type())
}

// writeDotenv writes lines to path after the lines it held whose key is not
// ours.
func writeDotenv(path string, lines [][2]string, ours func(key string) bool) error {
	if problem := NotAFile(path); problem != "" {
		return fmt.Errorf("dotenv %s %s: name a file for the dotenv report", path, problem)
	}
	var b strings.Builder
	if old, err := os.ReadFile(path); err == nil {
		for _, line := range strings.Split(string(old), "\n") {
			if key, _, _ := strings.Cut(line, "="); strings.TrimSpace(line) != "" && !ours(key) {
				b.WriteString(line + "\n")
			}
		}
	}
	for _, kv := range lines {
		// GitLab's dotenv has no quoting: values cannot hold spaces either.
		if err := checkLine(path, kv[0], kv[1]); err != nil || strings.ContainsRune(kv[1], ' ') {
			return &UnsafeValueError{Key: kv[0], File: path}
		}
		fmt.Fprintf(&b, "%s=%s\n", kv[0], kv[1])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
