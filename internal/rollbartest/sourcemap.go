package rollbartest

import (
	"encoding/json"
	"net/http"
	"slices"
)

// SourceMapUpload is one source map upload the fake accepted.
type SourceMapUpload struct {
	Version     string
	MinifiedURL string
	SourceMap   []byte
	Sources     []string // the field names (source paths) of the further files
}

type sourceMapJSON struct {
	Version     string   `json:"version"`
	MinifiedURL string   `json:"minified_url"`
	SourceMap   string   `json:"source_map"`
	Sources     []string `json:"sources"`
}

// MarshalJSON writes the map as text rather than base64, for scripts.
func (u SourceMapUpload) MarshalJSON() ([]byte, error) {
	return json.Marshal(sourceMapJSON{
		Version: u.Version, MinifiedURL: u.MinifiedURL,
		SourceMap: string(u.SourceMap), Sources: orEmpty(u.Sources),
	})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (u *SourceMapUpload) UnmarshalJSON(b []byte) error {
	var j sourceMapJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*u = SourceMapUpload{
		Version: j.Version, MinifiedURL: j.MinifiedURL, SourceMap: []byte(j.SourceMap), Sources: j.Sources,
	}
	return nil
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// SourceMaps returns the source map uploads accepted so far, oldest first.
func (h *Handler) SourceMaps() []SourceMapUpload {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]SourceMapUpload, 0, len(h.sourceMaps))
	for _, u := range h.sourceMaps {
		u.SourceMap, u.Sources = slices.Clone(u.SourceMap), slices.Clone(u.Sources)
		out = append(out, u)
	}
	return out
}

func (h *Handler) uploadSourceMap(w http.ResponseWriter, c *call) {
	ck := checker{in: c.in}
	up := SourceMapUpload{}
	for _, f := range []struct {
		key string
		dst *string
	}{{"version", &up.Version}, {"minified_url", &up.MinifiedURL}} {
		if v, ok := ck.text(f.key, 0, false); v != "" || !ok {
			*f.dst = v
			continue
		}
		ck.missing = append(ck.missing, "Missing '"+f.key+"' key.")
	}
	hasMap := false
	for _, f := range c.in.files {
		if f.field == "source_map" && !hasMap {
			up.SourceMap, hasMap = f.data, true
			continue
		}
		up.Sources = append(up.Sources, f.field)
	}
	switch {
	case !hasMap:
		ck.missing = append(ck.missing, "Missing 'source_map' file (send it as a multipart/form-data file).")
	case !json.Valid(up.SourceMap):
		ck.invalid = append(ck.invalid, "'source_map' file is not valid JSON.")
	}
	if msg := ck.message(); msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	h.mu.Lock()
	h.sourceMaps = append(h.sourceMaps, up)
	h.mu.Unlock()
	writeJSON(w, http.StatusOK, okBody{Result: struct{}{}})
}
