package rollbar

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

// APIError is an answer from Rollbar that was not a success: the HTTP status
// and Rollbar's own message, which is what a user needs to fix the cause.
type APIError struct {
	Op      string // what was attempted, e.g. "record deploy"
	Status  int
	Message string
	// Wait is how long Rollbar asked to wait before another attempt, if it
	// said (a 429's rate-limit reset).
	Wait time.Duration
	// Lost is an earlier attempt's failure after which Rollbar may have
	// carried the request out: its answer was lost, or was a 5xx.
	Lost error
}

func (e *APIError) Error() string {
	msg := text.OneLine(e.Message)
	if msg == "" {
		msg = "no message"
	}
	return fmt.Sprintf("%s: Rollbar answered %d %s: %s", e.Op, e.Status, http.StatusText(e.Status), msg)
}

func (e *APIError) operation() string { return e.Op }

// Transient reports whether the same request may succeed later: rate limits
// and server-side failures are Rollbar's, everything else is the caller's.
func (e *APIError) Transient() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// NotStarted reports whether Rollbar refused an update because the deploy is
// no longer started: Rollbar timed it out, or it was already finished.
// Rollbar answers 409 or 422 with this message, so the message decides.
func (e *APIError) NotStarted() bool {
	return (e.Status == http.StatusConflict || e.Status == http.StatusUnprocessableEntity) &&
		strings.Contains(e.Message, "status is not started")
}

// lacksRead reports a token without the read scope.
func lacksRead(err error) bool {
	var api *APIError
	return errors.As(err, &api) &&
		(api.Status == http.StatusForbidden || strings.Contains(api.Message, "insufficient privileges"))
}

// Hint says what to do about the error, where Rollbar's message alone leaves
// a user guessing.
func (e *APIError) Hint() string {
	switch {
	case e.Status == http.StatusUnauthorized, e.Status == http.StatusForbidden,
		strings.Contains(e.Message, "access token"):
		return "the access token is invalid, expired or lacks the scope: recording needs a post_server_item token; " +
			"get, list and watch a read token (set read_access_token, ROLLBAR_READ_ACCESS_TOKEN)"
	case strings.Contains(e.Message, "Deploy not found"):
		return "the deploy id belongs to another Rollbar project, or the token is for another project"
	case e.Status == http.StatusNotFound:
		return fmt.Sprintf("Rollbar's API has no such path: check api_url (ROLLBAR_API_URL), "+
			"which is %s unless you use a proxy", DefaultBaseURL)
	case e.NotStarted():
		return "the deploy is no longer started (Rollbar timed it out, or it was already finished): " +
			"only a started deploy can be updated"
	case e.Status == http.StatusRequestEntityTooLarge && strings.HasPrefix(e.Op, opUpload):
		return fmt.Sprintf("the source map is larger than Rollbar accepts (%d MB): build it without sourcesContent, "+
			"or split the bundle", MaxSourceMap>>20)
	case e.Status == http.StatusRequestEntityTooLarge:
		return "the request is over Rollbar's 128 KB limit: shorten the comment"
	case e.Status == http.StatusTooManyRequests && e.Wait > 2*time.Minute:
		return fmt.Sprintf("the token's rate limit is used up for %s more: run again after that, "+
			"or raise the project's rate limit in Rollbar's project settings", e.Wait.Round(time.Minute))
	case e.Status == http.StatusTooManyRequests && e.Wait > 0:
		return fmt.Sprintf("the token's rate limit is used up for %s more, which the tool waits only within timeout: "+
			"raise timeout (ROLLBAR_TIMEOUT) above it, or run again then", e.Wait.Round(time.Second))
	case e.Status == http.StatusTooManyRequests:
		return "the token's rate limit is used up; try again in a minute"
	case e.Status >= 500:
		return "Rollbar is having trouble; try again later"
	}
	return ""
}

// Hint says what to do about err, for the errors of this package that have
// advice to give; "" otherwise.
func Hint(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// EndpointError is a request that failed for a cause on the user's side: the
// api_url leads to something other than Rollbar's API, or to no host at all;
// a certificate does not verify; a proxy asks for credentials or cannot be
// reached. No retry fixes that, so it is not Transient, and the fix is told.
type EndpointError struct {
	Op       string
	BaseURL  string // the API URL used, without credentials or query
	Rollbars bool   // the API URL names Rollbar's own host
	Reason   string // what showed it, e.g. "the host name does not resolve"
	Fix      string // what to change; "" for api_url itself
	Err      error  // the network error behind it, if any
}

func (e *EndpointError) Error() string     { return e.Op + ": " + e.Reason }
func (e *EndpointError) Unwrap() error     { return e.Err }
func (e *EndpointError) operation() string { return e.Op }
func (e *EndpointError) Transient() bool   { return false }

// Hint points at the setting to fix. When api_url is Rollbar's own, what
// answered in Rollbar's place stands between the runner and Rollbar.
func (e *EndpointError) Hint() string {
	switch {
	case e.Fix != "":
		return e.Fix
	case e.Rollbars:
		return "something between this runner and Rollbar answered in its place: a proxy (check HTTPS_PROXY and NO_PROXY) " +
			"or a network's sign-in page"
	}
	return fmt.Sprintf("check api_url (ROLLBAR_API_URL): %s is not Rollbar's API, which is %s", e.BaseURL, DefaultBaseURL)
}

// proxyFix is what to do about a proxy that cannot be used.
const proxyFix = "check HTTPS_PROXY (and HTTP_PROXY, NO_PROXY): " +
	"the proxy it names is the runner's setting, not Rollbar's"

// wayOut is what the runner's environment says about its way to Rollbar,
// read only once a request failed, to tell the failure's cause.
type wayOut struct {
	unusedProxy     string // from unusedProxy
	certFile        string // SSL_CERT_FILE, if set
	certFileProblem string // from certFile: why it cannot serve, if it cannot
	goos            string // runtime.GOOS: macOS and Windows verify with the system's store, never SSL_CERT_FILE
}

// misconfigured tells whether a request failed for want of a working setting
// on the user's side, and which one: reason and fix, or "" for an ordinary
// network failure (an outage). Rollbar's own host failing to resolve is the
// runner's network failing, an outage, unless a proxy variable that this
// request does not use is set: on a runner that reaches out only through a
// proxy, that is the setting to fix. A DNS failure that may pass (a timeout,
// a server failure) stays an outage.
func misconfigured(err error, host string, rollbars bool, way wayOut) (reason, fix string) {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var record tls.RecordHeaderError
	var cert *tls.CertificateVerificationError
	var hostname x509.HostnameError
	var refusal *proxyRefusal
	switch {
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect" && errors.As(opErr.Err, &cert):
		return fmt.Sprintf("the TLS certificate of the proxy%s does not verify (%v)", issuer(cert), cert.Err),
			"an https:// proxy's certificate must verify too: set SSL_CERT_FILE to a file holding its CA certificate, " +
				"or name the proxy http:// in HTTPS_PROXY if it speaks plain HTTP (most do)"
	case errors.As(err, &opErr) && opErr.Op == "proxyconnect":
		return "the proxy cannot be reached (" + describe(opErr.Err) + ")", proxyFix
	case errors.As(err, &refusal) && refusal.Status == http.StatusProxyAuthRequired,
		strings.Contains(err.Error(), http.StatusText(http.StatusProxyAuthRequired)):
		return "the proxy answered 407 Proxy Authentication Required", proxyCredentials
	case errors.As(err, &refusal) && refusal.Status < 500:
		return "the proxy refused to connect to " + refusal.Target + " (" + refusal.status() + ")",
			"the proxy in HTTPS_PROXY does not let this runner reach " + refusal.Target +
				": ask its administrators to allow it, " +
				"or add " + host + " to NO_PROXY if the runner reaches it directly"
	case errors.As(err, &hostname):
		return fmt.Sprintf("the TLS certificate of %s does not name it (%v)", host, hostname.Error()),
			fmt.Sprintf("check the host of api_url (ROLLBAR_API_URL), %s: Rollbar's API is %s; "+
				"behind a proxy that inspects TLS, set SSL_CERT_FILE to a file holding the proxy's CA certificate",
				host, DefaultBaseURL)
	case errors.As(err, &cert):
		return fmt.Sprintf("the TLS certificate of %s%s does not verify (%v)", host, issuer(cert), cert.Err),
			certFix(host, way)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound && way.unusedProxy != "":
		return fmt.Sprintf("the host name %s does not resolve, and the proxy in %s is not used",
				dnsErr.Name, way.unusedProxy),
			unusedProxyFix(way.unusedProxy)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound && !rollbars:
		return "the host name " + dnsErr.Name + " does not resolve", ""
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "the server speaks plain HTTP, not HTTPS", ""
	}
	return "", ""
}

// issuer says who issued the certificate chain a server presented, for the
// user to know which CA certificate an inspecting proxy needs trusted.
func issuer(cert *tls.CertificateVerificationError) string {
	if n := len(cert.UnverifiedCertificates); n > 0 {
		if name := cert.UnverifiedCertificates[n-1].Issuer.String(); name != "" {
			return ", issued by " + text.OneLine(name) + ","
		}
	}
	return ""
}

// certFix says what to do about a certificate that does not verify: trust
// the inspecting proxy's CA through SSL_CERT_FILE, or fix the file it names,
// which Go passes over in silence when it cannot be read or holds no
// certificate.
func certFix(host string, way wayOut) string {
	orHost := "; otherwise check the host of api_url (ROLLBAR_API_URL), " + host
	switch {
	case way.goos == "darwin" || way.goos == "ios" || way.goos == "windows":
		return "behind a proxy that inspects TLS, add the proxy's CA certificate to the system's trust store " +
			"(the Keychain on macOS, the certificate store on Windows: Go reads no SSL_CERT_FILE there)" + orHost
	case way.certFile == "":
		return "behind a proxy that inspects TLS, set SSL_CERT_FILE to a file holding the proxy's CA certificate " +
			"(the runner's own CA bundle does not know it)" + orHost
	case way.certFileProblem != "":
		return fmt.Sprintf("SSL_CERT_FILE names %s, which %s, so it was not used: "+
			"give the path of the file holding the proxy's CA certificate (-----BEGIN CERTIFICATE-----) as this job sees it",
			text.OneLine(way.certFile), way.certFileProblem)
	}
	return fmt.Sprintf("SSL_CERT_FILE names %s, which does not hold the CA certificate that issued this one: "+
		"add that CA's certificate to it", text.OneLine(way.certFile)) + orHost
}

// certFile reads SSL_CERT_FILE as Go's TLS does: path is "" when it is not
// set; problem says why the file serves no certificate, "" when it does.
func certFile(getenv func(string) string, readFile func(string) ([]byte, error)) (path, problem string) {
	if getenv == nil || readFile == nil {
		return "", ""
	}
	path = getenv("SSL_CERT_FILE")
	if path == "" {
		return "", ""
	}
	data, err := readFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return path, "does not exist"
	case err != nil:
		return path, "cannot be read"
	case !x509.NewCertPool().AppendCertsFromPEM(data):
		return path, "holds no PEM certificate"
	}
	return path, ""
}

// unusedProxy names the proxy variable a user may have meant for a request
// of this scheme but that Go's transport does not read for it: ALL_PROXY
// (curl's catch-all, never read), or HTTP_PROXY for an https:// URL, which
// goes through HTTPS_PROXY only. "" when the scheme's own variable is set,
// or no other is.
func unusedProxy(getenv func(string) string, scheme string) string {
	if getenv == nil {
		return ""
	}
	read := []string{"HTTP_PROXY", "http_proxy"}
	unread := []string{"ALL_PROXY", "all_proxy"}
	if strings.EqualFold(scheme, "https") {
		read, unread = []string{"HTTPS_PROXY", "https_proxy"}, append(read, unread...)
	}
	for _, name := range read {
		if getenv(name) != "" {
			return ""
		}
	}
	for _, name := range unread {
		if getenv(name) != "" {
			return name
		}
	}
	return ""
}

// unusedProxyFix says which variable the proxy of the unused one belongs in.
func unusedProxyFix(unused string) string {
	if strings.EqualFold(unused, "ALL_PROXY") {
		return "rollbar-deploy does not read ALL_PROXY: set HTTPS_PROXY (HTTP_PROXY for a plain http:// api_url) " +
			"to the same proxy URL, and NO_PROXY to the hosts reached directly"
	}
	return "an https:// api_url goes through HTTPS_PROXY, not " + unused + ": set HTTPS_PROXY to the same proxy URL, " +
		"and NO_PROXY to the hosts reached directly"
}

// proxyRefusal is a proxy's answer other than 200 to the CONNECT that opens
// the way to Rollbar: 407 wants credentials, another 4xx is the proxy's
// policy, a 5xx its failure to reach Rollbar (an outage).
type proxyRefusal struct {
	Status int
	Target string // host:port the CONNECT asked for
}

func (e *proxyRefusal) status() string {
	return fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
}

func (e *proxyRefusal) Error() string {
	return "the proxy answered " + e.status() + " to CONNECT " + e.Target
}

const proxyCredentials = "the proxy wants credentials: put them in the proxy's URL, " +
	"HTTPS_PROXY=http://user:password@proxy.example:3128 (HTTP_PROXY for a plain http:// api_url)"

// wrongAnswer is what shows that an error answer came from a server other
// than Rollbar's API, or "" when it may be Rollbar's: Rollbar answers an
// unknown path with its JSON, and redirects nowhere.
func wrongAnswer(resp *http.Response, data []byte) string {
	var body struct {
		Err *int `json:"err"`
	}
	status := resp.StatusCode
	switch {
	case status >= 300 && status < 400:
		where := "elsewhere"
		if u, err := resp.Location(); err == nil {
			where = "to " + shownURL(u)
		}
		return fmt.Sprintf("the server answered %d, redirecting %s, which is not followed (the token would go with it)",
			status, where)
	case json.Unmarshal(data, &body) == nil && body.Err != nil:
		return ""
	case status == http.StatusProxyAuthRequired:
		return "the proxy answered 407 Proxy Authentication Required"
	case status == http.StatusNotFound:
		return "the server answered 404 with a page that is not Rollbar's (" + snippet(data) + ")"
	case status == http.StatusBadRequest && strings.Contains(string(data), "HTTP request to an HTTPS server"):
		return "the server speaks HTTPS, not plain HTTP"
	}
	return ""
}

// NetworkError is a request that got no usable answer: Rollbar could not be
// reached, the connection broke, or the answer was not Rollbar's JSON.
type NetworkError struct {
	Op  string
	Err error
}

func (e *NetworkError) Error() string     { return e.Op + ": " + describe(e.Err) }
func (e *NetworkError) Unwrap() error     { return e.Err }
func (e *NetworkError) operation() string { return e.Op }

// GaveUpError is a call whose retries the time allowed ended: Err is what
// went wrong last.
type GaveUpError struct {
	Err      error
	Attempts int
	// Landed is whether an attempt went out without its answer (or with a
	// 5xx), so that Rollbar may have carried it out all the same.
	Landed bool
}

func (e *GaveUpError) Error() string {
	return fmt.Sprintf("%v (gave up after %d attempts in the time allowed)", e.Err, e.Attempts)
}

func (e *GaveUpError) Unwrap() error { return e.Err }

// InterruptedError is a call cut short by an interrupt (a signal, a CI's
// cancel): it says whether what was sent may have been carried out.
type InterruptedError struct {
	Op     string
	Method string
	// Landed is whether a request had gone out without its answer, so that
	// Rollbar may have carried it out.
	Landed bool
}

// rerunFindsDeploy is the advice after a create that may have landed, whether
// it was interrupted or gave up.
const rerunFindsDeploy = "a rerun with a read-capable token finds it instead of recording another"

func (e *InterruptedError) Error() string {
	switch {
	case e.Method == http.MethodGet:
		return "interrupted during " + e.Op
	case !e.Landed:
		return "interrupted before " + e.Op + " was sent: nothing was changed"
	case e.Method == http.MethodPost && e.Op == opCreate:
		return "interrupted during " + e.Op + ": the request had gone out, so Rollbar may have recorded the deploy; " +
			rerunFindsDeploy
	}
	return "interrupted during " + e.Op + ": the request had gone out, so Rollbar may have carried it out"
}

func (e *InterruptedError) Unwrap() error { return context.Canceled }

// ResponseError is a 2xx answer that cannot be what Rollbar sends: a body that
// is not JSON (a proxy's HTML page), or a create answer without an id.
type ResponseError struct {
	Op     string
	Status int
	Reason string
	// TooLarge is an answer over what the client reads (a page of many
	// deploys with long comments): smaller pages fit.
	TooLarge bool
	// NotJSON is a body that is not JSON at all: not Rollbar's answer.
	NotJSON bool
}

// Hint points at what answered in Rollbar's place.
func (e *ResponseError) Hint() string {
	if !e.NotJSON {
		return ""
	}
	return "something other than Rollbar's API answered (a proxy's or a captive portal's page): " +
		"check api_url (ROLLBAR_API_URL) and the proxy settings (HTTPS_PROXY, NO_PROXY)"
}

func (e *ResponseError) operation() string { return e.Op }

// Undone says what a failure of this package's calls left undone, for a
// warning that lets it pass: "the deploy was not recorded".
func Undone(err error) string {
	var e interface{ operation() string }
	if !errors.As(err, &e) {
		return ""
	}
	var gaveUp *GaveUpError
	switch op := e.operation(); {
	case op == opCreate && errors.As(err, &gaveUp) && gaveUp.Landed:
		return "the deploy may have been recorded all the same (a request went out, and its answer was lost or an error); " +
			rerunFindsDeploy
	case op == opCreate:
		return "the deploy was not recorded"
	case strings.HasPrefix(op, opUpdate):
		return "the deploy was not updated"
	case strings.HasPrefix(op, opUpload):
		return "source maps were not uploaded"
	default:
		return op + " was not done"
	}
}

// TooLarge reports an answer too large to read.
func TooLarge(err error) bool {
	var resp *ResponseError
	return errors.As(err, &resp) && resp.TooLarge
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("%s: unexpected answer from Rollbar (HTTP %d): %s", e.Op, e.Status, e.Reason)
}

// Transient reports whether err is an outage rather than something the user
// must fix: network failures, timeouts, 429 and 5xx.
func Transient(err error) bool {
	// The outermost error that can tell decides: an APIError, or an error
	// that wraps one and knows better.
	var t interface{ Transient() bool }
	if errors.As(err, &t) {
		return t.Transient()
	}
	var netErr *NetworkError
	return errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)
}

// describe turns Go's nested network errors into the one phrase a person
// needs, without URLs or internal chains.
func describe(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer before the timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + dnsErr.Name
	case errors.Is(err, errNoAnswer):
		return "the connection closed before Rollbar answered"
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		err = opErr.Err
	}
	// The whole message but Go's own prefix, which repeats the method and
	// the URL: cutting more could leave half a sentence.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the connection closed before Rollbar answered"
	}
	return text.OneLine(err.Error())
}

var errNoAnswer = errors.New("no answer")
