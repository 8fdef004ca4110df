package rollbartest

import (
	"cmp"
	"hash/fnv"
	"net/http"
	"slices"
	"strings"
	"time"
)

const (
	itemsPageSize = 100 // items a page, as Rollbar's item lists
	firstItemID   = 272505123
	versionGone   = "Version not found in this project." // inferred: Rollbar documents no message
)

var (
	levels = []string{"debug", "info", "warning", "error", "critical"}
	events = []string{"new", "repeated", "reactivated", "resolved"}
)

// Item is an item of a code version, as AddItem takes it. Empty fields get
// Rollbar-like defaults.
type Item struct {
	ID      int64 // default: the next id
	Counter int64 // the project's item number; default: the next one
	Title   string
	Level   string // debug, info, warning, error (default) or critical
	// Event is what the item did in the version: new (default), repeated,
	// reactivated or resolved.
	Event       string
	Status      string // default active
	Occurrences int64  // in the version; default 1
	People      int64  // people affected in the version

	// FirstBefore is how long before its last occurrence the item first
	// occurred in the version (an item of an earlier deploy of the version
	// that occurs again).
	FirstBefore time.Duration
	// Rollbar's answers show an item once it occurs, each after its own lag
	// behind the occurrence (stats lag during Rollbar's incidents): the item
	// list after ListedAfter, item_stats after CountedAfter, the version's
	// first and last occurrence fields (null until then) after StampedAfter.
	ListedAfter, CountedAfter, StampedAfter time.Duration
}

type storedItem struct {
	Item
	version, environment string
	times                []time.Time // its occurrences in the version that AddItem was told of, in order
}

// AddItem adds an item to version in environment whose last occurrence is
// after past now by the fake's clock (before it, when negative), so that a
// test moves its Clock instead of sleeping. Rollbar's answers show it from
// its first occurrence on, each after the item's lag. An item whose Counter
// is one the version already has in the environment is that item occurring
// again. It returns the item with its defaults filled in.
func (h *Handler) AddItem(version, environment string, it Item, after time.Duration) Item {
	at := h.clock().Add(after)
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, got := range h.items {
		if it.Counter != 0 && got.Counter == it.Counter && got.version == version && got.environment == environment {
			got.times = append(got.times, at)
			slices.SortFunc(got.times, time.Time.Compare)
			got.Occurrences += cmp.Or(it.Occurrences, 1)
			h.items[i] = got
			return got.Item
		}
	}
	n := int64(len(h.items))
	it.ID = cmp.Or(it.ID, firstItemID+n)
	it.Counter = cmp.Or(it.Counter, n+1)
	it.Title = cmp.Or(it.Title, "Error in version "+version)
	it.Level, it.Event, it.Status = cmp.Or(it.Level, "error"), cmp.Or(it.Event, "new"), cmp.Or(it.Status, "active")
	it.Occurrences = cmp.Or(it.Occurrences, 1)
	times := []time.Time{at}
	if it.FirstBefore > 0 {
		times = []time.Time{at.Add(-it.FirstBefore), at}
	}
	h.items = append(h.items, storedItem{Item: it, version: version, environment: environment, times: times})
	return it
}

func (it storedItem) first() time.Time { return it.times[0] }

// last is the item's last occurrence by now.
func (it storedItem) last(now time.Time) time.Time {
	i, _ := slices.BinarySearchFunc(it.times, now, func(t, now time.Time) int {
		if t.After(now) {
			return 1
		}
		return -1
	})
	return it.times[max(i-1, 0)]
}

// shown tells whether an answer at now shows the item, lag being the
// answer's.
func (it storedItem) shown(now time.Time, lag time.Duration) bool {
	return !now.Before(it.first().Add(lag))
}

type versionJSON struct {
	ID                       int64                     `json:"id"`
	Version                  string                    `json:"version"`
	Environment              string                    `json:"environment"`
	DateCreated              int64                     `json:"date_created"`
	FirstOccurrenceID        *int64                    `json:"first_occurrence_id"`
	FirstOccurrenceTimestamp *int64                    `json:"first_occurrence_timestamp"`
	LastOccurrenceID         *int64                    `json:"last_occurrence_id"`
	LastOccurrenceTimestamp  *int64                    `json:"last_occurrence_timestamp"`
	DeployedBy               *string                   `json:"deployed_by"`
	LastDeployTimestamp      *int64                    `json:"last_deploy_timestamp"`
	ItemStats                map[string]map[string]int `json:"item_stats"`
	Commits                  []any                     `json:"commits"`
}

type itemJSON struct {
	ID                                int64  `json:"id"`
	Counter                           int64  `json:"counter"`
	Environment                       string `json:"environment"`
	Title                             string `json:"title"`
	Level                             string `json:"level"`
	Status                            string `json:"status"`
	FirstInVersionOccurrenceID        int64  `json:"first_in_version_occurrence_id"`
	FirstInVersionOccurrenceTimestamp int64  `json:"first_in_version_occurrence_timestamp"`
	LastInVersionOccurrenceID         int64  `json:"last_in_version_occurrence_id"`
	LastInVersionOccurrenceTimestamp  int64  `json:"last_in_version_occurrence_timestamp"`
	OccurrencesInVersion              int64  `json:"occurrences_in_version"`
	PeopleInVersion                   int64  `json:"people_in_version"`
}

// occurrenceID makes up an occurrence id from an item id: the fake keeps no
// occurrences, only their count.
func occurrenceID(item int64) int64 { return item * 1000 }

// lookupVersion finds what Rollbar knows of the version of c by now: the
// items that have occurred (each answer shows those its lag lets through)
// and its deploys. When it knows nothing it answers 404 and reports false.
func (h *Handler) lookupVersion(
	w http.ResponseWriter, c *call,
) (env string, items []storedItem, deploys []Deploy, ok bool) {
	env = c.r.URL.Query().Get("environment")
	if env == "" {
		writeError(w, http.StatusUnprocessableEntity, "Missing 'environment' key.")
		return "", nil, nil, false
	}
	h.mu.Lock()
	for _, it := range h.items {
		known := it.shown(c.now, min(it.ListedAfter, it.CountedAfter, it.StampedAfter))
		if it.version == c.version && it.environment == env && known {
			items = append(items, it)
		}
	}
	for _, s := range h.deploys {
		if s.Revision == c.version && s.Environment == env {
			deploys = append(deploys, s.Deploy)
		}
	}
	h.mu.Unlock()
	if len(items) == 0 && len(deploys) == 0 {
		writeError(w, http.StatusNotFound, versionGone)
		return "", nil, nil, false
	}
	return env, items, deploys, true
}

func (h *Handler) getVersion(w http.ResponseWriter, c *call) {
	env, items, deploys, ok := h.lookupVersion(w, c)
	if !ok {
		return
	}
	v := versionJSON{Version: c.version, Environment: env, ItemStats: map[string]map[string]int{}, Commits: []any{}}
	hash := fnv.New32a()
	_, _ = hash.Write([]byte(env + "\x00" + c.version))
	v.ID = int64(hash.Sum32())
	for _, e := range events {
		v.ItemStats[e] = map[string]int{}
		for _, l := range levels {
			v.ItemStats[e][l] = 0
		}
	}
	var created []int64
	var first, last *storedItem
	for _, it := range items {
		at := it.last(c.now)
		created = append(created, it.first().Unix())
		// Counts are items, not occurrences.
		counts, ok := v.ItemStats[it.Event]
		if ok && slices.Contains(levels, it.Level) && it.shown(c.now, it.CountedAfter) {
			counts[it.Level]++
		}
		if it.shown(c.now, it.StampedAfter) {
			if first == nil || it.first().Before(first.first()) {
				first = &it
			}
			if last == nil || !at.Before(last.last(c.now)) {
				last = &it
			}
		}
	}
	if first != nil {
		v.FirstOccurrenceID, v.FirstOccurrenceTimestamp = orNull(occurrenceID(first.ID)), orNull(first.first().Unix())
		v.LastOccurrenceID = orNull(occurrenceID(last.ID) + last.Occurrences - 1)
		v.LastOccurrenceTimestamp = orNull(last.last(c.now).Unix())
	}
	if len(deploys) > 0 {
		d := deploys[len(deploys)-1]
		v.DeployedBy, v.LastDeployTimestamp = orNull(d.RollbarUsername), orNull(d.StartTime)
		created = append(created, deploys[0].StartTime)
	}
	v.DateCreated = slices.Min(created)
	writeJSON(w, http.StatusOK, okBody{Result: v})
}

// listVersionItems lists the items of one event, at the levels asked for
// (level may repeat; none asks for all), a page at a time.
func (h *Handler) listVersionItems(w http.ResponseWriter, c *call) {
	q := c.r.URL.Query()
	event, wanted := q["event"], q["level"]
	var msg []string
	switch {
	case len(event) == 0 || event[0] == "":
		msg = append(msg, "Missing 'event' key.")
	case len(event) > 1 || !slices.Contains(events, event[0]):
		msg = append(msg, "'event' key must be one of "+strings.Join(events, ", ")+".")
	}
	if slices.ContainsFunc(wanted, func(l string) bool { return !slices.Contains(levels, l) }) {
		msg = append(msg, "'level' key must be one of "+strings.Join(levels, ", ")+".")
	}
	if len(msg) > 0 {
		writeError(w, http.StatusUnprocessableEntity, strings.Join(msg, " "))
		return
	}
	env, items, _, ok := h.lookupVersion(w, c)
	if !ok {
		return
	}
	out := []itemJSON{}
	for _, it := range items {
		levelWanted := len(wanted) == 0 || slices.Contains(wanted, it.Level)
		if it.Event != event[0] || !levelWanted || !it.shown(c.now, it.ListedAfter) {
			continue
		}
		first := occurrenceID(it.ID)
		out = append(out, itemJSON{ID: it.ID, Counter: it.Counter, Environment: env, Title: it.Title, Level: it.Level,
			Status: it.Status, OccurrencesInVersion: it.Occurrences, PeopleInVersion: it.People,
			FirstInVersionOccurrenceID: first, FirstInVersionOccurrenceTimestamp: it.first().Unix(),
			LastInVersionOccurrenceID: first + it.Occurrences - 1, LastInVersionOccurrenceTimestamp: it.last(c.now).Unix()})
	}
	if page, pages := positive(q.Get("page"), 1), (len(out)+itemsPageSize-1)/itemsPageSize; page <= pages {
		start := (page - 1) * itemsPageSize
		out = out[start:min(start+itemsPageSize, len(out))]
	} else {
		out = []itemJSON{}
	}
	writeJSON(w, http.StatusOK, okBody{Result: out})
}
