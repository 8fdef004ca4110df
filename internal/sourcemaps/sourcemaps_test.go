package sourcemaps

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFind(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"dist/app.min.js.map", "dist/js/vendor.min.js.map", "dist/app.min.js", "other/x.js.map"} {
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
			want: []Pair{{p("dist/app.min.js.map"), "https://a/app.js"}, {p("other/x.js.map"), "https://a/x.js"}}},
		{name: "pairs must match", maps: []string{"dist/app.min.js.map"}, urls: []string{"https://a/1", "https://a/2"}, err: "1 source maps but 2 minified URLs"},
		{name: "directory with prefix", maps: []string{"dist"}, prefix: "https://cdn.example.com/static/",
			want: []Pair{{p("dist/app.min.js.map"), "https://cdn.example.com/static/app.min.js"}, {p("dist/js/vendor.min.js.map"), "https://cdn.example.com/static/js/vendor.min.js"}}},
		{name: "glob with prefix", maps: []string{"dist/*.map"}, prefix: "https://cdn.example.com",
			want: []Pair{{p("dist/app.min.js.map"), "https://cdn.example.com/app.min.js"}}},
		{name: "** spans directories", maps: []string{"dist/**/*.map"}, prefix: "https://cdn.example.com",
			want: []Pair{{p("dist/app.min.js.map"), "https://cdn.example.com/app.min.js"}, {p("dist/js/vendor.min.js.map"), "https://cdn.example.com/js/vendor.min.js"}}},
		{name: "** in a directory that is not there", maps: []string{"gone/**/*.map"}, prefix: "https://x", err: "no .map files in gone/**/*.map"},
		{name: "one file with prefix", maps: []string{"other/x.js.map"}, prefix: "https://cdn.example.com/",
			want: []Pair{{p("other/x.js.map"), "https://cdn.example.com/x.js"}}},
		{name: "no prefix and no urls", maps: []string{"dist"}, err: "url_prefix"},
		{name: "nothing given", err: "no source maps"},
		{name: "missing file", maps: []string{"nope.map"}, prefix: "https://x", err: "nope.map"},
		{name: "empty glob", maps: []string{"dist/*.css.map"}, prefix: "https://x", err: "no .map files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Find(dir, tt.maps, tt.urls, tt.prefix)
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
