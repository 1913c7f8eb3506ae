package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/store"
)

// These tests run the real csmm command as child processes: built from
// cmd/csmm, served with `csmm serve`, set up with `csmm user create` and
// `csmm token create`, stopped with real signals.

// buildCSMM builds the csmm command into a temporary directory and returns
// its path.
func buildCSMM(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "csmm")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/csmm/csmm/cmd/csmm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/csmm: %v\n%s", err, out)
	}
	return bin
}

// childEnv is the environment of a child csmm: the test's own, without any
// CSMM_ setting of the developer's that could point it elsewhere.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CSMM_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "CSMM_LOG_FORMAT=text", "CSMM_LOG_LEVEL=info")
}

// runCSMM runs a csmm command to completion with stdin and returns its
// standard output.
func runCSMM(t *testing.T, bin, stdin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("csmm %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// serveProc is a running `csmm serve`.
type serveProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	logs *syncBuffer
	// url is the server's base URL, http://127.0.0.1:port.
	url  string
	done chan struct{}
	// err is what Wait returned, once done is closed.
	err error
}

var listening = regexp.MustCompile(`msg="csmm listening" addr=(127\.0\.0\.1:\d+)`)

// startServe starts `csmm serve` on the database dsn, listening on a free
// loopback port the kernel picks, and returns once the server logs its
// address. The process is killed when the test ends if still running.
func startServe(t *testing.T, bin, dsn string) *serveProc {
	t.Helper()
	p := launchServe(t, bin, dsn)
	p.waitListening()
	return p
}

// launchServe starts `csmm serve` without waiting for it.
func launchServe(t *testing.T, bin, dsn string) *serveProc {
	t.Helper()
	p := &serveProc{t: t, logs: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", dsn)
	p.cmd.Env = childEnv()
	// Only Write, so that io.Copy cannot reach the buffer's ReadFrom
	// around the lock.
	w := struct{ io.Writer }{p.logs}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("csmm serve (pid %d) log:\n%s", p.cmd.Process.Pid, p.logs.String())
		}
	})
	return p
}

// waitListening waits until the server logs the address it listens on.
func (p *serveProc) waitListening() {
	p.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		if m := listening.FindStringSubmatch(p.logs.String()); m != nil {
			p.url = "http://" + m[1]
			return
		}
		select {
		case <-p.done:
			p.t.Fatalf("csmm serve exited before listening: %v\n%s", p.err, p.logs.String())
		case <-deadline:
			p.t.Fatalf("csmm serve logged no address in 30s:\n%s", p.logs.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// waitReady polls /readyz until it answers 200.
func (p *serveProc) waitReady() {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s/readyz not 200 after 30s (last: %v, %v)", p.url, resp, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends sig and waits for the process to exit.
func (p *serveProc) stop(sig syscall.Signal) *os.ProcessState {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		p.t.Fatalf("csmm serve did not exit 40s after %v", sig)
	}
	return p.cmd.ProcessState
}

// apiClient calls a csmm server over HTTP with an API token or cookies.
type apiClient struct {
	t      *testing.T
	base   string
	bearer string
	hc     *http.Client
}

// call sends a request with a JSON body (nil for none) and decodes a JSON
// answer into out (nil to ignore). It returns the status, or an error when
// the request got no answer.
func (c *apiClient) call(method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s: %w", data, err)
		}
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, nil
}

// mustCall is call that fails the test on any error.
func (c *apiClient) mustCall(method, path string, body, out any) {
	c.t.Helper()
	if _, err := c.call(method, path, body, out); err != nil {
		c.t.Fatal(err)
	}
}

// ownerWithToken creates the owner of "Acme Corp" and an owner API token on
// the database with the command line, as an operator would, and returns the
// token.
func ownerWithToken(t *testing.T, bin, dsn string) string {
	t.Helper()
	runCSMM(t, bin, ownerPassword+"\n", "user", "create", "--db", dsn, "--org", "Acme Corp", "--email", "owner@acme.example", "--role", "owner", "--name", "Olivia Owner")
	token := strings.TrimSpace(runCSMM(t, bin, "", "token", "create", "--db", dsn, "--org", "Acme Corp", "--email", "owner@acme.example", "--role", "owner", "--name", "test"))
	if !strings.HasPrefix(token, "csmm_") {
		t.Fatalf("token create printed %q, want a csmm_ token", token)
	}
	return token
}

// objectiveIDs returns the IDs of the built-in model's objectives.
func objectiveIDs(t *testing.T) []string {
	t.Helper()
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range m.Objectives {
		ids = append(ids, o.ID)
	}
	if len(ids) == 0 {
		t.Fatal("the built-in model has no objectives")
	}
	return ids
}

// savedAnswer is an acknowledged save: the version the server returned and
// the note that tells the save apart.
type savedAnswer struct {
	version int
	note    string
}

// TestServeSurvivesKill streams answer saves to `csmm serve` from several
// clients, kills the server with SIGKILL mid-stream, restarts it on the same
// database and checks that every save the server acknowledged is there, and
// that the database is intact.
func TestServeSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the csmm command")
	}
	bin := buildCSMM(t)
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) {
			dsn := newDSN(t, b)
			token := ownerWithToken(t, bin, dsn)
			p := startServe(t, bin, dsn)
			p.waitReady()
			c := &apiClient{t: t, base: p.url + "/api/v1", bearer: token, hc: &http.Client{Timeout: 20 * time.Second}}
			var as struct{ ID string }
			c.mustCall("POST", "/orgs/acme-corp/assessments", map[string]any{
				"name": "Durability", "scopes": []map[string]any{{"id": "production", "weight": 2}, {"id": "development", "weight": 1}},
			}, &as)

			// Each client owns its own answers and saves them round after
			// round, each save naming the version it last saw.
			var keys []string
			for _, id := range objectiveIDs(t) {
				keys = append(keys, id+"/production", id+"/development")
			}
			const clients = 4
			const killAfter = 400
			var (
				mu     sync.Mutex
				acked  = map[string]savedAnswer{}
				count  atomic.Int64
				killed = make(chan struct{})
				wg     sync.WaitGroup
			)
			for w := range clients {
				wg.Go(func() {
					seen := map[string]int{}
					for round := 1; ; round++ {
						for i := w; i < len(keys); i += clients {
							key := keys[i]
							note := fmt.Sprintf("client %d round %d", w, round)
							var got struct {
								Version int
								Note    string
							}
							status, err := c.call("PUT", "/orgs/acme-corp/assessments/"+as.ID+"/answers/"+key,
								map[string]any{"answer": []string{"yes", "no", "yes"}[round%3], "note": note, "version": seen[key]}, &got)
							if err != nil {
								select {
								case <-killed:
									return // the server is gone: the stream ends
								default:
								}
								t.Errorf("save %s before the kill: %d %v", key, status, err)
								return
							}
							if got.Note != note || got.Version != seen[key]+1 {
								t.Errorf("save %s answered %+v, want note %q version %d", key, got, note, seen[key]+1)
							}
							seen[key] = got.Version
							mu.Lock()
							acked[key] = savedAnswer{got.Version, got.Note}
							mu.Unlock()
							if count.Add(1) == killAfter {
								close(killed)
								p.cmd.Process.Signal(syscall.SIGKILL)
							}
						}
					}
				})
			}
			select {
			case <-p.done:
			case <-time.After(2 * time.Minute):
				t.Fatalf("the server was not killed: %d saves", count.Load())
			}
			wg.Wait()
			if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("csmm serve was not killed by SIGKILL: %v", p.cmd.ProcessState)
			}
			if t.Failed() {
				return
			}

			p2 := startServe(t, bin, dsn)
			p2.waitReady()
			c.base = p2.url + "/api/v1"
			var list struct {
				Items []struct {
					Objective, Scope, Note string
					Version                int
				}
			}
			c.mustCall("GET", "/orgs/acme-corp/assessments/"+as.ID+"/answers", nil, &list)
			stored := map[string]savedAnswer{}
			for _, a := range list.Items {
				stored[a.Objective+"/"+a.Scope] = savedAnswer{a.Version, a.Note}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(acked) == 0 || count.Load() < killAfter {
				t.Fatalf("only %d saves acknowledged", count.Load())
			}
			t.Logf("%d saves acknowledged before SIGKILL, %d answers stored after the restart", count.Load(), len(stored))
			for key, want := range acked {
				got, ok := stored[key]
				switch {
				case !ok:
					t.Errorf("acknowledged save of %s (version %d) is missing after the kill", key, want.version)
				case got.version < want.version:
					t.Errorf("%s is at version %d after the kill, but version %d was acknowledged", key, got.version, want.version)
				case got.version == want.version && got.note != want.note:
					t.Errorf("%s version %d has note %q, but %q was acknowledged", key, got.version, got.note, want.note)
				}
			}
			// The restarted server takes writes where the old one stopped.
			for key, a := range stored {
				c.mustCall("PUT", "/orgs/acme-corp/assessments/"+as.ID+"/answers/"+key, map[string]any{"answer": "no", "version": a.version}, nil)
				break
			}
			if st := p2.stop(syscall.SIGTERM); !st.Success() {
				t.Errorf("csmm serve after SIGTERM: %v", st)
			}
			checkIntact(t, dsn)
		})
	}
}

// checkIntact checks a database after a crash: SQLite's integrity check
// passes, and the store opens with every migration applied.
func checkIntact(t *testing.T, dsn string) {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres") {
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var result string
		if err := db.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil {
			t.Fatal(err)
		}
		if result != "ok" {
			t.Errorf("PRAGMA integrity_check = %q, want ok", result)
		}
	}
	st, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("open the database after the crash: %v", err)
	}
	defer st.Close()
	if err := st.Ready(t.Context()); err != nil {
		t.Errorf("Ready after the crash: %v", err)
	}
}

// TestServeGracefulShutdown sends SIGTERM to `csmm serve` while a request is
// being received: the server stops accepting connections, finishes that
// request (its answer is saved and acknowledged) and exits with status 0.
func TestServeGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the csmm command")
	}
	bin := buildCSMM(t)
	dsn := newDSN(t, "sqlite")
	token := ownerWithToken(t, bin, dsn)
	p := startServe(t, bin, dsn)
	p.waitReady()
	c := &apiClient{t: t, base: p.url + "/api/v1", bearer: token, hc: &http.Client{Timeout: time.Minute}}
	var as struct{ ID string }
	c.mustCall("POST", "/orgs/acme-corp/assessments", map[string]any{"name": "Shutdown"}, &as)

	// The request's body arrives in two parts; SIGTERM comes between them,
	// while the handler waits for the rest.
	body := []byte(`{"answer": "yes", "note": "sent across the shutdown", "version": 0}`)
	pr, pw := io.Pipe()
	req, err := http.NewRequest("PUT", c.base+"/orgs/acme-corp/assessments/"+as.ID+"/answers/"+objectiveIDs(t)[0]+"/default", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	type result struct {
		resp *http.Response
		body []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := c.hc.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{resp, b, err}
	}()
	if _, err := pw.Write(body[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the handler is now reading the body
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(p.logs.String(), "shutting down"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no shutdown logged 10s after SIGTERM")
		}
	}
	// New connections are refused while the request in flight goes on.
	addr := strings.TrimPrefix(p.url, "http://")
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 5s after SIGTERM")
		}
	}
	select {
	case <-p.done:
		t.Fatalf("csmm serve exited with a request in flight: %v", p.err)
	default:
	}
	if _, err := pw.Write(body[10:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("no answer to the request in flight")
	}
	if r.err != nil {
		t.Fatalf("the request in flight failed: %v", r.err)
	}
	if r.resp.StatusCode != http.StatusOK || !strings.Contains(string(r.body), `"version":1`) {
		t.Errorf("the request in flight: %d %s, want 200 with version 1", r.resp.StatusCode, r.body)
	}
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		t.Fatal("csmm serve did not exit after the last request")
	}
	if !p.cmd.ProcessState.Success() {
		t.Errorf("csmm serve after SIGTERM: %v, want exit status 0", p.cmd.ProcessState)
	}
	// The answer is in the database.
	st, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	org, err := FindOrganization(t.Context(), st, "acme-corp")
	if err != nil {
		t.Fatal(err)
	}
	answers, err := st.ListAnswers(t.Context(), org.ID, as.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 1 || answers[0].Note != "sent across the shutdown" {
		t.Errorf("stored answers %+v, want the one sent across the shutdown", answers)
	}
}

// TestServeTwoProcessesOnePostgres starts two `csmm serve` processes at the
// same moment on one empty PostgreSQL database: both migrate (or wait for
// the other's migration) and become ready, and a session started on one
// and an API token made on the other work on both.
func TestServeTwoProcessesOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the csmm command")
	}
	if !slices.Contains(backends(t), "postgres") {
		t.Skip("CSMM_TEST_POSTGRES_URL is not set; source scripts/postgres.sh to run the PostgreSQL tests")
	}
	bin := buildCSMM(t)
	for round := range 3 {
		t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
			dsn := newDSN(t, "postgres")
			// Started together, both find no schema; a migration error
			// would end a process before it listens.
			one, two := launchServe(t, bin, dsn), launchServe(t, bin, dsn)
			for _, p := range []*serveProc{one, two} {
				p.waitListening()
				p.waitReady()
			}
			for i, p := range []*serveProc{one, two} {
				if logs := p.logs.String(); strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "level=WARN") {
					t.Errorf("server %d logged a problem:\n%s", i+1, logs)
				}
			}

			// First-run setup on one; the session cookie it sets works on two.
			noRedirect := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := noRedirect.PostForm(one.url+"/setup", url.Values{
				"organization": {"Acme Corp"}, "name": {"Olivia Owner"}, "email": {"owner@acme.example"}, "password": {ownerPassword},
			})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) == 0 {
				t.Fatalf("setup on server one: %d with %d cookies", resp.StatusCode, len(resp.Cookies()))
			}
			session := &apiClient{t: t, base: two.url + "/api/v1", hc: &http.Client{Timeout: 20 * time.Second, Transport: cookieTransport(resp.Cookies())}}
			var me struct{ User struct{ Email string } }
			session.mustCall("GET", "/me", nil, &me)
			if me.User.Email != "owner@acme.example" {
				t.Errorf("the session of server one on server two is %q's", me.User.Email)
			}

			// A token made through two works on one.
			var created struct{ Secret string }
			session.mustCall("POST", "/orgs/acme-corp/tokens", map[string]string{"name": "pipeline", "role": "assessor"}, &created)
			bot := &apiClient{t: t, base: one.url + "/api/v1", bearer: created.Secret, hc: &http.Client{Timeout: 20 * time.Second}}
			var as struct{ ID string }
			if status, err := bot.call("POST", "/orgs/acme-corp/assessments", map[string]any{"name": "x"}, nil); status != http.StatusForbidden {
				t.Errorf("assessor token of server two creates an assessment on server one: %d %v, want 403", status, err)
			}
			session.mustCall("POST", "/orgs/acme-corp/assessments", map[string]any{"name": "Shared"}, &as)
			bot.mustCall("PUT", "/orgs/acme-corp/assessments/"+as.ID+"/answers/"+objectiveIDs(t)[0]+"/default", map[string]any{"answer": "yes", "version": 0}, nil)
			var answers struct{ Items []struct{ Version int } }
			session.mustCall("GET", "/orgs/acme-corp/assessments/"+as.ID+"/answers", nil, &answers)
			if len(answers.Items) != 1 || answers.Items[0].Version != 1 {
				t.Errorf("answers on server two after a save on server one: %+v", answers.Items)
			}
		})
	}
}

// cookieTransport sends cookies with every request, whatever the port.
func cookieTransport(cookies []*http.Cookie) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		for _, c := range cookies {
			r.AddCookie(c)
		}
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
