// Package sourcemaps finds the JavaScript source maps of a build and the
// URLs their minified files are served from.
package sourcemaps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

// Pair is one source map and the URL of its minified file.
type Pair struct {
	Path        string
	MinifiedURL string
	Size        int64 // set by Check
}

// Find pairs source maps with minified URLs in one of two ways:
//   - the official action's: maps and urls list files and URLs one to one;
//   - with a URL prefix: each entry of maps is a .map file, a directory
//     searched for .map files, or a glob, and a map's URL is the prefix
//     joined with its path below that entry, without ".map", escaped as a
//     browser reports it.
//
// Relative paths are taken from dir. Check then makes sure each is a map.
func Find(dir string, maps, urls []string, prefix string) ([]Pair, error) {
	if len(maps) == 0 {
		return nil, errors.New("no source maps given")
	}
	if len(urls) > 0 {
		if len(urls) != len(maps) {
			return nil, fmt.Errorf("%d source maps but %d minified URLs: give one URL for each map, in the same order",
				len(maps), len(urls))
		}
		pairs := make([]Pair, len(maps))
		for i := range maps {
			if err := absolute("minified_urls", "minified URL", urls[i]); err != nil {
				return nil, err
			}
			pairs[i] = Pair{Path: abs(dir, maps[i]), MinifiedURL: urls[i]}
		}
		return pairs, nil
	}
	if prefix == "" {
		return nil, errors.New("no minified URLs: " +
			"give minified_urls (one for each map) or url_prefix (the URL the files are served under)")
	}
	if err := absolute("url_prefix", "url_prefix", prefix); err != nil {
		return nil, err
	}
	prefix, err := servedUnder(prefix)
	if err != nil {
		return nil, err
	}
	var pairs []Pair
	for _, entry := range maps {
		found, err := expand(abs(dir, entry))
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no .map files in %s", text.OneLine(entry))
		}
		for _, f := range found {
			minified := joinURL(prefix, strings.TrimSuffix(filepath.ToSlash(f.rel), ".map"))
			pairs = append(pairs, Pair{Path: f.path, MinifiedURL: minified})
		}
	}
	return pairs, nil
}

// URLError is a minified URL or URL prefix no browser reports; Setting
// names the setting it came from (minified_urls, url_prefix).
type URLError struct {
	Setting string
	msg     string
}

func (e *URLError) Error() string { return e.msg }

// absolute refuses a URL no browser reports: a minified URL is absolute,
// http(s) or protocol-relative (//cdn.example.com/app.js), on one line.
func absolute(setting, what, raw string) error {
	u, err := url.Parse(raw)
	switch {
	case strings.ContainsFunc(raw, unicode.IsControl):
		return &URLError{setting, fmt.Sprintf("%s %s has a line break or a control character", what, text.OneLine(raw))}
	case err != nil || u.Host == "" || u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https":
		return &URLError{setting, fmt.Sprintf("%s %q is not an absolute URL: "+
			"give the URL a browser loads the minified file from, such as https://example.com/static/app.min.js", what, raw)}
	}
	return nil
}

// servedUnder is the prefix as a browser writes it, its path escaped (a
// space is %20). A query or a fragment is refused: each map's path goes
// after the prefix, so the URL would hold it in its middle
// (https://example.com/static/?v=1/app.js), which no browser reports.
func servedUnder(prefix string) (string, error) {
	u, err := url.Parse(prefix)
	if err != nil {
		return "", &URLError{"url_prefix", fmt.Sprintf("url_prefix %q is not a URL: %v", prefix, err)}
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.HasSuffix(prefix, "#") {
		return "", &URLError{"url_prefix", fmt.Sprintf("url_prefix %q has a query or a fragment (?…, #…): "+
			"each map's path is added after the prefix, so give the prefix without it, such as https://example.com/static/",
			text.OneLine(prefix))}
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String(), nil
}

// Check makes sure every map is one before anything is sent: a file that is
// there (not a link to nothing, a directory or a FIFO, which would block the
// run), no larger than Rollbar accepts, and JSON. It reads each map through
// a small buffer, however large, and stops when ctx ends.
func Check(ctx context.Context, dir string, pairs []Pair) error {
	for i := range pairs {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := &pairs[i]
		name := text.OneLine(shown(dir, p.Path))
		info, err := os.Stat(p.Path)
		if _, lerr := os.Lstat(p.Path); errors.Is(err, fs.ErrNotExist) && lerr == nil {
			return fmt.Errorf("source map %s is a symbolic link to nothing: build the map it points to, or remove the link",
				name)
		}
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("source map %s is not there: check its path (relative paths are from %s)", name, text.OneLine(dir))
		case err != nil:
			return fmt.Errorf("source map %s cannot be read: %w", name, errors.Unwrap(err))
		case info.IsDir():
			return fmt.Errorf("source map %s is a directory: with minified URLs, each source map is one file "+
				"(for a directory, give url_prefix instead)", name)
		case !info.Mode().IsRegular():
			return fmt.Errorf("source map %s is not a regular file (%s): give the map file the build wrote",
				name, info.Mode().Type())
		case info.Size() > rollbar.MaxSourceMap:
			return fmt.Errorf("source map %s is %d MB, more than Rollbar accepts (%d MB): build it without sourcesContent, "+
				"or split the bundle", name, info.Size()>>20, rollbar.MaxSourceMap>>20)
		}
		p.Size = info.Size()
		if err := checkJSON(p.Path); err != nil {
			return fmt.Errorf("source map %s is not a source map: %w (is it the minified file, or an error page?)", name, err)
		}
	}
	return nil
}

func checkJSON(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return validObject(f)
}

// shown is path as the user named it: relative to dir when below it.
func shown(dir, path string) string {
	if rel, err := filepath.Rel(dir, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}

type found struct{ path, rel string }

// expand turns an entry into the map files it names, each with its path
// relative to the entry's base (the directory, or a glob's fixed part).
func expand(entry string) ([]found, error) {
	if strings.Contains(entry, "**") {
		return expandRecursive(entry)
	}
	if strings.ContainsAny(entry, "*?[") {
		matches, err := filepath.Glob(entry)
		if err != nil {
			return nil, fmt.Errorf("bad glob %s: %w", entry, err)
		}
		base := globBase(entry)
		var out []found
		for _, m := range matches {
			// A link to nothing is kept, for Check to refuse by name.
			if info, err := os.Stat(m); err != nil || !info.IsDir() {
				rel, _ := filepath.Rel(base, m)
				out = append(out, found{m, rel})
			}
		}
		return out, nil
	}
	info, err := os.Stat(entry)
	if err != nil || !info.IsDir() {
		return []found{{entry, filepath.Base(entry)}}, nil
	}
	var out []found
	err = filepath.WalkDir(entry, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".map") {
			rel, _ := filepath.Rel(entry, path)
			out = append(out, found{path, rel})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, err
}

// expandRecursive matches a glob in which ** stands for any number of
// directories (dist/**/*.map), as shells with globstar and build tools do;
// filepath.Glob has no such pattern.
func expandRecursive(pattern string) ([]found, error) {
	base := globBase(pattern)
	rest, _ := filepath.Rel(base, pattern)
	want := strings.Split(filepath.ToSlash(rest), "/")
	var out []found
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(base, p)
		if matchSegments(want, strings.Split(filepath.ToSlash(rel), "/")) {
			out = append(out, found{p, rel})
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		err = nil // nothing there: no maps, said by the caller
	}
	return out, err
}

func matchSegments(pattern, name []string) bool {
	switch {
	case len(pattern) == 0:
		return len(name) == 0
	case pattern[0] == "**":
		for i := range len(name) + 1 {
			if matchSegments(pattern[1:], name[i:]) {
				return true
			}
		}
		return false
	case len(name) == 0:
		return false
	}
	ok, _ := path.Match(pattern[0], name[0])
	return ok && matchSegments(pattern[1:], name[1:])
}

func globBase(pattern string) string {
	dir := pattern
	for strings.ContainsAny(dir, "*?[") {
		dir = filepath.Dir(dir)
	}
	return dir
}

func abs(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// joinURL joins the prefix and a file's path below it, escaped as a browser
// writes a URL's path: "sub dir/a b#1.js" is served, and reported, as
// "sub%20dir/a%20b%231.js". What a browser leaves as it is (a comma, a
// plus) stays, so the URL is the one in stack traces.
func joinURL(prefix, rel string) string {
	var b strings.Builder
	for _, c := range []byte(strings.TrimLeft(rel, "/")) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(pathEscaped, c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return strings.TrimRight(prefix, "/") + "/" + b.String()
}

// pathEscaped are the bytes the URL standard's path percent-encode set
// escapes, with % itself (a file name's % is no escape) and the backslash
// (which browsers read as a slash).
const pathEscaped = "\"#<>?`{}%\\"
