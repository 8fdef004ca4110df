package rollbartest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUploadSourceMap(t *testing.T) {
	t.Parallel()
	const sourceMap = `{"version":3,"sources":["src/app.js"],"mappings":"AAAA"}`
	version := part{name: "version", content: "abc123"}
	minified := part{name: "minified_url", content: "https://example.com/app.min.js"}
	mapFile := part{name: "source_map", filename: "app.min.js.map", content: sourceMap}
	source := part{name: "src/app.js", filename: "app.js", content: "console.log(1)"}
	const missingMap = "Missing 'source_map' file (send it as a multipart/form-data file)."

	tests := []struct {
		name        string
		token       string
		parts       []part
		form        string // a form-urlencoded body instead of parts
		wantStatus  int
		wantMessage string
		want        SourceMapUpload
	}{
		{name: "map only", token: "post-token", parts: []part{version, minified, mapFile}, wantStatus: 200,
			want: SourceMapUpload{Version: "abc123", MinifiedURL: "https://example.com/app.min.js", SourceMap: []byte(sourceMap)}},
		{name: "with sources", token: "both-token", parts: []part{version, minified, mapFile, source}, wantStatus: 200,
			want: SourceMapUpload{Version: "abc123", MinifiedURL: "https://example.com/app.min.js", SourceMap: []byte(sourceMap),
				Sources: []string{"src/app.js"}}},
		{name: "token in the form", parts: []part{{name: "access_token", content: "post-token"}, version, minified, mapFile}, wantStatus: 200,
			want: SourceMapUpload{Version: "abc123", MinifiedURL: "https://example.com/app.min.js", SourceMap: []byte(sourceMap)}},
		{name: "nothing", token: "post-token", parts: []part{}, wantStatus: 422,
			wantMessage: "Missing 'version' key. Missing 'minified_url' key. " + missingMap},
		{name: "no version", token: "post-token", parts: []part{minified, mapFile}, wantStatus: 422,
			wantMessage: "Missing 'version' key."},
		{name: "empty minified_url", token: "post-token", parts: []part{version, {name: "minified_url"}, mapFile}, wantStatus: 422,
			wantMessage: "Missing 'minified_url' key."},
		{name: "map as a plain field", token: "post-token", parts: []part{version, minified, {name: "source_map", content: sourceMap}},
			wantStatus: 422, wantMessage: missingMap},
		{name: "map not JSON", token: "post-token", parts: []part{version, minified, {name: "source_map", filename: "m", content: "<html>"}},
			wantStatus: 422, wantMessage: "'source_map' file is not valid JSON."},
		{name: "form-urlencoded", token: "post-token", form: "version=a&minified_url=b&source_map=%7B%7D",
			wantStatus: 422, wantMessage: missingMap},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			r := req{method: http.MethodPost, path: "/api/1/sourcemap", token: tt.token}
			if tt.form != "" {
				r.contentType, r.body = "application/x-www-form-urlencoded", tt.form
			} else {
				r.contentType, r.body = multipartBody(tt.parts...)
			}
			got := do(t, s.URL, r)
			require.Equal(t, tt.wantStatus, got.status, "body: %s", got.body)
			if tt.wantStatus != http.StatusOK {
				assert.Equal(t, tt.wantMessage, got.message(t))
				assert.Empty(t, s.SourceMaps())
				return
			}
			assert.Empty(t, got.result(t))
			assert.Equal(t, []SourceMapUpload{tt.want}, s.SourceMaps())
		})
	}
}
