package rollbartest

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

const (
	statusStarted   = "started"
	statusSucceeded = "succeeded"
	statusFailed    = "failed"
	statusTimedOut  = "timed_out"

	firstDeployID = 45306460 // a recorded id, so that fake ids look real
	firstUserID   = 237000
	projectID     = 67454
	pageSize      = 20   // deploys a page unless limit says otherwise
	maxPageSize   = 5000 // Rollbar's cap on limit
	maxNameLen    = 255
	maxComment    = 64 << 10

	notFound   = "Deploy not found in this project."
	notStarted = "The deploy can not be updated because its status is not started."
)

// Deploy is a deploy as the fake stores it. Its JSON is Rollbar's deploy
// object plus rollbar_username, with null for empty strings and zero ids and
// times, as Rollbar sends absent values; the API itself leaves
// rollbar_username out, as Rollbar does.
type Deploy struct {
	ID              int64  `json:"id"`
	ProjectID       int64  `json:"project_id"`
	UserID          int64  `json:"user_id"` // set when rollbar_username was sent
	Environment     string `json:"environment"`
	Revision        string `json:"revision"`
	RollbarUsername string `json:"rollbar_username"`
	LocalUsername   string `json:"local_username"`
	Comment         string `json:"comment"`
	StartTime       int64  `json:"start_time"`  // Unix seconds
	FinishTime      int64  `json:"finish_time"` // Unix seconds; 0 while started
	Status          string `json:"status"`
}

type deployJSON struct {
	ID              int64   `json:"id"`
	ProjectID       int64   `json:"project_id"`
	UserID          *int64  `json:"user_id"`
	Environment     string  `json:"environment"`
	Revision        string  `json:"revision"`
	LocalUsername   *string `json:"local_username"`
	Comment         *string `json:"comment"`
	StartTime       int64   `json:"start_time"`
	FinishTime      *int64  `json:"finish_time"`
	Status          string  `json:"status"`
	RollbarUsername *string `json:"rollbar_username,omitempty"`
}

// MarshalJSON writes null for absent values, as Rollbar does.
func (d Deploy) MarshalJSON() ([]byte, error) {
	j := d.api()
	j.RollbarUsername = orNull(d.RollbarUsername)
	return json.Marshal(j)
}

// api is the deploy as Rollbar's API answers it.
func (d Deploy) api() deployJSON {
	return deployJSON{
		ID: d.ID, ProjectID: d.ProjectID, UserID: orNull(d.UserID),
		Environment: d.Environment, Revision: d.Revision,
		LocalUsername: orNull(d.LocalUsername), Comment: orNull(d.Comment),
		StartTime: d.StartTime, FinishTime: orNull(d.FinishTime), Status: d.Status,
	}
}

func orNull[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

// stored is a deploy with the exact time it started, which the timeout is
// measured from.
type stored struct {
	Deploy
	began time.Time
}

// Deploys returns every deploy, oldest first.
func (h *Handler) Deploys() []Deploy {
	now := h.clock()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.expireLocked(now)
	out := make([]Deploy, 0, len(h.deploys))
	for _, s := range h.deploys {
		out = append(out, s.Deploy)
	}
	return out
}

// Seed records n succeeded deploys of environment ("production" if empty),
// a minute apart and ending now, as if they were made before the test.
func (h *Handler) Seed(n int, environment string) {
	if environment == "" {
		environment = "production"
	}
	now := h.clock()
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range n {
		at := now.Add(-time.Duration(n-1-i) * time.Minute)
		sum := sha1.Sum([]byte(environment + "/" + strconv.Itoa(len(h.deploys))))
		h.addLocked(Deploy{Environment: environment, Revision: hex.EncodeToString(sum[:]), Status: statusSucceeded}, at)
	}
}

// TimeOut times the started deploy id out now, as Rollbar does once the
// project's deploy timeout has passed. It reports false when there is no such
// deploy or it is no longer started.
func (h *Handler) TimeOut(id int64) bool {
	_, ok := h.timeOut(id)
	return ok
}

func (h *Handler) timeOut(id int64) (Deploy, bool) {
	now := h.clock()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.expireLocked(now)
	s, i, ok := h.deployLocked(id)
	if !ok || s.Status != statusStarted {
		return Deploy{}, false
	}
	s.Status, s.FinishTime = statusTimedOut, now.Unix()
	delete(h.started, i)
	return s.Deploy, true
}

// addLocked stores a new deploy begun at at, filling in what Rollbar does.
func (h *Handler) addLocked(d Deploy, at time.Time) Deploy {
	i := len(h.deploys)
	d.ID, d.ProjectID = firstDeployID+int64(i), projectID
	d.StartTime = at.Unix()
	if d.RollbarUsername != "" {
		if _, ok := h.users[d.RollbarUsername]; !ok {
			h.users[d.RollbarUsername] = firstUserID + int64(len(h.users))
		}
		d.UserID = h.users[d.RollbarUsername]
	}
	if d.Status == statusStarted {
		h.started[i] = struct{}{}
	} else {
		d.FinishTime = d.StartTime
	}
	h.deploys = append(h.deploys, stored{Deploy: d, began: at})
	return d
}

func (h *Handler) deployLocked(id int64) (s *stored, index int, ok bool) {
	if id < firstDeployID || id-firstDeployID >= int64(len(h.deploys)) {
		return nil, 0, false
	}
	i := int(id - firstDeployID)
	return &h.deploys[i], i, true
}

// expireLocked times out the deploys started longer ago than the deploy
// timeout. Doing it lazily, whenever deploys are looked at, makes the
// injected clock the only notion of time.
func (h *Handler) expireLocked(now time.Time) {
	if h.timeout <= 0 {
		return
	}
	for i := range h.started {
		s := &h.deploys[i]
		if deadline := s.began.Add(h.timeout); !now.Before(deadline) {
			s.Status, s.FinishTime = statusTimedOut, deadline.Unix()
			delete(h.started, i)
		}
	}
}

func (h *Handler) createDeploy(w http.ResponseWriter, c *call) {
	ck := checker{in: c.in}
	env, envOK := ck.text("environment", maxNameLen, false)
	rev, revOK := ck.text("revision", maxNameLen, false)
	if rev == "" && revOK {
		rev, revOK = ck.text("head_long", maxNameLen, false)
	}
	if env == "" && envOK {
		ck.missing = append(ck.missing, "Missing 'environment' key.")
	}
	if rev == "" && revOK {
		ck.missing = append(ck.missing, "Missing 'revision' or 'head_long' key.")
	}
	d := Deploy{Environment: env, Revision: rev}
	d.RollbarUsername, _ = ck.text("rollbar_username", 0, false)
	d.LocalUsername, _ = ck.text("local_username", maxNameLen, false)
	d.Comment, _ = ck.text("comment", maxComment, true)
	d.Status = ck.status()
	if msg := ck.message(); msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	if d.Status == "" {
		d.Status = statusSucceeded
	}
	h.mu.Lock()
	d = h.addLocked(d, c.now)
	h.mu.Unlock()
	// The create answer is the odd one out: data.deploy_id, and no err key.
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]int64{"deploy_id": d.ID}})
}

func (h *Handler) getDeploy(w http.ResponseWriter, c *call) {
	h.mu.Lock()
	h.expireLocked(c.now)
	s, _, ok := h.deployLocked(c.id)
	var d Deploy
	if ok {
		d = s.Deploy
	}
	h.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, notFound)
		return
	}
	writeJSON(w, http.StatusOK, okBody{Result: d.api()})
}

func (h *Handler) patchDeploy(w http.ResponseWriter, c *call) {
	ck := checker{in: c.in}
	comment, _ := ck.text("comment", maxComment, true)
	_, hasComment := c.in.fields["comment"]
	status := ck.status()
	if msg := ck.message(); msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}

	h.mu.Lock()
	h.expireLocked(c.now)
	s, i, ok := h.deployLocked(c.id)
	switch {
	case !ok:
		h.mu.Unlock()
		writeError(w, http.StatusNotFound, notFound)
		return
	case s.Status != statusStarted:
		h.mu.Unlock()
		writeError(w, h.notStarted, notStarted)
		return
	}
	if hasComment {
		s.Comment = comment
	}
	if status != "" && status != statusStarted {
		s.Status, s.FinishTime = status, c.now.Unix()
		delete(h.started, i)
	}
	d := s.Deploy
	h.mu.Unlock()
	writeJSON(w, http.StatusOK, okBody{Result: d.api()})
}

func (h *Handler) listDeploys(w http.ResponseWriter, c *call) {
	page := positive(c.r.URL.Query().Get("page"), 1)
	size := min(positive(c.r.URL.Query().Get("limit"), pageSize), maxPageSize)
	deploys := make([]deployJSON, 0, min(size, pageSize))
	h.mu.Lock()
	h.expireLocked(c.now)
	// Newest first: page p starts (p-1)*size deploys back from the newest.
	if n := len(h.deploys); page-1 <= n/size {
		for i := n - 1 - (page-1)*size; i >= 0 && len(deploys) < size; i-- {
			deploys = append(deploys, h.deploys[i].api())
		}
	}
	h.mu.Unlock()
	writeJSON(w, http.StatusOK, okBody{Result: map[string]any{"deploys": deploys, "page": page}})
}

// positive reads a query number, or def when it is absent, not a number or
// below 1, as Rollbar reads page.
func positive(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil && n >= 1 {
		return n
	}
	return def
}
