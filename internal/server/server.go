// Package server is the csmm HTTP server: configuration, the http.Server
// with its timeouts and graceful shutdown, the middleware every request
// passes (access log, metrics, security headers, cross-origin protection,
// first-run setup), sessions and sign-in (password and OpenID Connect),
// health checks and metrics. The JSON API is package api, mounted here.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/store"
	"github.com/csmm/csmm/internal/web"
)

// Server serves the web pages, the JSON API, health checks and metrics over
// one Store. Several Servers may share one PostgreSQL database: everything
// they remember is in the store.
type Server struct {
	cfg     Config
	store   *store.Store
	logger  *slog.Logger
	metrics *Metrics
	now     func() time.Time
	pages   *pages
	api     *api.API
	web     *web.Handler
	oidc    *oidcClient
	// printer prints the PDF reports of the pages and the API in one
	// browser, started on the first PDF and stopped by Close.
	printer *report.Printer
	// touches records the last use of sessions and tokens in the
	// background; Close waits for the writes in flight.
	touches *toucher

	// setupDone caches that a user exists, so that the first-run check
	// stops querying the store once setup is over.
	setupDone atomic.Bool
}

// Option changes how New sets up a Server.
type Option func(*Server)

// WithClock makes the server read the time from now (tests use it with the
// store's clock to move sessions through their expiry).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithMetrics makes the server record into m instead of a registry of its own.
func WithMetrics(m *Metrics) Option { return func(s *Server) { s.metrics = m } }

// New returns a server over st. The configuration must be valid (see
// Config.Validate); New does not listen.
func New(cfg Config, st *store.Store, logger *slog.Logger, opts ...Option) (*Server, error) {
	s := &Server{cfg: cfg, store: st, logger: logger, now: time.Now, touches: newToucher(logger)}
	for _, o := range opts {
		o(s)
	}
	if s.metrics == nil {
		s.metrics = NewMetrics(st.Pools())
	}
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = p
	if cfg.OIDC.Issuer != "" {
		s.oidc = newOIDCClient(cfg)
	}
	s.printer = report.NewPrinter(report.PrinterOptions{MaxTabs: maxPDFTabs})
	s.web, err = web.New(web.Options{
		Store:  st,
		Logger: logger,
		Authenticate: func(r *http.Request) (*store.User, error) {
			u, _, err := s.currentSession(r)
			return u, err
		},
		PasswordParams: cfg.PasswordParams,
		StartSession:   s.startSession,
		Now:            func() time.Time { return s.now() },
		Printer:        s.printer,
	})
	if err != nil {
		return nil, err
	}
	s.api = api.New(api.Options{
		Store:             st,
		Logger:            logger,
		Authenticate:      s.authenticate,
		SignOut:           s.signOutEverywhere,
		PasswordParams:    cfg.PasswordParams,
		ObserveScoring:    func(d time.Duration) { s.metrics.Scoring.Observe(d.Seconds()) },
		Now:               func() time.Time { return s.now() },
		Printer:           s.printer,
		BaseURL:           cfg.BaseURL,
		MaxEvidenceUpload: cfg.MaxEvidenceBytes,
	})
	return s, nil
}

// maxPDFTabs is how many PDF reports print at once, pages and API together.
const maxPDFTabs = 2

// Close waits for the last-use writes of sessions and tokens still in
// flight (each bounded by a few seconds) and stops the browser that prints
// PDF reports, if one was started. Run calls it after the last request; a
// server built with New and served some other way should call it when
// done, before closing the store. It may be called more than once.
func (s *Server) Close() error {
	s.touches.close()
	return s.printer.Close()
}

// Handler returns the server's handler: every route behind the middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	cop := http.NewCrossOriginProtection()
	if s.cfg.BaseURL != "" {
		// The public origin is trusted even when a proxy rewrites Host.
		_ = cop.AddTrustedOrigin(strings.TrimRight(s.cfg.BaseURL, "/"))
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, csmm.Errorf(csmm.EFORBIDDEN, "cross-origin request refused"))
	}))
	var h http.Handler = mux
	h = s.requireSetup(h)
	h = cop.Handler(h)
	h = securityHeaders(s.cfg.secureCookies(), h)
	return observe(s.logger, s.metrics, h)
}

// MetricsHandler serves /metrics, behind the metrics token when one is set:
// on the main address, or alone on the metrics address.
func (s *Server) MetricsHandler() http.Handler {
	return RequireToken(s.cfg.MetricsToken, s.metrics.Handler())
}

// routes registers every route of the server, the API's included.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	mux.Handle("GET /static/", staticHandler())

	mux.Handle("GET /setup", s.page(s.setupForm))
	mux.Handle("POST /setup", s.page(s.setupSubmit))
	mux.Handle("GET /login", s.page(s.loginForm))
	mux.Handle("POST /login", s.page(s.loginSubmit))
	mux.Handle("POST /logout", s.page(s.logout))
	mux.Handle("GET /auth/oidc/login", s.page(s.oidcLogin))
	mux.Handle("GET /auth/oidc/callback", s.page(s.oidcCallback))

	s.api.Register(mux)
	s.web.Register(mux)
}

// alwaysOpen are the paths served before setup: probes, metrics, static
// files and the setup page itself.
func alwaysOpen(path string) bool {
	switch path {
	case "/healthz", "/readyz", "/metrics", "/setup", api.Prefix + "/openapi.json":
		return true
	}
	return strings.HasPrefix(path, "/static/")
}

// requireSetup sends every request to /setup (the API answers 503
// setup_required) while no user exists.
func (s *Server) requireSetup(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.setupDone.Load() || alwaysOpen(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		done, err := s.checkSetup(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if done {
			next.ServeHTTP(w, r)
			return
		}
		if isAPI(r) {
			api.WriteError(w, r, s.logger, csmm.Errorf(api.ESETUP, "the server is not set up yet: create the first organization and owner at /setup"))
			return
		}
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
	})
}

// checkSetup reports whether a user exists, caching a yes.
func (s *Server) checkSetup(ctx context.Context) (bool, error) {
	if s.setupDone.Load() {
		return true, nil
	}
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		s.setupDone.Store(true)
	}
	return n > 0, nil
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// fail renders an error: JSON for the API, a short text page otherwise.
// Internal errors are logged and shown without detail.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		api.WriteError(w, r, s.logger, err)
		return
	}
	code := csmm.ErrorCode(err)
	status := api.Status(code)
	if status >= 500 {
		s.logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, csmm.ErrorMessage(err), status)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// readyz reports ready when the database answers and is fully migrated.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.store.Ready(ctx); err != nil {
		s.logger.WarnContext(ctx, "not ready", "error", err.Error())
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database not ready")
		return
	}
	fmt.Fprintln(w, "ok")
}

// Run opens the store named by cfg, serves until ctx is done or the process
// receives SIGINT or SIGTERM, then shuts down gracefully: it stops accepting
// connections and waits up to 30 seconds for requests in flight.
func Run(ctx context.Context, cfg Config, logger *slog.Logger) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer st.Close()
	if n := serveProcs(st.Dialect(), os.LookupEnv, startProcs); n != runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(n)
		if n > startProcs {
			logger.Info("processors for Go code", "gomaxprocs", n, "processors", startProcs,
				"reason", "one more than the processors, for SQLite's save batches and checkpoints")
		}
	}
	s, err := New(cfg, st, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s: %w", cfg.MetricsAddr, err)
		}
		go s.serveMetrics(ctx, mln)
	}
	return s.serve(ctx, ln)
}

// serveMetrics serves /metrics alone on its own listener until ctx ends.
func (s *Server) serveMetrics(ctx context.Context, ln net.Listener) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.MetricsHandler())
	hs := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.logger.Info("metrics listening", "addr", ln.Addr().String())
	go func() {
		<-ctx.Done()
		hs.Close()
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.logger.Error("metrics listener stopped", "error", err.Error())
	}
}

func (s *Server) serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	scheme := "http"
	if s.cfg.TLSCert != "" {
		scheme = "https"
	}
	s.logger.Info("csmm listening", "addr", ln.Addr().String(), "url", scheme+"://"+ln.Addr().String(), "database", s.store.Dialect())
	go s.sweep(ctx)

	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLSCert != "" {
			errc <- hs.ServeTLS(ln, s.cfg.TLSCert, s.cfg.TLSKey)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		s.Close()
		return fmt.Errorf("shut down: %w", err)
	}
	if err := s.Close(); err != nil {
		s.logger.Warn("stop the pdf printer", "error", err.Error())
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// sweep deletes expired sessions and old sign-in attempts every 10 minutes.
func (s *Server) sweep(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		now := s.now()
		if _, err := s.store.DeleteExpiredSessions(ctx, now.Add(-s.cfg.SessionIdle)); err != nil && ctx.Err() == nil {
			s.logger.Warn("delete expired sessions", "error", err.Error())
		}
		if _, err := s.store.PruneSignInAttempts(ctx, now.Add(-s.cfg.Limits.Window)); err != nil && ctx.Err() == nil {
			s.logger.Warn("prune sign-in attempts", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
