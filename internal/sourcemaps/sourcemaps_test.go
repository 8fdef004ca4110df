package sourcemaps

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

func TestFind(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"dist/app.min.js.map", "dist/js/vendor.min.js.map", "dist/app.min.js", "other/x.js.map", "esc/sub dir/a b#1.js.map", "pct/100%,ü+1.js.map"} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), []byte("{}"), 0o644))
	}
	p := func(rel string) string { return filepath.Join(dir, rel) }

	tests := []struct {
		name   string
		maps   []string
		urls   []string
		prefix string
		want   []Pair
		err    string
	}{
		{name: "official pairs", maps: []string{"dist/app.min.js.map", "other/x.js.map"}, urls: []string{"https://a/app.js", "https://a/x.js"},
			want: []Pair{{Path: p("dist/app.min.js.map"), MinifiedURL: "https://a/app.js"}, {Path: p("other/x.js.map"), MinifiedURL: "https://a/x.js"}}},
		{name: "pairs must match", maps: []string{"dist/app.min.js.map"}, urls: []string{"https://a/1", "https://a/2"}, err: "1 source maps but 2 minified URLs"},
		{name: "directory with prefix", maps: []string{"dist"}, prefix: "https://cdn.example.com/static/",
			want: []Pair{{Path: p("dist/app.min.js.map"), MinifiedURL: "https://cdn.example.com/static/app.min.js"}, {Path: p("dist/js/vendor.min.js.map"), MinifiedURL: "https://cdn.example.com/static/js/vendor.min.js"}}},
		{name: "glob with prefix", maps: []string{"dist/*.map"}, prefix: "https://cdn.example.com",
			want: []Pair{{Path: p("dist/app.min.js.map"), MinifiedURL: "https://cdn.example.com/app.min.js"}}},
		{name: "** spans directories", maps: []string{"dist/**/*.map"}, prefix: "https://cdn.example.com",
			want: []Pair{{Path: p("dist/app.min.js.map"), MinifiedURL: "https://cdn.example.com/app.min.js"}, {Path: p("dist/js/vendor.min.js.map"), MinifiedURL: "https://cdn.example.com/js/vendor.min.js"}}},
		{name: "** in a directory that is not there", maps: []string{"gone/**/*.map"}, prefix: "https://x", err: "no .map files in gone/**/*.map"},
		{name: "one file with prefix", maps: []string{"other/x.js.map"}, prefix: "https://cdn.example.com/",
			want: []Pair{{Path: p("other/x.js.map"), MinifiedURL: "https://cdn.example.com/x.js"}}},
		{name: "a path escaped as a browser reports it", maps: []string{"esc"}, prefix: "https://cdn.example.com/",
			want: []Pair{{Path: p("esc/sub dir/a b#1.js.map"), MinifiedURL: "https://cdn.example.com/sub%20dir/a%20b%231.js"}}},
		{name: "what a browser leaves unescaped stays", maps: []string{"pct"}, prefix: "https://cdn.example.com/",
			want: []Pair{{Path: p("pct/100%,ü+1.js.map"), MinifiedURL: "https://cdn.example.com/100%25,%C3%BC+1.js"}}},
		{name: "a relative minified URL", maps: []string{"other/x.js.map"}, urls: []string{"app.js"}, err: `minified URL "app.js" is not an absolute URL`},
		{name: "a minified URL on two lines", maps: []string{"other/x.js.map"}, urls: []string{"https://a/x.js\n::error::x"}, err: `has a line break`},
		{name: "a protocol-relative minified URL", maps: []string{"other/x.js.map"}, urls: []string{"//cdn.example.com/x.js"},
			want: []Pair{{Path: p("other/x.js.map"), MinifiedURL: "//cdn.example.com/x.js"}}},
		{name: "a prefix's path escaped as a browser reports it", maps: []string{"other/x.js.map"}, prefix: "https://cdn.example.com/my app/",
			want: []Pair{{Path: p("other/x.js.map"), MinifiedURL: "https://cdn.example.com/my%20app/x.js"}}},
		{name: "a prefix with a query", maps: []string{"dist"}, prefix: "https://cdn.example.com/static/?v=1",
			err: `url_prefix "https://cdn.example.com/static/?v=1" has a query or a fragment`},
		{name: "a prefix with a fragment", maps: []string{"dist"}, prefix: "https://cdn.example.com/static/#", err: "has a query or a fragment"},
		{name: "a relative prefix", maps: []string{"dist"}, prefix: "static/", err: `url_prefix "static/" is not an absolute URL`},
		{name: "no prefix and no urls", maps: []string{"dist"}, err: "url_prefix"},
		{name: "nothing given", err: "no source maps"},
		{name: "empty glob", maps: []string{"dist/*.css.map"}, prefix: "https://x", err: "no .map files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Find(dir, tt.maps, tt.urls, tt.prefix)
			if err == nil {
				err = Check(context.Background(), dir, got)
				for i := range got {
					got[i].Size = 0
				}
			}
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// FuzzValidObject: the streaming check agrees with encoding/json on every
// input (a JSON object, or not).
func FuzzValidObject(f *testing.F) {
	for _, s := range []string{`{"version":3,"sources":["a.js"],"mappings":"AAAA;"}`, `{}`, ` {"a":[1,-2.5e+3,true,null,"\u00e9\n"]} `,
		`not json`, `{"a":1,}`, `{"a":01}`, `[]`, `{"a":"x`, `{"a":1}{}`, `{"a":-}`, `{"a":1.}`, `{"a":"\x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want := json.Valid(data) && bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{"))
		err := validObject(bytes.NewReader(data))
		if (err == nil) != want {
			t.Fatalf("validObject(%q) = %v, json.Valid says %v", data, err, want)
		}
	})
}

// TestCheck: what is not a map is refused by name before anything is sent.
func TestCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
		return path
	}
	good := write("good.js.map", `{"version":3,"mappings":"AAAA"}`)
	html := write("bad.js.map", "<html>404</html>")
	cut := write("cut.js.map", `{"version":3,"mappings":"AA`)
	dangling := filepath.Join(dir, "dangling.js.map")
	require.NoError(t, os.Symlink(filepath.Join(dir, "gone.js.map"), dangling))
	huge := filepath.Join(dir, "huge.js.map")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(rollbar.MaxSourceMap+1)) // sparse: no 64 MB written
	require.NoError(t, f.Close())
	fifo := filepath.Join(dir, "fifo.js.map")
	canFIFO := mkfifo(fifo) == nil

	tests := []struct {
		path string
		err  string
	}{
		{good, ""},
		{html, `source map bad.js.map is not a source map: not JSON at byte 1: it starts with '<', not {`},
		{cut, "source map cut.js.map is not a source map: not JSON at byte 27: the file ends early"},
		{dangling, "source map dangling.js.map is a symbolic link to nothing"},
		{filepath.Join(dir, "nope.js.map"), "source map nope.js.map is not there"},
		{dir, "is a directory"},
		{huge, "source map huge.js.map is 64 MB, more than Rollbar accepts (64 MB)"},
		{fifo, "source map fifo.js.map is not a regular file"},
	}
	for _, tt := range tests {
		if tt.path == fifo && !canFIFO {
			continue
		}
		pairs := []Pair{{Path: tt.path, MinifiedURL: "https://example.com/a.js"}}
		err := Check(context.Background(), dir, pairs)
		if tt.err == "" {
			assert.NoError(t, err)
			assert.Equal(t, int64(31), pairs[0].Size)
			continue
		}
		require.Error(t, err, tt.path)
		assert.Contains(t, err.Error(), tt.err)
	}
}
