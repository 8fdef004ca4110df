package rollbartest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// FaultKind is what a fault does to the request it matches.
type FaultKind string

const (
	// FaultStatus answers Status, Header and Body without processing the
	// request (default 503).
	FaultStatus FaultKind = "status"
	// FaultCut closes the connection without answering or processing. Go's
	// transport silently resends a GET cut on a reused connection, which
	// then meets the next fault or a normal answer.
	FaultCut FaultKind = "cut"
	// FaultRecordThenStatus processes the request (a deploy is recorded) and
	// then answers Status (default 502) instead, as a failing proxy would.
	FaultRecordThenStatus FaultKind = "record_then_status"
	// FaultRecordThenCut processes the request, then closes the connection
	// without answering.
	FaultRecordThenCut FaultKind = "record_then_cut"
	// FaultSlow waits Delay, then processes and answers normally. The request
	// is processed even if the client gave up meanwhile, as on a slow server.
	FaultSlow FaultKind = "slow"
	// FaultHang never answers: the connection is cut once the client gives
	// up or the handler is closed.
	FaultHang FaultKind = "hang"
	// FaultGarbage answers 200 with a body that is not JSON (an HTML page by
	// default) without processing.
	FaultGarbage FaultKind = "garbage"
)

// Fault is a misbehaviour the fake shows to matching requests, in the order
// faults were injected.
type Fault struct {
	Method string // "" matches any method
	// Path matches the request path and the paths below it: "/api/1/deploy"
	// matches "/api/1/deploy/" and "/api/1/deploy/42" but not
	// "/api/1/deploys". "" matches any path.
	Path  string
	Times int // how many requests the fault applies to; default 1
	Kind  FaultKind
	// Status, Header and Body make the answer of status, record_then_status
	// and garbage faults; Header is laid over the usual headers.
	Status int
	Header map[string]string
	Body   string
	// Delay is waited before the fault acts, whatever its kind.
	Delay time.Duration
}

type faultJSON struct {
	Method string            `json:"method,omitempty"`
	Path   string            `json:"path,omitempty"`
	Times  int               `json:"times,omitempty"`
	Kind   FaultKind         `json:"kind"`
	Status int               `json:"status,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body,omitempty"`
	Delay  string            `json:"delay,omitempty"` // a Go duration such as "2s"
}

// MarshalJSON writes Delay as a Go duration string such as "2s".
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Method: f.Method, Path: f.Path, Times: f.Times, Kind: f.Kind,
		Status: f.Status, Header: f.Header, Body: f.Body}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes, and rejects unknown fields so
// that a typo in a script fails loudly.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("fault: %w", err)
	}
	var delay time.Duration
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil {
			return fmt.Errorf("fault: delay must be a Go duration such as \"2s\": %w", err)
		}
		delay = d
	}
	*f = Fault{Method: j.Method, Path: j.Path, Times: j.Times, Kind: j.Kind,
		Status: j.Status, Header: j.Header, Body: j.Body, Delay: delay}
	return nil
}

// validate reports a fault the fake cannot act out.
func (f Fault) validate() error {
	switch f.Kind {
	case "", FaultStatus, FaultCut, FaultRecordThenStatus, FaultRecordThenCut, FaultSlow, FaultHang, FaultGarbage:
	default:
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		return fmt.Errorf("fault status %d is not between 200 and 599", f.Status)
	}
	if f.Delay < 0 {
		return errors.New("fault delay is negative")
	}
	return nil
}

// Inject queues a fault. A Kind left empty is FaultStatus. An invalid fault
// is answered with a 500 naming the problem when its turn comes.
func (h *Handler) Inject(f Fault) {
	f.Times = max(f.Times, 1)
	f.Kind = cmp.Or(f.Kind, FaultStatus)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, f)
}

func (f Fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	prefix := strings.TrimSuffix(f.Path, "/")
	return prefix == "" || r.URL.Path == prefix || strings.HasPrefix(r.URL.Path, prefix+"/")
}

// takeFault takes one use of the first pending fault that matches r.
func (h *Handler) takeFault(r *http.Request) (Fault, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.faults {
		f := &h.faults[i]
		if !f.matches(r) {
			continue
		}
		taken := *f
		if f.Times--; f.Times <= 0 {
			h.faults = append(h.faults[:i], h.faults[i+1:]...)
		}
		return taken, true
	}
	return Fault{}, false
}

// applyFault acts a fault out; process answers the request normally.
func (h *Handler) applyFault(w http.ResponseWriter, r *http.Request, f Fault, process func(http.ResponseWriter)) {
	if err := f.validate(); err != nil {
		writeError(w, http.StatusInternalServerError, "rollbartest: "+err.Error())
		return
	}
	if f.Delay > 0 && !h.sleep(f.Delay) {
		cut(w)
		return
	}
	switch f.Kind {
	case FaultStatus:
		answer(w, f, http.StatusServiceUnavailable)
	case FaultRecordThenStatus:
		process(httptest.NewRecorder())
		answer(w, f, http.StatusBadGateway)
	case FaultCut:
		cut(w)
	case FaultRecordThenCut:
		process(httptest.NewRecorder())
		cut(w)
	case FaultSlow:
		process(w)
	case FaultHang:
		select {
		case <-r.Context().Done():
		case <-h.done:
		}
		cut(w)
	case FaultGarbage:
		if f.Body == "" {
			f.Body = maintenancePage
		}
		answer(w, f, http.StatusOK)
	}
}

const maintenancePage = `<!DOCTYPE html>
<html><head><title>Rollbar - Down for maintenance</title></head>
<body><h1>We'll be right back</h1></body></html>
`

// answer writes a fault's own answer.
func answer(w http.ResponseWriter, f Fault, defaultStatus int) {
	status := cmp.Or(f.Status, defaultStatus)
	body := f.Body
	if body == "" {
		b, _ := json.Marshal(errorBody{Err: 1, Message: http.StatusText(status)})
		body = string(b)
	}
	h := w.Header()
	switch {
	case json.Valid([]byte(body)):
		h.Set("Content-Type", "application/json")
	case strings.HasPrefix(strings.TrimSpace(body), "<"):
		h.Set("Content-Type", "text/html; charset=utf-8")
	default:
		h.Set("Content-Type", "text/plain; charset=utf-8")
	}
	if status == http.StatusTooManyRequests {
		h.Set("X-Rate-Limit-Remaining", "0")
	}
	for k, v := range f.Header {
		h.Set(k, v)
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// cut closes the connection without an answer, as a crashed server or a
// dropped network would.
func cut(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 cannot hijack. This sentinel panic is net/http's own way to
		// abort a response: the server resets the stream and logs nothing.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// sleep waits d, and reports false if the handler was closed meanwhile.
func (h *Handler) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-h.done:
		return false
	}
}
