// Package web is the server-rendered interface of csmm: the pages where
// people start an assessment, answer objectives scope by scope, request and
// decide exemptions and read the report; an organization's settings
// (members, API tokens, custom models, audit log); a user's account and
// the list of their organizations. Every page works without
// JavaScript; one static script adds autosave and live progress. Templates
// are embedded and parsed once; every route is registered in Register, one
// handler file per page.
//
// Pages are scoped to an organization by its slug (/o/{org}/...) and check
// the caller's membership on every request: another organization's
// assessment is not found, never forbidden, so IDs cannot be probed. Scoring
// and the report come from packages assess and report; storage from package
// store. This package only assembles and shows.
package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/reportcache"
	"github.com/csmm/csmm/internal/store"
)

// Options are what the pages need from the server.
type Options struct {
	// Store keeps every organization's data.
	Store *store.Store
	// Logger receives internal errors; users see a generic message.
	Logger *slog.Logger
	// Authenticate returns the signed-in user of a request, or an error with
	// code unauthorized when there is none (the page then redirects to /login).
	Authenticate func(*http.Request) (*store.User, error)
	// Now is the clock: the as-of date of scores and the report's time.
	Now func() time.Time
	// ChromiumPath is the browser that prints PDF exports; "" finds it on PATH.
	ChromiumPath string
	// ReportCacheBytes bounds the rendered reports kept in memory; 0 means 32 MiB.
	ReportCacheBytes int64
	// Printer prints PDF exports in a browser kept running, shared with the
	// API; nil starts a browser for each PDF.
	Printer *report.Printer
	// PasswordParams are the argon2id costs of the passwords the pages set
	// (a changed password, a new member's one-time password); zero means
	// identity.DefaultPasswordParams.
	PasswordParams identity.PasswordParams
	// StartSession signs the browser of a request in as the user with a new
	// session. A password change ends every session of the user; this keeps
	// the browser that made the change signed in. When nil, that browser is
	// sent to the sign-in page instead.
	StartSession func(http.ResponseWriter, *http.Request, *store.User) error
}

// Handler serves the pages. Build it with New and mount it with Register.
type Handler struct {
	store   *store.Store
	logger  *slog.Logger
	auth    func(*http.Request) (*store.User, error)
	now     func() time.Time
	pages   *pages
	presets []Preset
	// reports are rendered report pages by organization, assessment
	// revision, as-of date and scope.
	reports *reportcache.Cache[*reportPage]
	// printer prints PDF exports; nil starts a browser for each.
	printer *report.Printer
	// passwords and startSession serve the account and member pages.
	passwords    identity.PasswordParams
	startSession func(http.ResponseWriter, *http.Request, *store.User) error
}

// New parses the templates and the profile presets once; an error means the
// embedded files are broken, which the tests prevent.
func New(o Options) (*Handler, error) {
	if o.Store == nil || o.Authenticate == nil {
		return nil, errors.New("web: a store and an authenticate function are required")
	}
	h := &Handler{store: o.Store, logger: o.Logger, auth: o.Authenticate, now: o.Now,
		passwords: o.PasswordParams, startSession: o.StartSession}
	if h.passwords == (identity.PasswordParams{}) {
		h.passwords = identity.DefaultPasswordParams
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.printer = o.Printer
	size := o.ReportCacheBytes
	if size <= 0 {
		size = defaultReportCacheBytes
	}
	h.reports = reportcache.New[*reportPage](size)
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	h.pages = p
	if h.presets, err = LoadPresets(); err != nil {
		return nil, err
	}
	return h, nil
}

// Register adds every route of the web interface to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /static/web/", staticHandler())
	mux.Handle("GET /favicon.ico", faviconHandler())
	// A page that does not exist is the error page, with the header of a
	// signed-in user, not the mux's plain text.
	mux.Handle("/", h.page(func(http.ResponseWriter, *http.Request) error { return errNotFound("page") }))

	mux.Handle("GET /{$}", h.page(h.home))
	mux.Handle("GET /account", h.page(h.account))
	mux.Handle("POST /account/password", h.page(h.passwordChange))

	mux.Handle("GET /o/{org}/{$}", h.page(h.orgHome))
	mux.Handle("GET /o/{org}/assessments", h.page(h.assessmentList))
	mux.Handle("GET /o/{org}/assessments/new", h.page(h.assessmentNew))
	mux.Handle("POST /o/{org}/assessments", h.page(h.assessmentCreate))
	mux.Handle("GET /o/{org}/assessments/{id}", h.page(h.overview))
	mux.Handle("GET /o/{org}/assessments/{id}/manage", h.page(h.manage))
	mux.Handle("POST /o/{org}/assessments/{id}/rename", h.page(h.rename))
	mux.Handle("POST /o/{org}/assessments/{id}/archive", h.page(h.archive))
	mux.Handle("GET /o/{org}/assessments/{id}/delete", h.page(h.deleteConfirm))
	mux.Handle("POST /o/{org}/assessments/{id}/delete", h.page(h.deleteAssessment))
	mux.Handle("POST /o/{org}/assessments/{id}/scopes", h.page(h.scopeSave))
	mux.Handle("GET /o/{org}/assessments/{id}/scopes/{scope}/remove", h.page(h.scopeRemoveConfirm))
	mux.Handle("POST /o/{org}/assessments/{id}/scopes/{scope}/remove", h.page(h.scopeRemove))
	mux.Handle("GET /o/{org}/assessments/{id}/targets", h.page(h.targets))
	mux.Handle("POST /o/{org}/assessments/{id}/targets", h.page(h.targetSave))
	mux.Handle("GET /o/{org}/assessments/{id}/categories/{cat}", h.page(h.category))
	mux.Handle("POST /o/{org}/assessments/{id}/objectives/{obj}/answer", h.page(h.answerSave))
	mux.Handle("POST /o/{org}/assessments/{id}/assignments", h.page(h.assign))
	mux.Handle("POST /o/{org}/assessments/{id}/objectives/{obj}/links", h.page(h.linkAdd))
	mux.Handle("POST /o/{org}/assessments/{id}/objectives/{obj}/files", h.page(h.fileAdd))
	mux.Handle("POST /o/{org}/assessments/{id}/objectives/{obj}/review", h.page(h.reviewSave))
	mux.Handle("GET /o/{org}/assessments/{id}/attachments/{att}", h.page(h.attachmentDownload))
	mux.Handle("POST /o/{org}/assessments/{id}/attachments/{att}/delete", h.page(h.attachmentDelete))
	mux.Handle("GET /o/{org}/assessments/{id}/roadmap", h.page(h.roadmap))
	mux.Handle("POST /o/{org}/assessments/{id}/roadmap/{obj}", h.page(h.roadmapSave))
	mux.Handle("POST /o/{org}/assessments/{id}/objectives/{obj}/exemption", h.page(h.exemptionRequest))
	mux.Handle("GET /o/{org}/assessments/{id}/exemptions", h.page(h.exemptions))
	mux.Handle("POST /o/{org}/assessments/{id}/exemptions/{ex}", h.page(h.exemptionDecide))
	mux.Handle("GET /o/{org}/assessments/{id}/evidence", h.page(h.evidencePage))
	mux.Handle("POST /o/{org}/assessments/{id}/evidence", h.page(h.evidenceUpload))
	mux.Handle("POST /o/{org}/assessments/{id}/evidence/remove", h.page(h.evidenceRemove))
	mux.Handle("GET /o/{org}/assessments/{id}/report", h.page(h.report))
	mux.Handle("GET /o/{org}/assessments/{id}/export/{format}", h.page(h.export))

	mux.Handle("GET /o/{org}/assessments/{id}/snapshots", h.page(h.snapshots))
	mux.Handle("POST /o/{org}/assessments/{id}/snapshots", h.page(h.finalize))
	mux.Handle("GET /o/{org}/assessments/{id}/trend", h.page(h.trend))
	mux.Handle("GET /o/{org}/snapshots", h.page(h.snapshots))
	mux.Handle("GET /o/{org}/snapshots/{snap}", h.page(h.snapshotPage))
	mux.Handle("GET /o/{org}/trend", h.page(h.trend))
	mux.Handle("GET /o/{org}/compare", h.page(h.compare))
	mux.Handle("GET /o/{org}/compare/export", h.page(h.compareExport))
	mux.Handle("GET /o/{org}/benchmark", h.page(h.benchmarkPage))
	mux.Handle("POST /o/{org}/benchmark/profile", h.page(h.profileSave))

	mux.Handle("GET /o/{org}/settings", h.page(h.settings))
	mux.Handle("GET /o/{org}/settings/members", h.page(h.members))
	mux.Handle("POST /o/{org}/settings/members", h.page(h.memberAdd))
	mux.Handle("POST /o/{org}/settings/members/{user}/role", h.page(h.memberRole))
	mux.Handle("POST /o/{org}/settings/members/{user}/remove", h.page(h.memberRemove))
	mux.Handle("GET /o/{org}/settings/tokens", h.page(h.tokens))
	mux.Handle("POST /o/{org}/settings/tokens", h.page(h.tokenCreate))
	mux.Handle("POST /o/{org}/settings/tokens/{token}/revoke", h.page(h.tokenRevoke))
	mux.Handle("GET /o/{org}/settings/models", h.page(h.models))
	mux.Handle("POST /o/{org}/settings/models", h.page(h.modelUpload))
	mux.Handle("GET /o/{org}/settings/audit", h.page(h.audit))
}

// caller is the signed-in user acting in one organization.
type caller struct {
	User *store.User
	Org  *store.Organization
	Role csmm.Role
	// ReadOnly is set on the pages of an archived assessment: they show
	// no forms that change it (the store refuses such changes anyway).
	ReadOnly bool
}

// Can reports whether the caller's role grants a permission.
func (c *caller) Can(p identity.Permission) bool { return identity.Can(c.Role, p) }

// CanAnswer, CanRequest and CanManage are for templates.
// On an archived assessment's pages they are false.
func (c *caller) CanAnswer() bool  { return !c.ReadOnly && c.Can(identity.PermAnswer) }
func (c *caller) CanRequest() bool { return !c.ReadOnly && c.Can(identity.PermRequestExemption) }
func (c *caller) CanManage() bool  { return !c.ReadOnly && c.Can(identity.PermManageAssessments) }
func (c *caller) CanDecide() bool  { return !c.ReadOnly && c.Can(identity.PermDecideExemption) }

// CanReview is for templates: the caller may mark answers reviewed.
func (c *caller) CanReview() bool { return c.Can(identity.PermReviewAnswers) }

// actor is the caller as the audit log records it.
func (c *caller) actor(r *http.Request) store.Actor {
	return store.Actor{UserID: c.User.ID, RemoteAddr: r.RemoteAddr}
}

// displayName is how answers record who gave them.
func (c *caller) displayName() string {
	if c.User.Name != "" {
		return c.User.Name
	}
	return c.User.Email
}

// errNotFound hides whether a thing exists in another organization.
func errNotFound(what string) error { return csmm.Errorf(csmm.ENOTFOUND, "%s not found", what) }

// member identifies the caller and checks their membership of the
// organization in the path. A non-member gets not_found.
func (h *Handler) member(r *http.Request) (*caller, error) {
	u, err := h.auth(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	org, err := h.store.GetOrganizationBySlug(ctx, r.PathValue("org"))
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return nil, errNotFound("organization")
	} else if err != nil {
		return nil, err
	}
	m, err := h.store.GetMembership(ctx, org.ID, u.ID)
	if csmm.ErrorCode(err) == csmm.ENOTFOUND {
		return nil, errNotFound("organization")
	} else if err != nil {
		return nil, err
	}
	return &caller{User: u, Org: org, Role: m.Role}, nil
}

// require returns forbidden unless the caller holds the permission.
func (c *caller) require(p identity.Permission) error {
	if c.Can(p) {
		return nil
	}
	min, _ := identity.MinRole(p)
	return csmm.Errorf(csmm.EFORBIDDEN, "your role %s may not do this; it needs the role %s or higher", c.Role, min)
}

// page adapts a handler that returns an error: unauthorized redirects to the
// sign-in page, any other error is rendered as an error page with the
// status of its code. Internal details are logged, never shown.
func (h *Handler) page(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		code := csmm.ErrorCode(err)
		if code == csmm.EUNAUTHORIZED && r.Method == http.MethodGet {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		status := api.Status(code)
		if status >= 500 {
			h.logger.ErrorContext(r.Context(), "page failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
		}
		if wantsJSON(r) {
			api.WriteError(w, r, h.logger, err)
			return
		}
		data := errorData{base: base{Title: http.StatusText(status)}, Message: sentence(csmm.ErrorMessage(err)), Status: status}
		// The error page keeps the header of a signed-in user.
		if code != csmm.EUNAUTHORIZED {
			if c, merr := h.member(r); merr == nil {
				data.Caller = c
			} else if u, aerr := h.auth(r); aerr == nil {
				data.Caller = &caller{User: u}
			}
		}
		if rerr := h.render(w, status, h.pages.error, data); rerr != nil {
			h.logger.ErrorContext(r.Context(), "render error page", "error", rerr.Error())
		}
	})
}

// sentence starts a message with a capital letter.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// errorData is the error page.
type errorData struct {
	base
	Message string
	Status  int
}

// wantsJSON reports whether the request came from the page script, which
// asks for JSON so it can update the page in place.
func wantsJSON(r *http.Request) bool { return r.Header.Get("Accept") == "application/json" }

// render executes a page into a buffer first, so a template error becomes a
// clean error page instead of half a page.
func (h *Handler) render(w http.ResponseWriter, status int, t *template.Template, data any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "page", data); err != nil {
		return fmt.Errorf("render %s: %w", t.Name(), err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// redirect answers a form POST with 303 See Other to a page.
func redirect(w http.ResponseWriter, r *http.Request, path string) error {
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// orgHome sends the organization's root to its assessments.
func (h *Handler) orgHome(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	return redirect(w, r, orgPath(c.Org)+"/assessments")
}

// orgPath is the root of an organization's pages.
func orgPath(o *store.Organization) string { return "/o/" + url.PathEscape(o.Slug) }

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded directory exists at build time
	}
	fsrv := http.StripPrefix("/static/web/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

// faviconHandler serves the site's icon at /favicon.ico, where browsers
// look for it on pages without a link (a PDF, a JSON answer), cached for
// a day.
func faviconHandler() http.Handler {
	icon, err := staticFS.ReadFile("static/favicon.svg")
	if err != nil {
		panic(err) // the embedded file exists at build time
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, _ = w.Write(icon)
	})
}
