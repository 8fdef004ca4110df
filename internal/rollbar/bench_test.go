package rollbar

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"
)

// benchDeploy is one deploy as Rollbar lists it, with the fields a CI fills.
func benchDeploy(id int64) map[string]any {
	return map[string]any{
		"id": id, "project_id": 67454, "user_id": nil, "environment": "production",
		"revision": fmt.Sprintf("%040x", id), "local_username": "octocat",
		"comment":    "https://github.com/acme/shop/actions/runs/" + strconv.FormatInt(id, 10),
		"start_time": 1_700_000_000 + id, "finish_time": 1_700_000_060 + id, "status": "succeeded",
	}
}

// benchPages serves n deploys, 20 a page newest first, from bodies encoded
// once: what is measured is the client, not the server.
func benchPages(b *testing.B, n int) *httptest.Server {
	b.Helper()
	var pages [][]byte
	for first := n; first > 0; first -= 20 {
		var deploys []map[string]any
		for id := first; id > max(first-20, 0); id-- {
			deploys = append(deploys, benchDeploy(int64(id)))
		}
		body, err := json.Marshal(map[string]any{"err": 0, "result": map[string]any{"deploys": deploys, "page": len(pages) + 1}})
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, body)
	}
	empty := []byte(`{"err":0,"result":{"deploys":[],"page":0}}`)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		w.Header().Set("Content-Type", "application/json")
		if page < 1 || page > len(pages) {
			_, _ = w.Write(empty)
			return
		}
		_, _ = w.Write(pages[page-1])
	}))
	b.Cleanup(ts.Close)
	return ts
}

// BenchmarkCreate is one record: the JSON body, the request with its
// headers, a loopback round trip and the answer decoded.
func BenchmarkCreate(b *testing.B) {
	answer := []byte(`{"data":{"deploy_id":45306460}}`)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	b.Cleanup(ts.Close)
	c := &Client{BaseURL: ts.URL, Token: "post-token", UserAgent: "bench"}
	d := NewDeploy{Environment: "production", Revision: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", LocalUsername: "octocat",
		Comment: "https://github.com/acme/shop/actions/runs/11960822866", Status: "succeeded"}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if id, err := c.Create(ctx, d); err != nil || id != 45306460 {
			b.Fatalf("create: %d %v", id, err)
		}
	}
}

// BenchmarkDecodeListPage is the decoding of one full page of deploys.
func BenchmarkDecodeListPage(b *testing.B) {
	var deploys []map[string]any
	for id := range 20 {
		deploys = append(deploys, benchDeploy(int64(id+1)))
	}
	body, _ := json.Marshal(map[string]any{"err": 0, "result": map[string]any{"deploys": deploys, "page": 1}})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var out struct {
			Result *struct {
				Deploys []Deploy `json:"deploys"`
			} `json:"result"`
		}
		if err := decode("list", 200, body, &out); err != nil || len(out.Result.Deploys) != 20 {
			b.Fatal(err)
		}
	}
}

// BenchmarkListPaging follows every page of 1,000 and of 10,000 deploys,
// as list --all does. Allocation per deploy and the peak live heap stay
// the same whatever the count: memory does not grow with the project.
func BenchmarkListPaging(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run("deploys="+strconv.Itoa(n), func(b *testing.B) {
			ts := benchPages(b, n)
			c := &Client{BaseURL: ts.URL, ReadToken: "read-token", UserAgent: "bench"}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			m := startPerDeploy()
			b.ReportAllocs()
			for b.Loop() {
				seen := 0
				for page := 1; ; page++ {
					deploys, err := c.List(ctx, page, 0)
					if err != nil {
						b.Fatal(err)
					}
					if len(deploys) == 0 {
						break
					}
					seen += len(deploys)
					m.peak.sample()
				}
				if seen != n {
					b.Fatalf("saw %d of %d deploys", seen, n)
				}
			}
			m.report(b, n)
		})
	}
}

// heapPeak samples the live heap (as of the last GC) without stopping the world.
type heapPeak struct {
	max     uint64
	samples []metrics.Sample
}

func (p *heapPeak) sample() {
	if p.samples == nil {
		p.samples = []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	}
	metrics.Read(p.samples)
	if v := p.samples[0].Value; v.Kind() == metrics.KindUint64 {
		p.max = max(p.max, v.Uint64())
	}
}

// perDeploy measures allocation per deploy listed across a benchmark loop,
// with the peak live heap: the numbers that show whether memory grows with
// the number of deploys.
type perDeploy struct {
	before runtime.MemStats
	base   uint64 // live heap before the loop
	peak   heapPeak
}

// startPerDeploy starts measuring after a collection, so that the live heap
// it starts from (the test server's pages among it) is left out of the peak.
func startPerDeploy() *perDeploy {
	p := &perDeploy{}
	runtime.GC()
	p.peak.sample()
	p.base, p.peak.max = p.peak.max, 0
	runtime.ReadMemStats(&p.before)
	return p
}

func (p *perDeploy) report(b *testing.B, n int) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	deploys := float64(b.N) * float64(n)
	b.ReportMetric(float64(after.TotalAlloc-p.before.TotalAlloc)/deploys, "B/deploy")
	b.ReportMetric(float64(after.Mallocs-p.before.Mallocs)/deploys, "allocs/deploy")
	b.ReportMetric(float64(max(p.peak.max, p.base)-p.base)/(1<<10), "peak-live-KB")
}
