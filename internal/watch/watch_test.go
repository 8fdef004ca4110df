package watch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff/handofftest"
	"github.com/rollbar-deploy/rollbar-deploy/internal/watch"
)

// clock is a clock whose sleeps move it on at once.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }
func (c *clock) After(d time.Duration) <-chan time.Time {
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// step is what the version's stats and items answer from a time after the
// start on.
type step struct {
	from  time.Duration
	stats watch.Stats
	items map[string][]watch.Item // by event
	err   error
}

// source answers the stats and items of its timeline's last step that has
// begun, items in pages of three.
type source struct {
	clock    *clock
	start    time.Time
	timeline []step
	cancel   func()
	cancelAt time.Duration
	levels   []string // asked for in the last item request
	// unfiltered lists every level, whatever was asked for.
	unfiltered bool
}

func (s *source) now() step {
	var now step
	for _, st := range s.timeline {
		if st.from <= s.clock.now.Sub(s.start) {
			now = st
		}
	}
	return now
}

func (s *source) Stats(ctx context.Context) (watch.Stats, error) {
	if s.cancelAt > 0 && s.clock.now.Sub(s.start) >= s.cancelAt {
		s.cancel()
		return watch.Stats{}, ctx.Err()
	}
	now := s.now()
	return now.stats, now.err
}

func (s *source) Items(_ context.Context, event string, levels []string, page int) ([]watch.Item, error) {
	s.levels = levels
	var all []watch.Item
	for _, it := range s.now().items[event] {
		if s.unfiltered || slices.Contains(levels, it.Level) {
			all = append(all, it)
		}
	}
	lo := min((page-1)*3, len(all))
	return all[lo:min(lo+3, len(all))], nil
}

// started is when every watch of these tests starts; the deploy judged
// started a minute before.
var (
	started  = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	deployed = started.Add(-time.Minute)
)

var (
	errOutage  = errors.New("get version: Rollbar answered 503")
	errDenied  = errors.New("get version: Rollbar answered 403")
	errUnknown = fmt.Errorf("get version: %w", watch.ErrUnknownVersion)
)

func gate() watch.Gate {
	return watch.Gate{
		For: 10 * time.Minute, Interval: 30 * time.Second, Levels: []string{"error", "critical"}, Since: deployed, Deploy: 45306460,
		Transient: func(err error) bool { return errors.Is(err, errOutage) },
	}
}

// lastItem numbers the items that items makes, each its own.
var lastItem atomic.Int64

// items are n items at level whose last occurrence in the version is at.
func items(n int, level string, at time.Time) []watch.Item {
	var all []watch.Item
	for i := range n {
		id := lastItem.Add(1)
		all = append(all, watch.Item{ID: 1000 + id, Counter: id, Title: fmt.Sprint("boom ", i), Level: level,
			OccurrencesInVersion: 3, LastOccurrence: at.Unix()})
	}
	return all
}

// start runs Watch from a fixed time against the timeline.
func start(ctx context.Context, g watch.Gate, src *source) (watch.Report, error) {
	src.clock = &clock{now: started}
	src.start = src.clock.now
	return watch.Watch(ctx, g, src, src.clock)
}

type outcome struct {
	Result                   watch.Result
	Polls, Failed, ItemReqs  int
	Elapsed                  time.Duration
	New, Reactivated, Listed int
	Older, Unlisted          int
	Interrupted              bool
}

func TestWatch(t *testing.T) {
	t.Parallel()
	const s, m = time.Second, time.Minute
	seen := watch.Stats{Reported: true}
	newAt := func(lv watch.Levels) watch.Stats { return watch.Stats{New: lv, Reported: true} }
	now, before := started.Add(time.Minute), deployed.Add(-time.Hour) // an occurrence of this deploy, of an earlier one
	moved := items(1, "error", now)
	news := func(all ...[]watch.Item) map[string][]watch.Item {
		return map[string][]watch.Item{"new": slices.Concat(all...)}
	}
	tests := []struct {
		name       string
		gate       func(*watch.Gate)
		timeline   []step
		cancelAt   time.Duration
		unfiltered bool
		want       outcome
		wantErr    error // returned
		reportErr  error
	}{
		{name: "a quiet version passes at the end of the window, reading the items at each poll", timeline: []step{{0, seen, nil, nil}},
			want: outcome{Result: watch.Passed, Polls: 21, ItemReqs: 42, Elapsed: 10 * m}},
		{name: "a new error fails at the first poll that shows it", timeline: []step{{0, seen, nil, nil},
			{90 * s, newAt(watch.Levels{"error": 1}), news(items(1, "error", now)), nil}},
			want: outcome{Result: watch.Failed, Polls: 4, ItemReqs: 9, Elapsed: 90 * s, New: 1, Listed: 1}},
		{name: "new warnings do not count at the default levels",
			timeline: []step{{60 * s, newAt(watch.Levels{"warning": 3, "info": 9}), news(items(3, "warning", now)), nil}},
			want:     outcome{Result: watch.Passed, Polls: 21, ItemReqs: 42, Elapsed: 10 * m}},
		{name: "max_new_items=1 tolerates one, not two", gate: func(g *watch.Gate) { g.MaxNew = 1 },
			timeline: []step{{60 * s, newAt(watch.Levels{"error": 1}), news(items(1, "error", now)), nil},
				{2 * m, newAt(watch.Levels{"error": 1, "critical": 1}), news(items(1, "error", now), items(1, "critical", now)), nil}},
			want: outcome{Result: watch.Failed, Polls: 5, ItemReqs: 13, Elapsed: 2 * m, New: 2, Listed: 2}},
		{name: "reactivated items fail, listed over pages",
			timeline: []step{{30 * s, watch.Stats{New: watch.Levels{"warning": 5}, Reactivated: watch.Levels{"critical": 4}, Reported: true},
				map[string][]watch.Item{"reactivated": items(4, "critical", now), "new": items(5, "warning", now)}, nil}},
			want: outcome{Result: watch.Failed, Polls: 2, ItemReqs: 6, Elapsed: 30 * s, Reactivated: 4, Listed: 4}},
		{name: "a flood of new items is listed up to 50", timeline: []step{{0, newAt(watch.Levels{"error": 60}), news(items(60, "error", now)), nil}},
			want: outcome{Result: watch.Failed, Polls: 1, ItemReqs: 22, New: 60, Listed: 50}},
		{name: "items past the pages read count as this deploy's", timeline: []step{{0, newAt(watch.Levels{"error": 152}), news(items(152, "error", before)), nil}},
			want: outcome{Result: watch.Failed, Polls: 1, ItemReqs: 51, New: 2, Older: 150, Unlisted: 2}},
		{name: "an item of a level not asked for does not count, wherever it is listed", gate: func(g *watch.Gate) { g.For = 0 },
			timeline: []step{{0, seen, news(items(1, "warning", now)), nil}}, unfiltered: true,
			want: outcome{Result: watch.Passed, Polls: 1, ItemReqs: 3}},
		{name: "an item on two pages, the list having moved on, is one", gate: func(g *watch.Gate) { g.MaxNew, g.For = 1, time.Minute },
			timeline: []step{{0, newAt(watch.Levels{"error": 1}), news(moved, items(2, "error", before), moved), nil}},
			want:     outcome{Result: watch.Passed, Polls: 3, ItemReqs: 12, Elapsed: time.Minute, New: 1, Listed: 1, Older: 2}},
		{name: "a version Rollbar never saw is no data, the last poll at the window's end", gate: func(g *watch.Gate) { g.For = 100 * s },
			timeline: []step{{0, watch.Stats{}, nil, errUnknown}, {30 * s, watch.Stats{}, nil, errOutage}, {60 * s, watch.Stats{}, nil, errUnknown}},
			want:     outcome{Result: watch.NoData, Polls: 5, Failed: 1, Elapsed: 100 * s}},
		{name: "a version only the deploy made known is no data", gate: func(g *watch.Gate) { g.For = 60 * s },
			timeline: []step{{0, watch.Stats{}, nil, nil}},
			want:     outcome{Result: watch.NoData, Polls: 3, ItemReqs: 6, Elapsed: 60 * s}},
		{name: "a version first seen late, with zero stats, passes", timeline: []step{{0, watch.Stats{}, nil, errUnknown}, {45 * s, seen, nil, nil}},
			want: outcome{Result: watch.Passed, Polls: 21, ItemReqs: 38, Elapsed: 10 * m}},

		// The counts are data, and a deploy is judged on its own items.
		{name: "a count the item list does not show yet fails: finding 1", timeline: []step{{0, newAt(watch.Levels{"error": 1}), nil, nil}},
			want: outcome{Result: watch.Failed, Polls: 1, ItemReqs: 2, New: 1, Unlisted: 1}},
		{name: "an item listed before the counts show it fails", timeline: []step{{0, seen, nil, nil}, {60 * s, seen, news(items(1, "critical", now)), nil}},
			want: outcome{Result: watch.Failed, Polls: 3, ItemReqs: 7, Elapsed: 60 * s, New: 1, Listed: 1}},
		{name: "an earlier deploy's items are left out: finding 2",
			timeline: []step{{0, watch.Stats{New: watch.Levels{"error": 2}, Reactivated: watch.Levels{"critical": 1}, Reported: true},
				map[string][]watch.Item{"new": items(2, "error", before), "reactivated": items(1, "critical", before)}, nil}},
			want: outcome{Result: watch.Passed, Polls: 21, ItemReqs: 84, Elapsed: 10 * m, Older: 3}},
		{name: "an earlier deploy's item that occurs again counts", gate: func(g *watch.Gate) { g.For = 2 * m },
			timeline: []step{{0, newAt(watch.Levels{"error": 2}), news(items(2, "error", before)), nil},
				{70 * s, newAt(watch.Levels{"error": 2}), news(items(1, "error", before), items(1, "error", started.Add(70*s))), nil}},
			want: outcome{Result: watch.Failed, Polls: 4, ItemReqs: 12, Elapsed: 90 * s, New: 1, Listed: 1, Older: 1}},
		{name: "an item of the deploy's first second counts", timeline: []step{{0, newAt(watch.Levels{"error": 1}), news(items(1, "error", deployed)), nil}},
			want: outcome{Result: watch.Failed, Polls: 1, ItemReqs: 3, New: 1, Listed: 1}},
		{name: "an item without an occurrence time counts", timeline: []step{{0, newAt(watch.Levels{"error": 1}), news(items(1, "error", time.Unix(0, 0))), nil}},
			want: outcome{Result: watch.Failed, Polls: 1, ItemReqs: 3, New: 1, Listed: 1}},
		{name: "without a start every item counts", gate: func(g *watch.Gate) { g.Since, g.Deploy = time.Time{}, 0 },
			timeline: []step{{0, newAt(watch.Levels{"error": 1}), news(items(1, "error", before)), nil}},
			want:     outcome{Result: watch.Failed, Polls: 1, ItemReqs: 3, New: 1, Listed: 1}},

		{name: "an outage that recovers is retried at each poll", timeline: []step{{0, seen, nil, nil}, {60 * s, seen, nil, errOutage}, {3 * m, seen, nil, nil}},
			want: outcome{Result: watch.Passed, Polls: 21, Failed: 4, ItemReqs: 34, Elapsed: 10 * m}},
		{name: "an outage at the end of the window leaves no verdict", timeline: []step{{0, seen, nil, nil}, {8 * m, seen, nil, errOutage}},
			want: outcome{Result: watch.Unavailable, Polls: 21, Failed: 5, ItemReqs: 32, Elapsed: 10 * m}, reportErr: errOutage},
		{name: "a refused token ends the watch at once", timeline: []step{{0, seen, nil, nil}, {60 * s, seen, nil, errDenied}},
			want: outcome{Result: watch.Unavailable, Polls: 3, ItemReqs: 4, Elapsed: 60 * s}, wantErr: errDenied, reportErr: errDenied},
		{name: "a cancel ends the watch with what was seen", timeline: []step{{0, newAt(watch.Levels{"error": 1}), news(items(1, "error", now)), nil}},
			gate: func(g *watch.Gate) { g.MaxNew = 1 }, cancelAt: 2 * m,
			want: outcome{Result: watch.Unavailable, Polls: 5, ItemReqs: 12, Elapsed: 2 * m, New: 1, Listed: 1, Interrupted: true}, reportErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := gate()
			if tt.gate != nil {
				tt.gate(&g)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			src := &source{timeline: tt.timeline, cancel: cancel, cancelAt: tt.cancelAt, unfiltered: tt.unfiltered}
			r, err := start(ctx, g, src)
			assert.Equal(t, tt.want, outcome{r.Result, r.Polls, r.FailedPolls, r.ItemRequests, r.Elapsed, r.New, r.Reactivated, len(r.Items),
				r.Older, r.Unlisted, r.Interrupted})
			assert.Equal(t, r.Polls+r.ItemRequests, r.Requests())
			if r.ItemRequests > 0 {
				assert.Equal(t, g.Levels, src.levels, "the gate's levels, in one request")
			}
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.NoError(t, err)
			}
			if tt.reportErr != nil {
				assert.ErrorIs(t, r.Err, tt.reportErr)
			} else {
				assert.NoError(t, r.Err)
			}
		})
	}
}

func TestWatchRefusesAnEmptyInterval(t *testing.T) {
	t.Parallel()
	g := gate()
	g.Interval = 0
	_, err := start(t.Context(), g, &source{})
	assert.ErrorContains(t, err, "interval must be positive")
}

// TestReport renders a failed watch whose item title is hostile: an error
// message is text anyone who can make the application fail controls. Two
// items are counted and not listed yet, one is an earlier deploy's.
func TestReport(t *testing.T) {
	t.Parallel()
	hostile := watch.Item{ID: 7, Counter: 12, Title: "TypeError: <img src=x onerror=alert(1)> | *boom*\n::error::forged", Level: "error",
		OccurrencesInVersion: 17, LastOccurrence: started.Unix()}
	old := watch.Item{ID: 8, Counter: 3, Title: "old", Level: "error", LastOccurrence: deployed.Unix() - 1}
	r, err := start(t.Context(), gate(), &source{timeline: []step{{60 * time.Second,
		watch.Stats{New: watch.Levels{"error": 3}, Reactivated: watch.Levels{"critical": 1}, Reported: true},
		map[string][]watch.Item{"new": {hostile, old}}, nil}}})
	require.NoError(t, err)

	var text bytes.Buffer
	r.Text(&text)
	assert.Equal(t, "watch failed after 1m0s: 2 new (0 allowed) and 1 reactivated (0 allowed) items at error, critical "+
		"since deploy 45306460 started (2025-06-01 11:59:00 UTC), 1 older item left out (no occurrence since), 10 requests\n"+
		"  #12 error new, 17 occurrences: TypeError: <img src=x onerror=alert(1)> | *boom*\\n::error::forged\n"+
		"  and 2 more (2 counted by Rollbar, not in its item list yet)\n", text.String(), "one line per item")

	var md bytes.Buffer
	r.Markdown(&md)
	lines := strings.Split(md.String(), "\n")
	assert.Equal(t, []string{
		"### Rollbar watch: failed", "",
		`failed after 1m0s\: 2 new \(0 allowed\) and 1 reactivated \(0 allowed\) items at error\, critical since deploy 45306460 started ` +
			`\(2025\-06\-01 11\:59\:00 UTC\)\, 1 older item left out \(no occurrence since\)\, 10 requests`, "",
		"| Item | Level | Event | Occurrences | Title |", "|---|---|---|---|---|",
		`| #12 | error | new | 17 | TypeError\: \<img src\=x onerror\=alert\(1\)\> \| \*boom\*\\n\:\:error\:\:forged |`,
		"", `and 2 more \(2 counted by Rollbar\, not in its item list yet\)`, "",
	}, lines)
	assert.Len(t, handofftest.TableCells(lines[6]), 5, "the title stays in its cell")

	doc, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, fmt.Sprintf(`{"result":"failed","new_items":2,"reactivated_items":1,"more_items":2,"older_items":1,"deploy_id":45306460,
		"since_timestamp":%d,"requests":10,"elapsed_seconds":60,"interrupted":false,
		"items":[{"id":7,"counter":12,"title":"TypeError: <img src=x onerror=alert(1)> | *boom*\n::error::forged","level":"error","status":"",
		"occurrences_in_version":17,"last_in_version_occurrence_timestamp":%d,"event":"new"}],
		"older":[{"id":8,"counter":3,"title":"old","level":"error","status":"","occurrences_in_version":0,
		"last_in_version_occurrence_timestamp":%d,"event":"new"}]}`, deployed.Unix(), started.Unix(), deployed.Unix()-1), string(doc))

	g := gate()
	g.Deploy = 0
	r, err = start(t.Context(), g, &source{timeline: []step{{0, watch.Stats{Reported: true}, nil, nil}}})
	require.NoError(t, err)
	text.Reset()
	r.Text(&text)
	assert.Contains(t, text.String(), "passed after 10m0s: 0 new (0 allowed) and 0 reactivated (0 allowed) items at error, critical "+
		"since 2025-06-01 11:59:00 UTC (no deploy known), 63 requests\n", "no deploy known; no older items")

	text.Reset()
	watch.Report{Result: watch.Unavailable, Err: errDenied}.Text(&text)
	assert.Equal(t, "watch unavailable: get version: Rollbar answered 403\n", text.String(), "a watch that never began")

	sha := "0123456789abcdef0123456789abcdef01234567"
	assert.Contains(t, watch.NoDataWarning(sha+"-build7", sha), `at most 40 characters of it; this revision has 47, "`+sha+`-build7"`)
	assert.NotContains(t, watch.NoDataWarning(sha, sha), "this revision has")
}
