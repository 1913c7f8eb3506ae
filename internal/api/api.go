package api

import (
	"context"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/report"
	"github.com/csmm/csmm/internal/reportcache"
	"github.com/csmm/csmm/internal/store"
)

// Prefix is the path every API route starts with.
const Prefix = "/api/v1"

// Principal is who makes a request: a user signed in with a browser session,
// or a user's API token (scoped to one organization and role).
type Principal struct {
	User *store.User
	// SessionID is set when the request came with a session cookie.
	SessionID string
	// Token is set when the request came with an API token.
	Token *store.APIToken
	// Org is the organization the request names when the caller may act in
	// it (a member; for a token, the token's organization), else nil.
	Org *store.Organization
	// Role is the user's membership role in Org; the API caps a token's
	// at the token's role.
	Role csmm.Role
	// Assessment is the assessment Authenticate was asked for, and
	// Revision its revision read with the caller's access (-1 when it is
	// not an assessment of Org).
	Assessment string
	Revision   int64
}

// Options are what the API needs from the server.
type Options struct {
	Store  *store.Store
	Logger *slog.Logger
	// Authenticate identifies the caller, or returns an unauthorized error.
	// org is the {org} of the route's path (an organization ID or slug), ""
	// for a route outside an organization; Authenticate sets the
	// Principal's Org and Role when the caller may act in it, and leaves
	// them empty otherwise, ideally reading all of it with one query.
	// assessment, when not "", is the {id} of a read-only route under
	// /assessments/{id}: Authenticate reads its revision with the access
	// (Principal.Revision), which saves the score routes a query.
	Authenticate func(r *http.Request, org, assessment string) (*Principal, error)
	// SignOut ends every session of a user.
	SignOut func(ctx context.Context, userID string) error
	// PasswordParams are the argon2id costs of a changed password.
	PasswordParams identity.PasswordParams
	// ObserveScoring records how long scoring took; may be nil.
	ObserveScoring func(time.Duration)
	// Now is the clock: today's date is the default as-of date of scores.
	Now func() time.Time
	// BaseURL is the server's public URL (https://csmm.example.com), the
	// base of the document's server; "" for a base relative to the
	// document's own address.
	BaseURL string
	// Printer prints PDF reports in a browser kept running, shared with the
	// web pages; nil starts a browser for each PDF, at most two at once.
	Printer *report.Printer
	// MaxEvidenceUpload bounds a scanner file posted to importEvidence, in
	// bytes as sent; service.DefaultMaxEvidenceUpload (2 GiB) when 0.
	MaxEvidenceUpload int64
}

// API serves the JSON API.
type API struct {
	o      Options
	routes []route
	// pdfSlots bounds how many PDF reports print at once.
	pdfSlots chan struct{}
	// scores are scored assessments by organization, revision and as-of date.
	scores *reportcache.Cache[*scored]
	// scoreJSON is getScore's JSON by organization, revision and as-of date.
	scoreJSON *reportcache.Cache[*sharedScore]
	// compared are comparisons of two snapshots (which never change) as
	// JSON, by organization, from and to.
	compared *reportcache.Cache[[]byte]
}

// maxPDFPrints is how many PDF reports print at once; each runs a browser.
const maxPDFPrints = 2

// New returns the API over the options' store.
func New(o Options) *API {
	if o.Now == nil {
		o.Now = time.Now
	}
	a := &API{o: o, pdfSlots: make(chan struct{}, maxPDFPrints), scores: reportcache.New[*scored](defaultScoreCacheBytes),
		scoreJSON: reportcache.NewWithDrop(defaultScoreJSONBytes, (*sharedScore).done), compared: reportcache.New[[]byte](comparedCacheBytes)}
	a.routes = a.table()
	return a
}

// Registrar is where routes are registered: an *http.ServeMux.
type Registrar interface {
	Handle(pattern string, handler http.Handler)
}

// Register adds every API route to mux, each with a Go 1.22 method pattern,
// and a catch-all under the prefix that answers not_found in JSON.
func (a *API) Register(mux Registrar) {
	for _, rt := range a.routes {
		mux.Handle(rt.Method+" "+Prefix+rt.Path, a.wrap(rt))
	}
	mux.Handle(Prefix+"/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, a.o.Logger, csmm.Errorf(csmm.ENOTFOUND, "no API route %s %s", r.Method, r.URL.Path))
	}))
}

// route is one operation of the API: the table row that registers it,
// documents it in OpenAPI and says who may call it.
type route struct {
	Method      string
	Path        string // under Prefix, with {name} wildcards
	OperationID string
	// Summary is a line; Description says more: defaults, rules, errors.
	Summary     string
	Description string
	// Tag groups the operation in the document.
	Tag string
	// Perm is what the caller's role in {org} must allow; "" for routes
	// outside an organization.
	Perm identity.Permission
	// Public routes need no credentials.
	Public bool
	// Body is the media type of the request body, "" for none.
	Body string
	// In is the Go type of a JSON request body.
	In reflect.Type
	// Produces lists the media types of a successful response (JSON when empty).
	Produces []string
	// Out is the Go type of a successful JSON response; nil for none.
	Out reflect.Type
	// Status is the status of success; 200 when 0.
	Status int
	// Errors lists the 4xx statuses the route answers besides those every
	// route of its kind does (see errorStatuses).
	Errors []int
	// Query lists the query parameters the route reads.
	Query  []queryParam
	Handle func(*call) error
}

// queryParam is a query parameter of a route, for the OpenAPI document.
type queryParam struct {
	Name        string
	Description string
	// Enum lists the values allowed, when they are few.
	Enum []string
	// Format is the OpenAPI string format ("date"), if any.
	Format string
	// Type is the JSON type of the value; string when empty.
	Type string
	// Required parameters must be present.
	Required bool
}

// call is one request being served.
type call struct {
	w     http.ResponseWriter
	r     *http.Request
	who   *Principal
	org   *store.Organization
	role  csmm.Role
	actor store.Actor
}

// ctx returns the request's context.
func (c *call) ctx() context.Context { return c.r.Context() }

// wrap authenticates, resolves the organization and checks the role before
// the handler, and renders the handler's error.
func (a *API) wrap(rt route) http.Handler {
	// What the route's path says of every request to it.
	in := routeScope{org: strings.Contains(rt.Path, "{org}")}
	in.assessment = in.org && rt.Method == http.MethodGet && strings.Contains(rt.Path, "/assessments/{id}")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r}
		if err := checkPretty(r); err != nil {
			WriteError(w, r, a.o.Logger, err)
			return
		}
		if err := a.authorize(c, rt, in); err != nil {
			WriteError(w, r, a.o.Logger, err)
			return
		}
		if err := rt.Handle(c); err != nil {
			WriteError(w, r, a.o.Logger, err)
		}
	})
}

// checkPretty refuses a pretty parameter that is not a boolean, before
// the route does anything.
func checkPretty(r *http.Request) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	q := r.URL.Query()
	if !q.Has("pretty") {
		return nil
	}
	if _, err := strconv.ParseBool(q.Get("pretty")); err != nil {
		return csmm.Errorf(csmm.EINVALID, "pretty %q: expected true or false (1 or 0)", q.Get("pretty"))
	}
	return nil
}

// errOrgNotFound is the answer for an organization the caller cannot see,
// whether or not it exists.
func errOrgNotFound(ref string) error {
	return csmm.Errorf(csmm.ENOTFOUND, "organization %q not found", ref)
}

// routeScope is what a route's path names: an organization ({org}), and
// for a GET route, an assessment of it whose revision the caller's access
// reads (/assessments/{id}).
type routeScope struct{ org, assessment bool }

func (a *API) authorize(c *call, rt route, in routeScope) error {
	if rt.Public {
		return nil
	}
	inOrg := in.org
	ref := ""
	if inOrg {
		ref = c.r.PathValue("org")
	}
	assessment := ""
	if in.assessment {
		assessment = c.r.PathValue("id")
	}
	who, err := a.o.Authenticate(c.r, ref, assessment)
	if err != nil {
		return err
	}
	c.who = who
	c.actor = store.Actor{UserID: who.User.ID, RemoteAddr: remoteHost(c.r)}
	if who.Token != nil {
		c.actor.TokenID = who.Token.ID
	}
	if !inOrg {
		return nil
	}
	org := who.Org
	if org == nil || ref == "" || (org.ID != ref && org.Slug != ref) || !who.Role.Valid() {
		return errOrgNotFound(ref)
	}
	if who.Token != nil && who.Token.OrgID != org.ID {
		return errOrgNotFound(ref)
	}
	c.org, c.role = org, who.Role
	if who.Token != nil && identity.Rank(who.Token.Role) < identity.Rank(c.role) {
		// A token acts with its own role, never above its user's current one.
		c.role = who.Token.Role
	}
	if !identity.Can(c.role, rt.Perm) {
		min, _ := identity.MinRole(rt.Perm)
		return csmm.Errorf(csmm.EFORBIDDEN, "this needs the %s role or higher in %s; you have %s", min, org.Name, c.role)
	}
	return nil
}

func remoteHost(r *http.Request) string {
	if i := strings.LastIndexByte(r.RemoteAddr, ':'); i >= 0 {
		return strings.Trim(r.RemoteAddr[:i], "[]")
	}
	return r.RemoteAddr
}
