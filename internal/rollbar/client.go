// Package rollbar is a client for Rollbar's Deploys API: record, update, get
// and list deploys, and upload source maps, with the retries and duplicate
// checks that make it safe to run from a deploy pipeline.
package rollbar

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sethvargo/go-retry"

	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

// DefaultBaseURL is Rollbar's API.
const DefaultBaseURL = "https://api.rollbar.com"

// maxBody bounds what is read of any answer: Rollbar's largest, a page of 20
// deploys with 64 KiB comments, stays well below it.
const maxBody = 4 << 20

// Client talks to the Deploys API. The zero value is not usable: set BaseURL
// and at least Token.
type Client struct {
	BaseURL   string
	Token     string // post_server_item scope: record, update, upload
	ReadToken string // read scope: get, list, duplicate checks; Token when empty
	UserAgent string
	HTTP      *http.Client
	// Getenv reads the process's environment, to name a proxy variable that
	// is set but not used when the network fails for want of it; nil: none.
	Getenv func(string) string
	// ReadFile reads the file SSL_CERT_FILE names, to tell why a certificate
	// does not verify though it is set; nil: not read.
	ReadFile func(string) ([]byte, error)
	// Backoff makes the wait schedule of one call; nil means exponential from
	// 300ms with jitter. The caller's context bounds the total.
	Backoff func() retry.Backoff
	Now     func() time.Time
	// Logf, when set, hears about every attempt (verbose mode). It is never
	// given a token.
	Logf func(format string, args ...any)
	// Warnf hears about things the user should know even when all went well,
	// such as a deploy found recorded after an ambiguous failure.
	Warnf func(format string, args ...any)

	// SharedFields is true when another job of the run may record a deploy
	// with the same fields (parallel jobs sharing the run's URL as their
	// comment): a deploy found after a lost answer may then be theirs, so it
	// is not taken for this one.
	SharedFields bool

	// cannotRead is set once a duplicate check found the read token without
	// the read scope: a later call's check would fail the same way, so it is
	// not tried, and the fix is said once per run.
	cannotRead atomic.Bool

	hcOnce sync.Once
	hc     *http.Client // from HTTP, made once by httpClient
}

// Deploy is a deploy as Rollbar returns it.
type Deploy struct {
	ID            int64  `json:"id"`
	ProjectID     int64  `json:"project_id,omitempty"`
	Environment   string `json:"environment"`
	Revision      string `json:"revision"`
	LocalUsername string `json:"local_username"`
	Comment       string `json:"comment"`
	StartTime     int64  `json:"start_time"`
	FinishTime    int64  `json:"finish_time"`
	Status        string `json:"status"`
}

// UnmarshalJSON takes the deploy's id as an answer holds it, a number or a
// string of digits (id), as a create's answer is read: a deploy that reads
// back with a string id is no unexpected answer.
func (d *Deploy) UnmarshalJSON(data []byte) error {
	type fields Deploy // without this method
	var answer struct {
		fields
		ID id `json:"id"`
	}
	if err := json.Unmarshal(data, &answer); err != nil {
		return err
	}
	*d = Deploy(answer.fields)
	d.ID = int64(answer.ID)
	return nil
}

// NewDeploy is what a create sends.
type NewDeploy struct {
	Environment     string `json:"environment"`
	Revision        string `json:"revision"`
	RollbarUsername string `json:"rollbar_username,omitempty"`
	LocalUsername   string `json:"local_username,omitempty"`
	Comment         string `json:"comment,omitempty"`
	Status          string `json:"status,omitempty"`
}

// Update is what a PATCH sends; an empty comment leaves Rollbar's as it is.
type Update struct {
	Status  string `json:"status"`
	Comment string `json:"comment,omitempty"`
}

// DeployURL is the Rollbar web page of a deploy.
func DeployURL(id int64) string { return fmt.Sprintf("https://rollbar.com/deploy/%d/", id) }

// Create records a deploy and returns its id. A retry after an answer that
// may have been lost first looks for the deploy among the newest ones, so a
// deploy is never recorded twice when the token can read.
func (c *Client) Create(ctx context.Context, d NewDeploy) (int64, error) {
	body, err := json.Marshal(d)
	if err != nil {
		return 0, err
	}
	const op = opCreate
	since := c.now().Add(-2 * time.Minute) // Rollbar's clock may differ from ours
	var ambiguous error
	// The check is said to fail once, not on every retry, and is not tried
	// again once it cannot work (a token without the read scope).
	canCheck, warned := true, false
	var out struct {
		Data struct {
			DeployID id `json:"deploy_id"`
		} `json:"data"`
	}
	err = c.call(ctx, op, func(ctx context.Context) (*request, error) {
		if ambiguous != nil && c.SharedFields && !warned {
			c.warnf("Rollbar may have recorded the deploy although the attempt failed (%v), "+
				"but a deploy of the same fields may be another job's of this run (nothing in its fields names this job): "+
				"sending it again, which may record it twice", ambiguous)
			warned = true
		}
		if ambiguous != nil && canCheck && !c.SharedFields && !c.cannotRead.Load() {
			checkCtx, cancel := checkBudget(ctx)
			found, ok, err := c.findRecorded(checkCtx, d, since)
			cancel()
			switch {
			case ok:
				c.warnf("Rollbar may not have answered the first attempt (%v), but it had recorded the deploy: using deploy %d",
					ambiguous, found)
				out.Data.DeployID = id(found)
				return nil, nil
			case err != nil && lacksRead(err):
				if !c.cannotRead.Swap(true) {
					c.warnf("cannot check whether Rollbar recorded the deploy although the attempt failed, "+
						"as the token cannot read deploys (%v): sending it again, which may record it twice; "+
						"set read_access_token (ROLLBAR_READ_ACCESS_TOKEN) to a read-scope token so the tool can check", err)
				}
			case err != nil && !warned:
				c.warnf("cannot check whether the deploy was already recorded (%v): "+
					"sending it again, which may record it twice", err)
				warned = true
			}
			canCheck = err == nil || Transient(err)
		}
		return &request{method: http.MethodPost, path: "/api/1/deploy", token: c.Token, body: body, out: &out,
			onAmbiguous: func(err error) { ambiguous = err }}, nil
	})
	if err != nil {
		return 0, err
	}
	if out.Data.DeployID <= 0 {
		return 0, &ResponseError{
			Op: op, Status: http.StatusOK, Reason: "the answer has no valid deploy id (an old API version?)",
		}
	}
	return int64(out.Data.DeployID), nil
}

// id is a deploy id as an answer holds it: a number, or a string of digits
// (Rollbar has answered both); anything else is no id.
type id int64

func (i *id) UnmarshalJSON(data []byte) error {
	n, err := strconv.ParseInt(strings.Trim(string(data), `"`), 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "value that is no number (" + snippet(data) + ")", Type: reflect.TypeFor[id]()}
	}
	*i = id(n)
	return nil
}

// checkBudget bounds a duplicate check to half the time left: a check that
// hangs (the list endpoint failing while the create works) must leave the
// create the time to be sent again, or the deploy is lost to the check.
func checkBudget(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-time.Until(deadline)/2))
}

// What a create and an update are called in their errors.
const (
	opCreate = "record deploy"
	opUpdate = "update deploy"
)

// recentDeploys is how many of the newest deploys a duplicate check reads:
// the deploy was recorded moments ago, and only other pipelines recording
// at the same moment could push it further back.
const recentDeploys = 10

// findRecorded looks for d among the newest deploys, recorded since the
// first attempt.
func (c *Client) findRecorded(ctx context.Context, d NewDeploy, since time.Time) (int64, bool, error) {
	deploys, err := c.List(ctx, 1, recentDeploys)
	if err != nil {
		return 0, false, err
	}
	// Rollbar records a deploy without a status as succeeded. A deploy of
	// another status is not this one: taking it would report a status
	// Rollbar does not hold.
	status := cmp.Or(d.Status, "succeeded")
	for _, got := range deploys {
		if got.Environment == d.Environment && got.Revision == d.Revision && got.Status == status &&
			got.LocalUsername == d.LocalUsername && got.Comment == d.Comment &&
			got.StartTime >= since.Unix() {
			return got.ID, true, nil
		}
	}
	return 0, false, nil
}

// Update changes the status (and comment) of a deploy.
func (c *Client) Update(ctx context.Context, id int64, u Update) (Deploy, error) {
	body, err := json.Marshal(u)
	if err != nil {
		return Deploy{}, err
	}
	var out struct {
		Result Deploy `json:"result"`
	}
	var lost error
	err = c.once(ctx, fmt.Sprintf("%s %d", opUpdate, id), &request{
		method: http.MethodPatch, path: fmt.Sprintf("/api/1/deploy/%d", id), token: c.Token, body: body, out: &out,
		onAmbiguous: func(err error) { lost = err },
	})
	if api := (*APIError)(nil); errors.As(err, &api) && lost != nil {
		api.Lost = lost // a refusal may be of what the lost attempt did
	}
	return out.Result, err
}

// Get returns one deploy.
func (c *Client) Get(ctx context.Context, id int64) (Deploy, error) {
	return read[Deploy](ctx, c, fmt.Sprintf("get deploy %d", id), fmt.Sprintf("/api/1/deploy/%d", id), "deploy")
}

// MaxPage is the largest page of deploys Rollbar serves (its limit
// parameter's bound).
const MaxPage = 5000

// List returns one page of deploys, newest first; past the last page it is
// empty. limit is the page size, up to MaxPage; 0 leaves Rollbar's, 20.
func (c *Client) List(ctx context.Context, page, limit int) ([]Deploy, error) {
	q := url.Values{"page": {strconv.Itoa(page)}}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	got, err := read[struct {
		Deploys []Deploy `json:"deploys"`
	}](ctx, c, fmt.Sprintf("list deploys (page %d)", page), "/api/1/deploys?"+q.Encode(), "deploy list")
	return got.Deploys, err
}

// read GETs path with the read token and returns the answer's result; an
// answer without one is a ResponseError naming what it lacks.
func read[T any](ctx context.Context, c *Client, op, path, what string) (T, error) {
	var out struct {
		Result *T `json:"result"`
	}
	err := c.once(ctx, op, &request{method: http.MethodGet, path: path, token: c.readToken(), out: &out})
	if err == nil && out.Result == nil {
		err = &ResponseError{Op: op, Status: http.StatusOK, Reason: "the answer has no " + what}
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return *out.Result, nil
}

type request struct {
	method, path, token string
	contentType         string // JSON when empty
	body                []byte
	// stream, when set, opens the body for each attempt, of length bytes:
	// a large body is sent from its file, not from memory.
	stream func() (io.ReadCloser, error)
	length int64
	out    any
	// onAmbiguous hears of a failure after which the request may have been
	// processed: the request went out, and the answer was lost or a 5xx.
	onAmbiguous func(error)
	// landed is set on such a failure, for an interrupt to tell.
	landed bool
}

func (c *Client) once(ctx context.Context, op string, r *request) error {
	return c.call(ctx, op, func(context.Context) (*request, error) { return r, nil })
}

// call runs the request that next makes, retrying transient failures until
// the context ends. next returning a nil request ends the call successfully.
func (c *Client) call(ctx context.Context, op string, next func(context.Context) (*request, error)) error {
	backoff := c.backoff()
	var wait time.Duration // what Rollbar asked for, if more than our schedule
	schedule := retry.BackoffFunc(func() (time.Duration, bool) {
		d, stop := backoff.Next()
		d = max(d, wait)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
			return 0, true // waiting would end past the timeout: give up now
		}
		return d, stop
	})
	attempt := 0
	var last error
	var method string
	landed := false
	err := retry.Do(ctx, schedule, func(ctx context.Context) error {
		attempt++
		r, err := next(ctx)
		if err != nil || r == nil {
			return err
		}
		var hint time.Duration
		hint, err = c.do(ctx, op, r)
		method, landed = r.method, landed || r.landed
		if err == nil {
			return nil
		}
		if ctx.Err() == nil || last == nil {
			// An attempt cut by the deadline says less than the one before it.
			last, wait = err, hint
		}
		if !Transient(err) || ctx.Err() != nil {
			return err
		}
		c.logf("%s: attempt %d failed (%v); retrying", op, attempt, err)
		return retry.RetryableError(err)
	})
	if err != nil && errors.Is(ctx.Err(), context.Canceled) {
		return &InterruptedError{Op: op, Method: method, Landed: landed}
	}
	if err != nil && last != nil && Transient(last) && (attempt > 1 || ctx.Err() != nil) {
		// Report what went wrong, not that the deadline cut the retries.
		return &GaveUpError{Err: last, Attempts: attempt, Landed: landed}
	}
	return err
}

// do sends one request. It returns how long Rollbar asked to wait, if it did.
func (c *Client) do(ctx context.Context, op string, r *request) (time.Duration, error) {
	var body io.Reader = bytes.NewReader(r.body)
	if r.stream != nil {
		stream, err := r.stream()
		if err != nil {
			return 0, fmt.Errorf("%s: %w", op, err)
		}
		defer stream.Close()
		body = stream
	}
	req, err := http.NewRequestWithContext(ctx, r.method, strings.TrimRight(c.BaseURL, "/")+r.path, body)
	if err != nil {
		return 0, &NetworkError{Op: op, Err: err}
	}
	if r.stream != nil {
		req.ContentLength = r.length
	}
	req.Header.Set("X-Rollbar-Access-Token", r.token)
	req.Header.Set("User-Agent", c.UserAgent)
	req.Header.Set("Accept", "application/json")
	if r.body != nil || r.stream != nil {
		req.Header.Set("Content-Type", cmp.Or(r.contentType, "application/json"))
	}
	wrote := false
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote = true },
	}))
	start := c.now()
	resp, err := c.httpClient().Do(req)
	if err != nil {
		way := wayOut{unusedProxy: unusedProxy(c.Getenv, req.URL.Scheme), goos: runtime.GOOS}
		way.certFile, way.certFileProblem = certFile(c.Getenv, c.ReadFile)
		if reason, fix := misconfigured(err, req.URL.Hostname(), c.rollbarsHost(), way); reason != "" && ctx.Err() == nil {
			return 0, &EndpointError{Op: op, BaseURL: c.safeBaseURL(), Rollbars: c.rollbarsHost(),
				Reason: reason, Fix: fix, Err: err}
		}
		err = &NetworkError{Op: op, Err: err}
		r.landed = r.landed || wrote
		if wrote && r.onAmbiguous != nil {
			r.onAmbiguous(err)
		}
		c.logf("%s %s: %v", r.method, r.path, err)
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	// An answer that echoes a token (a proxy's error page quoting the
	// request) shows *** in its place: an excerpt cut at 80 characters could
	// otherwise cut through it, past what any later filter recognises.
	for _, token := range []string{c.Token, c.ReadToken} {
		if len(token) >= 8 {
			data = bytes.ReplaceAll(data, []byte(token), []byte("***"))
		}
	}
	c.logf("%s %s: %d in %s", r.method, r.path, resp.StatusCode, c.now().Sub(start).Round(time.Millisecond))
	switch {
	case err != nil:
		err = &NetworkError{Op: op, Err: err}
	case len(data) > maxBody:
		err = &ResponseError{
			Op: op, Status: resp.StatusCode, Reason: fmt.Sprintf("the answer is over %d bytes", maxBody), TooLarge: true,
		}
	case resp.StatusCode >= 300:
		err = &APIError{Op: op, Status: resp.StatusCode, Message: message(data)}
		if reason := wrongAnswer(resp, data); reason != "" {
			// Not an APIError: a caller must not take it for Rollbar's 404.
			e := &EndpointError{Op: op, BaseURL: c.safeBaseURL(), Rollbars: c.rollbarsHost(), Reason: reason}
			if resp.StatusCode == http.StatusProxyAuthRequired {
				e.Fix = proxyCredentials
			}
			err = e
		}
	default:
		err = decode(op, resp.StatusCode, data, r.out)
	}
	if resp.StatusCode >= 500 {
		r.landed = true
		if r.onAmbiguous != nil {
			r.onAmbiguous(err)
		}
	}
	wait := retryAfter(resp, c.now())
	if api := (*APIError)(nil); errors.As(err, &api) {
		api.Wait = wait
	}
	return wait, err
}

func decode(op string, status int, data []byte, out any) error {
	var envelope struct {
		Err     int    `json:"err"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(data, &envelope); err != nil {
		return &ResponseError{
			Op: op, Status: status, Reason: "the body is not Rollbar's JSON (" + snippet(data) + ")", NotJSON: true,
		}
	}
	if envelope.Err != 0 {
		return &APIError{Op: op, Status: status, Message: envelope.Message}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		reason := "the body does not have the expected fields"
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			reason += fmt.Sprintf(": %s is a %s", typeErr.Field, typeErr.Value)
		}
		return &ResponseError{Op: op, Status: status, Reason: reason}
	}
	return nil
}

// message extracts Rollbar's error message, or a short excerpt of a body
// that is not Rollbar's (a proxy's error page).
func message(data []byte) string {
	var body struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &body) == nil && body.Message != "" {
		return body.Message
	}
	return snippet(data)
}

func snippet(data []byte) string {
	s := strings.Join(strings.Fields(string(data)), " ")
	if s == "" {
		return "empty body"
	}
	return fmt.Sprintf("%q", text.Cut(s, 81))
}

// retryAfter reads how long Rollbar asks to wait before the next attempt.
// Its rate-limit headers come with every answer, but only a 429 means the
// window is used up; a 5xx may carry the standard Retry-After.
func retryAfter(resp *http.Response, now time.Time) time.Duration {
	h := resp.Header
	if resp.StatusCode != http.StatusTooManyRequests {
		if resp.StatusCode < 500 {
			return 0
		}
		h = http.Header{"Retry-After": h.Values("Retry-After")}
	}
	if s, err := strconv.Atoi(h.Get("X-Rate-Limit-Remaining-Seconds")); err == nil && s > 0 {
		return waitSeconds(s)
	}
	if reset, err := strconv.ParseInt(h.Get("X-Rate-Limit-Reset"), 10, 64); err == nil && reset > now.Unix() {
		return time.Unix(reset, 0).Sub(now)
	}
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s > 0 {
			return waitSeconds(s)
		}
		if t, err := http.ParseTime(v); err == nil && t.After(now) {
			return t.Sub(now)
		}
	}
	return 0
}

// maxWait bounds what a server may ask to wait. Any more is past every
// timeout anyway, and a larger count of seconds would overflow a Duration
// into a negative or tiny wait.
const maxWait = 24 * time.Hour

func waitSeconds(s int) time.Duration {
	return time.Duration(min(s, int(maxWait/time.Second))) * time.Second
}

func (c *Client) backoff() retry.Backoff {
	if c.Backoff != nil {
		return c.Backoff()
	}
	return retry.WithJitterPercent(20, retry.WithCappedDuration(5*time.Second, retry.NewExponential(300*time.Millisecond)))
}

// httpClient follows no redirect: Rollbar's API sends none, and Go would
// carry the token's header to whatever host one names, over plain HTTP too.
// A proxy's refusal of a CONNECT is a proxyRefusal, which Go would report by
// its status text alone ("Forbidden"). It is made once, so that requests
// share connections.
func (c *Client) httpClient() *http.Client {
	c.hcOnce.Do(func() {
		var hc http.Client
		if c.HTTP != nil {
			hc = *c.HTTP
		}
		hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		base, ok := hc.Transport.(*http.Transport)
		if hc.Transport == nil {
			base, ok = http.DefaultTransport.(*http.Transport)
		}
		if ok {
			transport := base.Clone()
			transport.OnProxyConnectResponse = func(_ context.Context, _ *url.URL, req *http.Request,
				resp *http.Response) error {
				if resp.StatusCode != http.StatusOK {
					return &proxyRefusal{Status: resp.StatusCode, Target: req.Host}
				}
				return nil
			}
			hc.Transport = transport
		}
		c.hc = &hc
	})
	return c.hc
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// safeBaseURL is the base URL as it may be shown: without a password or a
// query, in case either carries a secret.
func (c *Client) safeBaseURL() string {
	u, err := url.Parse(c.BaseURL)
	if err != nil {
		return "the API URL"
	}
	return shownURL(u)
}

// shownURL is u without what may carry a secret: a password, a query.
func shownURL(u *url.URL) string {
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return strings.TrimRight(u.String(), "/")
}

// InClear reports a base URL that would carry the token across the network
// unencrypted: plain http:// to a host other than this machine's loopback.
func InClear(baseURL string) bool {
	u, err := url.Parse(baseURL)
	if err != nil || !strings.EqualFold(u.Scheme, "http") {
		return false
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// rollbarsHost reports whether the base URL names Rollbar's own API host,
// however it is written (API.Rollbar.com, :443, api.rollbar.com.).
func (c *Client) rollbarsHost() bool {
	u, err := url.Parse(c.BaseURL)
	def, _ := url.Parse(DefaultBaseURL)
	return err == nil && strings.EqualFold(strings.TrimSuffix(u.Hostname(), "."), def.Hostname())
}

func (c *Client) readToken() string { return cmp.Or(c.ReadToken, c.Token) }

func (c *Client) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

func (c *Client) warnf(format string, args ...any) {
	if c.Warnf != nil {
		c.Warnf(format, args...)
	}
}
