// Package rollbartest is a fake Rollbar API for tests: the deploy, version
// and source map endpoints as the live API behaves (answers, error messages, scopes,
// paging, the deploy timeout, rate-limit headers), faults on demand (errors,
// cut connections, hangs, garbage) and a record of everything it was sent.
//
// NewServer runs it in process. The fakerollbar command serves the same
// Handler to end-to-end scripts, which drive it through the control
// endpoints under /_fake/.
package rollbartest

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Scope is an access token scope.
type Scope string

const (
	// ScopePost may create and update deploys and upload source maps.
	ScopePost Scope = "post_server_item"
	// ScopeRead may read deploys.
	ScopeRead Scope = "read"
)

const (
	maxBodyBytes    = 128 << 10 // Rollbar answers 413 above 128 KB
	maxUploadBytes  = 64 << 20  // but takes source maps up to 64 MB
	maxControlBytes = 1 << 20
	controlPrefix   = "/_fake/"
)

// Request is one request the fake was sent, faulted ones included.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// Status is the status answered; 0 while the request is being served
	// or when no answer was given (a cut or a hang).
	Status int
	Time   time.Time // when it arrived, by the handler's clock, in UTC
}

// Option configures a Handler.
type Option func(*Handler)

// WithClock sets the clock that deploy times, the deploy timeout and the
// rate-limit window are measured with.
func WithClock(now func() time.Time) Option {
	return func(h *Handler) {
		if now != nil {
			h.clock = now
		}
	}
}

// WithDeployTimeout sets the project's deploy timeout (default 60 minutes,
// Rollbar's): a deploy still started that long after it began is timed out.
// Zero or less turns the timeout off.
func WithDeployTimeout(d time.Duration) Option {
	return func(h *Handler) { h.timeout = d }
}

// WithNotStartedStatus sets the status of the answer to an update of a
// deploy that is no longer started: 409 by default; Rollbar answers 422 with
// the same message too.
func WithNotStartedStatus(status int) Option {
	return func(h *Handler) {
		if status >= 400 && status <= 499 {
			h.notStarted = status
		}
	}
}

// WithRateLimit sets how many calls a token may make a minute (default
// 5000, Rollbar's); past it the fake answers 429. Zero or less is ignored.
func WithRateLimit(calls int) Option {
	return func(h *Handler) {
		if calls > 0 {
			h.rateLimit = calls
		}
	}
}

// WithLogger logs one line per API request. Queries are left out of it as
// they may carry a token.
func WithLogger(l *slog.Logger) Option {
	return func(h *Handler) { h.logger = l }
}

// Handler is the fake Rollbar API as an http.Handler. It holds all state and
// is safe for concurrent use.
type Handler struct {
	clock      func() time.Time
	timeout    time.Duration
	notStarted int // the status answered to an update of a finished deploy
	rateLimit  int
	logger     *slog.Logger

	// done releases requests held by hang and slow faults, so that a server
	// can shut down.
	done      chan struct{}
	closeOnce sync.Once

	mu         sync.Mutex
	tokens     map[string][]Scope
	deploys    []stored         // oldest first; index i holds id firstDeployID+i
	started    map[int]struct{} // indexes of deploys still started
	users      map[string]int64 // rollbar_username → user_id
	requests   []*Request
	sourceMaps []SourceMapUpload
	items      []storedItem // oldest first
	faults     []Fault
	rates      map[string]*rateWindow
}

// NewHandler returns a fake with the tokens post-token (post_server_item),
// read-token (read) and both-token (both scopes).
func NewHandler(opts ...Option) *Handler {
	h := &Handler{
		clock:      time.Now,
		timeout:    60 * time.Minute,
		notStarted: http.StatusConflict,
		rateLimit:  5000,
		done:       make(chan struct{}),
		tokens: map[string][]Scope{
			"post-token": {ScopePost},
			"read-token": {ScopeRead},
			"both-token": {ScopePost, ScopeRead},
		},
	}
	for _, opt := range opts {
		opt(h)
	}
	h.resetLocked()
	return h
}

// AddToken adds a token with the given scopes, or replaces its scopes.
func (h *Handler) AddToken(token string, scopes ...Scope) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tokens[token] = slices.Clone(scopes)
}

// Close releases the requests that hang and slow faults hold (their
// connections are cut), so that the server serving h can shut down.
func (h *Handler) Close() {
	h.closeOnce.Do(func() { close(h.done) })
}

// Reset forgets deploys, items, requests, source maps, pending faults and rate-limit
// counts; tokens and options stay. Deploy ids start over.
func (h *Handler) Reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.resetLocked()
}

func (h *Handler) resetLocked() {
	h.deploys = nil
	h.started = map[int]struct{}{}
	h.users = map[string]int64{}
	h.requests = nil
	h.sourceMaps = nil
	h.items = nil
	h.faults = nil
	h.rates = map[string]*rateWindow{}
}

// Requests returns every API request received so far, oldest first.
func (h *Handler) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Request, 0, len(h.requests))
	for _, r := range h.requests {
		c := *r
		c.Header = r.Header.Clone()
		c.Body = slices.Clone(r.Body)
		out = append(out, c)
	}
	return out
}

// ServeHTTP serves the Rollbar API and, under /_fake/, the control endpoints.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		h.serveControl(w, r)
		return
	}
	h.serveAPI(w, r)
}

// call is one API request on its way through the fake.
type call struct {
	r        *http.Request
	in       input
	token    string
	tooLarge bool
	limited  bool      // the token is over its rate limit
	id       int64     // the {id} of /api/1/deploy/{id}; 0 if not a number
	version  string    // the {version} of /api/1/versions/{version}, unescaped
	now      time.Time // when processing began
}

func (h *Handler) serveAPI(w http.ResponseWriter, r *http.Request) {
	began := time.Now()
	now := h.clock()
	limit := int64(maxBodyBytes)
	if strings.TrimSuffix(r.URL.Path, "/") == "/api/1/sourcemap" {
		limit = maxUploadBytes
	}
	body, tooLarge := readBody(w, r, limit)
	c := &call{r: r, in: parseInput(r, body), tooLarge: tooLarge}
	c.token = accessToken(r, c.in)

	rec := &Request{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: body, Time: now.UTC(),
	}
	h.mu.Lock()
	h.requests = append(h.requests, rec)
	h.mu.Unlock()

	sw := &statusWriter{ResponseWriter: w}
	c.limited = h.countCall(sw.Header(), c.token, now)
	fault, faulted := h.takeFault(r)
	defer func() {
		h.mu.Lock()
		rec.Status = sw.status
		h.mu.Unlock()
		if h.logger != nil {
			attrs := []any{"method", r.Method, "path", r.URL.Path, "status", sw.status, "duration", time.Since(began)}
			if faulted {
				attrs = append(attrs, "fault", string(fault.Kind))
			}
			h.logger.Info("rollbar", attrs...)
		}
	}()

	process := func(w http.ResponseWriter) { h.process(w, c) }
	if faulted {
		h.applyFault(sw, r, fault, process)
		return
	}
	process(sw)
}

// endpoint is what one method on one path does.
type endpoint struct {
	method string
	scope  Scope
	serve  func(*Handler, http.ResponseWriter, *call)
}

// route finds the endpoints of an escaped path (a trailing slash is
// optional) and the still escaped deploy id or version in it.
func route(path string) (eps []endpoint, param string) {
	p := strings.TrimSuffix(path, "/")
	switch p {
	case "/api/1/deploy":
		return []endpoint{{http.MethodPost, ScopePost, (*Handler).createDeploy}}, ""
	case "/api/1/deploys":
		return []endpoint{{http.MethodGet, ScopeRead, (*Handler).listDeploys}}, ""
	case "/api/1/sourcemap":
		return []endpoint{{http.MethodPost, ScopePost, (*Handler).uploadSourceMap}}, ""
	}
	if id, ok := strings.CutPrefix(p, "/api/1/deploy/"); ok && id != "" && !strings.Contains(id, "/") {
		return []endpoint{
			{http.MethodGet, ScopeRead, (*Handler).getDeploy},
			{http.MethodPatch, ScopePost, (*Handler).patchDeploy},
		}, id
	}
	if rest, ok := strings.CutPrefix(p, "/api/1/versions/"); ok {
		switch version, sub, _ := strings.Cut(rest, "/"); {
		case version != "" && sub == "":
			return []endpoint{{http.MethodGet, ScopeRead, (*Handler).getVersion}}, version
		case version != "" && sub == "items":
			return []endpoint{{http.MethodGet, ScopeRead, (*Handler).listVersionItems}}, version
		}
	}
	return nil, ""
}

// process answers a request as Rollbar would.
func (h *Handler) process(w http.ResponseWriter, c *call) {
	c.now = h.clock()
	if c.tooLarge {
		writeError(w, http.StatusRequestEntityTooLarge, "Request entity too large.")
		return
	}
	// Escaped, so that a version holding a slash stays one segment.
	eps, param := route(c.r.URL.EscapedPath())
	if eps == nil {
		writeError(w, http.StatusNotFound, "Not found.")
		return
	}
	i := slices.IndexFunc(eps, func(e endpoint) bool { return e.method == c.r.Method })
	if i < 0 {
		var allow []string
		for _, e := range eps {
			allow = append(allow, e.method)
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, http.StatusMethodNotAllowed, "Method not allowed.")
		return
	}
	ep := eps[i]
	if status, msg := h.authorize(c.token, ep.scope); status != 0 {
		writeError(w, status, msg)
		return
	}
	if c.in.err != nil {
		writeError(w, http.StatusBadRequest, "Invalid request body: "+c.in.err.Error()+".")
		return
	}
	if c.limited {
		writeError(w, http.StatusTooManyRequests, "Rate limit exceeded.")
		return
	}
	c.id, _ = strconv.ParseInt(param, 10, 64)
	c.version, _ = url.PathUnescape(param)
	ep.serve(h, w, c)
}

func (h *Handler) authorize(token string, need Scope) (status int, message string) {
	if token == "" {
		return http.StatusBadRequest, "access token required"
	}
	h.mu.Lock()
	scopes, ok := h.tokens[token]
	h.mu.Unlock()
	switch {
	case !ok:
		return http.StatusUnauthorized, "invalid access token"
	case !slices.Contains(scopes, need):
		return http.StatusForbidden, "insufficient privileges: this call needs a token with the '" + string(need) + "' scope"
	}
	return 0, ""
}

// readBody reads a request body up to limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, tooLarge bool) {
	if r.ContentLength > limit {
		return nil, true
	}
	if r.Body == nil {
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	return body, errors.As(err, &tooBig)
}

// statusWriter remembers the status answered, for Requests and the log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController hijack the connection for cut faults.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// rateWindow counts one token's calls in the current minute.
type rateWindow struct {
	reset time.Time
	used  int
}

// countCall counts a call against its token's rate limit, writes the
// X-Rate-Limit headers that every Rollbar answer carries, and reports whether
// the token is over its limit.
func (h *Handler) countCall(header http.Header, token string, now time.Time) (limited bool) {
	h.mu.Lock()
	if _, known := h.tokens[token]; !known {
		token = "" // one window for all unknown tokens keeps the map small
	}
	win := h.rates[token]
	if win == nil || !now.Before(win.reset) {
		win = &rateWindow{reset: now.Add(time.Minute)}
		h.rates[token] = win
	}
	win.used++
	remaining, reset := max(h.rateLimit-win.used, 0), win.reset
	limited = win.used > h.rateLimit
	h.mu.Unlock()

	header.Set("X-Rate-Limit-Limit", strconv.Itoa(h.rateLimit))
	header.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	header.Set("X-Rate-Limit-Remaining-Seconds", strconv.Itoa(int(math.Ceil(reset.Sub(now).Seconds()))))
	header.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset.Unix(), 10))
	return limited
}

type okBody struct {
	Err    int `json:"err"`
	Result any `json:"result"`
}

type errorBody struct {
	Err     int    `json:"err"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"err":1,"message":"rollbartest: cannot encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, errorBody{Err: 1, Message: message})
}
