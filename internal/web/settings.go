package web

import (
	"net/http"

	"github.com/csmm/csmm/internal/identity"
)

// section is one page of an organization's settings and the permission
// that opens it. Each page checks its own permission again on every
// request, for reading and for each change.
type section struct {
	ID    string
	Label string
	About string
	Perm  identity.Permission
}

// sections are the settings pages in the order of their tabs. The member
// list is for admins and owners (identity.PermManageSettings); only owners
// change it (identity.PermManageMembers).
var sections = []section{
	{ID: "members", Label: "Members", About: "Who belongs to the organization, with which role.", Perm: identity.PermManageSettings},
	{ID: "tokens", Label: "API tokens", About: "Credentials for scripts and pipelines that call the API.", Perm: identity.PermManageTokens},
	{ID: "models", Label: "Custom models", About: "Maturity models uploaded as YAML, which new assessments may use.", Perm: identity.PermRead},
	{ID: "audit", Label: "Audit log", About: "Every change made in the organization: who, what, when and from where.", Perm: identity.PermReadAudit},
}

// settingsPath is the root of an organization's settings.
func settingsPath(c *caller) string { return orgPath(c.Org) + "/settings" }

// settingsBase is the frame of a settings page: its title, the trail and
// the tabs of the sections the caller may open, current marked.
func settingsBase(c *caller, current, title string) base {
	b := base{Title: title, Caller: c, Crumbs: c.crumbs(crumb{Label: "Settings", Href: settingsPath(c)})}
	for _, s := range sections {
		if c.Can(s.Perm) {
			b.Sections = append(b.Sections, tab{Label: s.Label, Href: settingsPath(c) + "/" + s.ID, Current: s.ID == current})
		}
	}
	return b
}

// settingsData is the settings index: the sections the caller may open.
type settingsData struct {
	base
	Links []settingsLink
}

// settingsLink is one section on the index.
type settingsLink struct {
	Label string
	Href  string
	About string
}

// settings lists the sections of the organization's settings open to the
// caller's role.
func (h *Handler) settings(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	d := settingsData{base: base{Title: "Settings", Caller: c, Crumbs: c.crumbs()}}
	for _, s := range sections {
		if c.Can(s.Perm) {
			d.Links = append(d.Links, settingsLink{Label: s.Label, Href: settingsPath(c) + "/" + s.ID, About: s.About})
		}
	}
	return h.render(w, http.StatusOK, h.pages.settings, d)
}

// notices are the confirmations a settings page shows after a change,
// chosen by the done= query parameter of the redirect. Only these fixed
// texts are shown, so a link cannot put words on the page.
var notices = map[string]string{
	"added":    "The member was added.",
	"role":     "The role was changed.",
	"removed":  "The member was removed.",
	"revoked":  "The API token was revoked.",
	"uploaded": "The model was uploaded. New assessments may use it.",
	"password": "Your password was changed. Every other session was signed out.",
	// The assessment's administration page and the list.
	"renamed":       "The assessment was renamed.",
	"archived":      "The assessment was archived. It is read-only until it is restored.",
	"restored":      "The assessment was restored. It can be changed again.",
	"scope-added":   "The scope was added.",
	"scope-saved":   "The scope was saved.",
	"scope-removed": "The scope was removed with its answers.",
	"deleted":       "The assessment was deleted.",
}

// notice is the confirmation named by the request's done= parameter.
func notice(r *http.Request) string { return notices[r.URL.Query().Get("done")] }
