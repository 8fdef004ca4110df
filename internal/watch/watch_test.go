package watch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/pipeline/pipelinetest"
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

// step is what the version's stats answer from a time after the start on.
type step struct {
	from  time.Duration
	stats watch.Stats
	err   error
}

// source answers the stats of its timeline's last step that has begun, and
// items in pages of three.
type source struct {
	clock    *clock
	start    time.Time
	timeline []step
	items    map[string][]watch.Item // by "event/level"
	cancel   func()
	cancelAt time.Duration
}

func (s *source) Stats(ctx context.Context) (watch.Stats, error) {
	at := s.clock.now.Sub(s.start)
	if s.cancelAt > 0 && at >= s.cancelAt {
		s.cancel()
		return watch.Stats{}, ctx.Err()
	}
	var now step
	for _, st := range s.timeline {
		if st.from <= at {
			now = st
		}
	}
	return now.stats, now.err
}

func (s *source) Items(_ context.Context, event, level string, page int) ([]watch.Item, error) {
	all := s.items[event+"/"+level]
	lo := min((page-1)*3, len(all))
	return all[lo:min(lo+3, len(all))], nil
}

var (
	errOutage  = errors.New("get version: Rollbar answered 503")
	errDenied  = errors.New("get version: Rollbar answered 403")
	errUnknown = fmt.Errorf("get version: %w", watch.ErrUnknownVersion)
)

func gate() watch.Gate {
	return watch.Gate{
		For: 10 * time.Minute, Interval: 30 * time.Second, Levels: []string{"error", "critical"},
		Transient: func(err error) bool { return errors.Is(err, errOutage) },
	}
}

func items(n int) []watch.Item {
	var all []watch.Item
	for i := range n {
		all = append(all, watch.Item{ID: int64(1000 + i), Counter: int64(10 + i), Title: fmt.Sprint("boom ", i), Level: "error", OccurrencesInVersion: 3})
	}
	return all
}

// start runs Watch from a fixed time against the timeline.
func start(ctx context.Context, g watch.Gate, src *source) (watch.Report, error) {
	src.clock = &clock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	src.start = src.clock.now
	return watch.Watch(ctx, g, src, src.clock)
}

type outcome struct {
	Result                   watch.Result
	Polls, Failed, ItemReqs  int
	Elapsed                  time.Duration
	New, Reactivated, Listed int
	Interrupted              bool
}

func TestWatch(t *testing.T) {
	t.Parallel()
	const s, m = time.Second, time.Minute
	zero := watch.Stats{}
	newAt := func(lv watch.Levels) watch.Stats { return watch.Stats{New: lv} }
	tests := []struct {
		name      string
		gate      func(*watch.Gate)
		timeline  []step
		items     map[string][]watch.Item
		cancelAt  time.Duration
		want      outcome
		wantErr   error // returned
		reportErr error
	}{
		{name: "a quiet version passes at the end of the window", timeline: []step{{0, zero, nil}},
			want: outcome{Result: watch.Passed, Polls: 21, Elapsed: 10 * m}},
		{name: "a new error fails at the first poll that shows it", timeline: []step{{0, zero, nil}, {90 * s, newAt(watch.Levels{"error": 1}), nil}},
			items: map[string][]watch.Item{"new/error": items(1)},
			want:  outcome{Result: watch.Failed, Polls: 4, ItemReqs: 1, Elapsed: 90 * s, New: 1, Listed: 1}},
		{name: "new warnings do not count at the default levels", timeline: []step{{60 * s, newAt(watch.Levels{"warning": 3, "info": 9}), nil}},
			want: outcome{Result: watch.Passed, Polls: 21, Elapsed: 10 * m}},
		{name: "max_new_items=1 tolerates one, not two", gate: func(g *watch.Gate) { g.MaxNew = 1 },
			timeline: []step{{60 * s, newAt(watch.Levels{"error": 1}), nil}, {2 * m, newAt(watch.Levels{"error": 1, "critical": 1}), nil}},
			items:    map[string][]watch.Item{"new/error": items(1), "new/critical": items(1)},
			want:     outcome{Result: watch.Failed, Polls: 5, ItemReqs: 2, Elapsed: 2 * m, New: 2, Listed: 2}},
		{name: "reactivated items fail, listed over pages without an empty one",
			timeline: []step{{30 * s, watch.Stats{New: watch.Levels{"warning": 5}, Reactivated: watch.Levels{"critical": 4}}, nil}},
			items:    map[string][]watch.Item{"reactivated/critical": items(4), "new/warning": items(5)},
			want:     outcome{Result: watch.Failed, Polls: 2, ItemReqs: 2, Elapsed: 30 * s, Reactivated: 4, Listed: 4}},
		{name: "a flood of new items is listed up to 50", timeline: []step{{0, newAt(watch.Levels{"error": 60}), nil}},
			items: map[string][]watch.Item{"new/error": items(60)},
			want:  outcome{Result: watch.Failed, Polls: 1, ItemReqs: 17, New: 60, Listed: 50}},
		{name: "a version Rollbar never saw is no data, the last poll at the window's end", gate: func(g *watch.Gate) { g.For = 100 * s },
			timeline: []step{{0, zero, errUnknown}, {30 * s, zero, errOutage}, {60 * s, zero, errUnknown}},
			want:     outcome{Result: watch.NoData, Polls: 5, Failed: 1, Elapsed: 100 * s}},
		{name: "a version first seen late, with zero stats, passes", timeline: []step{{0, zero, errUnknown}, {45 * s, zero, nil}},
			want: outcome{Result: watch.Passed, Polls: 21, Elapsed: 10 * m}},
		{name: "an outage that recovers is retried at each poll", timeline: []step{{0, zero, nil}, {60 * s, zero, errOutage}, {3 * m, zero, nil}},
			want: outcome{Result: watch.Passed, Polls: 21, Failed: 4, Elapsed: 10 * m}},
		{name: "an outage at the end of the window leaves no verdict", timeline: []step{{0, zero, nil}, {8 * m, zero, errOutage}},
			want: outcome{Result: watch.Unavailable, Polls: 21, Failed: 5, Elapsed: 10 * m}, reportErr: errOutage},
		{name: "a refused token ends the watch at once", timeline: []step{{0, zero, nil}, {60 * s, zero, errDenied}},
			want: outcome{Result: watch.Unavailable, Polls: 3, Elapsed: 60 * s}, wantErr: errDenied, reportErr: errDenied},
		{name: "a cancel ends the watch with what was seen", timeline: []step{{0, newAt(watch.Levels{"error": 1}), nil}},
			gate: func(g *watch.Gate) { g.MaxNew = 1 }, cancelAt: 2 * m,
			want: outcome{Result: watch.Unavailable, Polls: 5, Elapsed: 2 * m, New: 1, Interrupted: true}, reportErr: context.Canceled},
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
			r, err := start(ctx, g, &source{timeline: tt.timeline, items: tt.items, cancel: cancel, cancelAt: tt.cancelAt})
			assert.Equal(t, tt.want, outcome{r.Result, r.Polls, r.FailedPolls, r.ItemRequests, r.Elapsed, r.New, r.Reactivated, len(r.Items), r.Interrupted})
			assert.Equal(t, r.Polls+r.ItemRequests, r.Requests())
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
// message is text anyone who can make the application fail controls.
func TestReport(t *testing.T) {
	t.Parallel()
	hostile := watch.Item{ID: 7, Counter: 12, Title: "TypeError: <img src=x onerror=alert(1)> | *boom*\n::error::forged", Level: "error", OccurrencesInVersion: 17}
	r, err := start(t.Context(), gate(), &source{
		timeline: []step{{60 * time.Second, watch.Stats{New: watch.Levels{"error": 2}, Reactivated: watch.Levels{"critical": 1}}, nil}},
		items:    map[string][]watch.Item{"new/error": {hostile}},
	})
	require.NoError(t, err)

	var text bytes.Buffer
	r.Text(&text)
	assert.Equal(t, "watch failed after 1m0s: 2 new (0 allowed) and 1 reactivated (0 allowed) items at error, critical, 6 requests\n"+
		"  #12 error new, 17 occurrences: TypeError: <img src=x onerror=alert(1)> | *boom* ::error::forged\n"+
		"  and 2 more\n", text.String(), "one line per item, the page listing ends at an empty page")

	var md bytes.Buffer
	r.Markdown(&md)
	lines := strings.Split(md.String(), "\n")
	assert.Equal(t, []string{
		"### Rollbar watch: failed", "",
		`failed after 1m0s\: 2 new \(0 allowed\) and 1 reactivated \(0 allowed\) items at error\, critical\, 6 requests`, "",
		"| Item | Level | Event | Occurrences | Title |", "|---|---|---|---|---|",
		`| #12 | error | new | 17 | TypeError\: \<img src\=x onerror\=alert\(1\)\> \| \*boom\* \:\:error\:\:forged |`,
		"", "and 2 more", "",
	}, lines)
	assert.Len(t, pipelinetest.TableCells(lines[6]), 5, "the title stays in its cell")

	doc, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"result":"failed","new_items":2,"reactivated_items":1,"more_items":2,"requests":6,"elapsed_seconds":60,"interrupted":false,
		"items":[{"id":7,"counter":12,"title":"TypeError: <img src=x onerror=alert(1)> | *boom*\n::error::forged","level":"error","status":"",
		"occurrences_in_version":17,"event":"new"}]}`, string(doc))

	assert.Contains(t, watch.NoDataWarning(strings.Repeat("a", 41)), "at most 40 characters of it; this revision has 41")
	assert.NotContains(t, watch.NoDataWarning(strings.Repeat("a", 40)), "this revision has")
}
