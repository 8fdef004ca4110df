// Package sourcemaps finds the JavaScript source maps of a build and the
// URLs their minified files are served from.
package sourcemaps

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Pair is one source map and the URL of its minified file.
type Pair struct {
	Path        string
	MinifiedURL string
}

// Find pairs source maps with minified URLs in one of two ways:
//   - the official action's: maps and urls list files and URLs one to one;
//   - with a URL prefix: each entry of maps is a .map file, a directory
//     searched for .map files, or a glob, and a map's URL is the prefix
//     joined with its path below that entry, without ".map".
//
// Relative paths are taken from dir.
func Find(dir string, maps, urls []string, prefix string) ([]Pair, error) {
	if len(maps) == 0 {
		return nil, errors.New("no source maps given")
	}
	if len(urls) > 0 {
		if len(urls) != len(maps) {
			return nil, fmt.Errorf("%d source maps but %d minified URLs: give one URL for each map, in the same order", len(maps), len(urls))
		}
		pairs := make([]Pair, len(maps))
		for i := range maps {
			path := abs(dir, maps[i])
			// Found now, not at its upload: nothing is sent for a list
			// with a wrong name in it.
			if info, err := os.Stat(path); err != nil || info.IsDir() {
				return nil, fmt.Errorf("source map %s is not a file (missing, or a directory): with minified URLs, each source map is one file", maps[i])
			}
			pairs[i] = Pair{Path: path, MinifiedURL: urls[i]}
		}
		return pairs, nil
	}
	if prefix == "" {
		return nil, errors.New("no minified URLs: give minified_urls (one for each map) or url_prefix (the URL the files are served under)")
	}
	var pairs []Pair
	for _, entry := range maps {
		found, err := expand(abs(dir, entry))
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("no .map files in %s", entry)
		}
		for _, f := range found {
			pairs = append(pairs, Pair{Path: f.path, MinifiedURL: joinURL(prefix, strings.TrimSuffix(filepath.ToSlash(f.rel), ".map"))})
		}
	}
	return pairs, nil
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
			if info, err := os.Stat(m); err == nil && !info.IsDir() {
				rel, _ := filepath.Rel(base, m)
				out = append(out, found{m, rel})
			}
		}
		return out, nil
	}
	info, err := os.Stat(entry)
	if err != nil {
		return nil, fmt.Errorf("source map %s: %w", entry, errors.Unwrap(err))
	}
	if !info.IsDir() {
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

func joinURL(prefix, rel string) string {
	return strings.TrimRight(prefix, "/") + "/" + strings.TrimLeft(rel, "/")
}
