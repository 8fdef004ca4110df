// Package reference keeps the parts of the docs that are made from code (the
// settings table, the CI table, action.yml's input descriptions) in step with
// that code: a test makes the part, and Check finds where the file drifted
// or, told to update, writes it again.
package reference

import (
	"os"
	"strings"
	"testing"
)

// Splice reads the file at path and puts made between its lines start and
// end, which mark the part a generator owns.
func Splice(t testing.TB, path, start, end, made string) (file, want string) {
	t.Helper()
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, found := strings.Cut(string(page), start)
	if !found {
		t.Fatalf("%s has no line %q", path, start)
	}
	_, after, found := strings.Cut(rest, end)
	if !found {
		t.Fatalf("%s has no line %q", path, end)
	}
	return string(page), before + start + made + end + after
}

// Check fails at the first line where file, the text at path, is not want,
// saying which command makes it again; with update it writes want instead.
func Check(t testing.TB, path, file, want string, update bool, regenerate string) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	wants, files := strings.Split(want, "\n"), strings.Split(file, "\n")
	for i := range max(len(wants), len(files)) {
		if i >= len(wants) || i >= len(files) || wants[i] != files[i] {
			t.Errorf("%s:%d is not what the code makes: run %s\nmade: %s\nfile: %s",
				path, i+1, regenerate, lineAt(wants, i), lineAt(files, i))
			return
		}
	}
}

func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}
