package rollbartest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const maxSeed = 100_000 // keeps a typo in a script from eating the memory

type requestJSON struct {
	Method   string      `json:"method"`
	Path     string      `json:"path"`
	RawQuery string      `json:"raw_query"`
	Header   http.Header `json:"header"`
	Body     string      `json:"body"`
	Status   int         `json:"status"`
	Time     time.Time   `json:"time"`
}

// MarshalJSON writes the body as text rather than base64, for scripts.
func (r Request) MarshalJSON() ([]byte, error) {
	return json.Marshal(requestJSON{r.Method, r.Path, r.RawQuery, r.Header, string(r.Body), r.Status, r.Time})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Request) UnmarshalJSON(b []byte) error {
	var j requestJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Request{j.Method, j.Path, j.RawQuery, j.Header, []byte(j.Body), j.Status, j.Time}
	return nil
}

// serveControl serves the endpoints that let a script outside the process
// drive the fake. They are neither recorded, rate-limited nor faulted.
func (h *Handler) serveControl(w http.ResponseWriter, r *http.Request) {
	method, serve := h.controlRoute(strings.TrimSuffix(r.URL.Path, "/"))
	switch {
	case serve == nil:
		writeError(w, http.StatusNotFound, "No such control endpoint.")
	case r.Method != method:
		w.Header().Set("Allow", method)
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed.")
	default:
		serve(w, r)
	}
}

func (h *Handler) controlRoute(path string) (method string, serve http.HandlerFunc) {
	get := func(list func() any) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, list()) }
	}
	switch path {
	case "/_fake/faults":
		return http.MethodPost, h.postFaults
	case "/_fake/requests":
		return http.MethodGet, get(func() any { return h.Requests() })
	case "/_fake/deploys":
		return http.MethodGet, get(func() any { return h.Deploys() })
	case "/_fake/sourcemaps":
		return http.MethodGet, get(func() any { return h.SourceMaps() })
	case "/_fake/reset":
		return http.MethodPost, func(w http.ResponseWriter, _ *http.Request) {
			h.Reset()
			writeJSON(w, http.StatusOK, struct{}{})
		}
	case "/_fake/seed":
		return http.MethodPost, h.postSeed
	}
	if id, ok := strings.CutPrefix(path, "/_fake/timeout/"); ok {
		return http.MethodPost, func(w http.ResponseWriter, _ *http.Request) { h.postTimeOut(w, id) }
	}
	return "", nil
}

// postFaults queues a JSON fault or an array of them, all or none.
func (h *Handler) postFaults(w http.ResponseWriter, r *http.Request) {
	body, tooLarge := readBody(w, r, maxControlBytes)
	if tooLarge {
		writeError(w, http.StatusRequestEntityTooLarge, "Request entity too large.")
		return
	}
	var faults []Fault
	var err error
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &faults)
	} else {
		faults = make([]Fault, 1)
		err = json.Unmarshal(trimmed, &faults[0])
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid fault: "+err.Error())
		return
	}
	for _, f := range faults {
		if err := f.validate(); err != nil {
			writeError(w, http.StatusBadRequest, "Invalid fault: "+err.Error())
			return
		}
	}
	for _, f := range faults {
		h.Inject(f)
	}
	writeJSON(w, http.StatusOK, map[string]int{"queued": len(faults)})
}

func (h *Handler) postSeed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n, err := strconv.Atoi(q.Get("n"))
	if err != nil || n < 0 || n > maxSeed {
		writeError(w, http.StatusBadRequest, "n must be a number of deploys from 0 to "+strconv.Itoa(maxSeed)+".")
		return
	}
	h.Seed(n, q.Get("environment"))
	writeJSON(w, http.StatusOK, map[string]int{"seeded": n})
}

func (h *Handler) postTimeOut(w http.ResponseWriter, id string) {
	var d Deploy
	n, err := strconv.ParseInt(id, 10, 64)
	ok := err == nil
	if ok {
		d, ok = h.timeOut(n)
	}
	if !ok {
		writeError(w, http.StatusNotFound, "No started deploy with id "+strconv.Quote(id)+".")
		return
	}
	writeJSON(w, http.StatusOK, d)
}
