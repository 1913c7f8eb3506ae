package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/api"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/store"
)

// auditPageSize is how many entries one page of the audit log shows.
const auditPageSize = 50

// auditData is one page of the organization's audit log, newest first,
// with the filters of the API's listAudit as a form.
type auditData struct {
	base
	Entries []auditRow
	// Next is the link to older entries, "" on the last page; Newest goes
	// back to the first page, "" on it. Both keep the filters.
	Next   string
	Newest string
	Filter auditFilterForm
}

// auditFilterForm is the filter form: the values chosen and the choices.
type auditFilterForm struct {
	Action, Actor, TargetType, TargetID, From, To string
	Actions                                       []option
	Actors                                        []option
	TargetTypes                                   []option
	// Active is true when any filter is set; Clear resets them.
	Active bool
	Clear  string
}

// option is one choice of a select.
type option struct {
	Value, Label string
}

// auditRow is one audit entry as shown: when, a sentence saying who did
// what to what ("Alice changed the answer of IAM-3.1 in Production of
// “Q3”"), from where, the action's code, and the changed thing before and
// after as indented JSON.
type auditRow struct {
	At       time.Time
	Who      string
	Sentence string
	Action   string
	Target   string
	From     string
	Before   string
	After    string
}

// auditActions are the actions the log records, with what they say.
var auditActions = []option{
	{"answer.put", "answered or changed an answer"},
	{"answer.delete", "cleared an answer"},
	{"answer.review", "marked an answer reviewed"},
	{"answer.unreview", "cleared a review mark"},
	{"attachment.add", "added a link or file"},
	{"attachment.delete", "removed a link or file"},
	{"roadmap_item.set", "updated roadmap work"},
	{"assessment.create", "created an assessment"},
	{"assessment.update", "renamed or changed an assessment"},
	{"assessment.scopes", "changed the scopes"},
	{"assessment.targets", "changed the targets"},
	{"assessment.archive", "archived an assessment"},
	{"assessment.unarchive", "restored an assessment"},
	{"assessment.migrate", "moved an assessment to another model"},
	{"assessment.delete", "deleted an assessment"},
	{"assignment.set", "assigned work"},
	{"evidence.replace", "imported scanner evidence"},
	{"evidence.delete", "removed scanner evidence"},
	{"exemption.request", "requested an exemption"},
	{"exemption.decide", "decided an exemption"},
	{"exemption.import", "imported an exemption"},
	{"exemption.delete", "deleted an exemption"},
	{"snapshot.create", "finalized a snapshot"},
	{"membership.create", "added a member"},
	{"membership.update", "changed a member's role"},
	{"membership.delete", "removed a member"},
	{"api_token.create", "created an API token"},
	{"api_token.revoke", "revoked an API token"},
	{"model.create", "uploaded a custom model"},
	{"model.delete", "deleted a custom model"},
	{"organization.create", "created the organization"},
	{"organization.update", "changed the organization"},
	{"organization.profile", "changed the benchmark profile"},
	{"benchmark.import", "imported a benchmark"},
	{"user.create", "created an account"},
	{"user.update", "changed an account"},
	{"user.password", "changed a password"},
}

// auditTargetTypes are the kinds of thing entries are about.
var auditTargetTypes = []option{
	{"assessment", "An assessment"}, {"answer", "An answer"}, {"exemption", "An exemption"}, {"snapshot", "A snapshot"},
	{"user", "A user"}, {"api_token", "An API token"}, {"model", "A custom model"}, {"organization", "The organization"},
	{"benchmark", "A benchmark"}, {"attachment", "A link or file"},
}

// audit shows the audit log to admins and owners, a page at a time,
// filtered as the API's listAudit filters it.
func (h *Handler) audit(w http.ResponseWriter, r *http.Request) error {
	c, err := h.member(r)
	if err != nil {
		return err
	}
	if err := c.require(identity.PermReadAudit); err != nil {
		return err
	}
	ctx := r.Context()
	q := r.URL.Query()
	ff := auditFilterForm{Action: q.Get("action"), Actor: q.Get("actor"), TargetType: q.Get("target_type"),
		TargetID: strings.TrimSpace(q.Get("target_id")), From: q.Get("from"), To: q.Get("to"),
		Actions: auditActions, TargetTypes: auditTargetTypes}
	f := store.AuditFilter{Action: ff.Action, ActorID: ff.Actor, TargetType: ff.TargetType, TargetID: ff.TargetID,
		Cursor: q.Get("cursor"), Limit: auditPageSize}
	if f.Since, f.Before, err = api.AuditDays(ff.From, ff.To); err != nil {
		return err
	}
	page, err := h.store.ListAudit(ctx, c.Org.ID, f)
	if err != nil {
		return err
	}
	d := auditData{base: settingsBase(c, "audit", "Audit log")}
	root := settingsPath(c) + "/audit"
	keep := url.Values{}
	for k, v := range map[string]string{"action": ff.Action, "actor": ff.Actor, "target_type": ff.TargetType, "target_id": ff.TargetID, "from": ff.From, "to": ff.To} {
		if v != "" {
			keep.Set(k, v)
			ff.Active = true
		}
	}
	ff.Clear = root
	if page.NextCursor != "" {
		next := url.Values{}
		for k, v := range keep {
			next[k] = v
		}
		next.Set("cursor", page.NextCursor)
		d.Next = root + "?" + next.Encode()
	}
	if f.Cursor != "" {
		d.Newest = root
		if len(keep) > 0 {
			d.Newest += "?" + keep.Encode()
		}
	}
	names, err := h.auditNames(ctx, c, page.Entries)
	if err != nil {
		return err
	}
	for _, m := range names.members {
		ff.Actors = append(ff.Actors, option{m.User.ID, userLabel(&m.User)})
	}
	d.Filter = ff
	for _, e := range page.Entries {
		row := auditRow{At: e.At, Action: e.Action, From: e.RemoteAddr, Before: indentJSON(e.Before), After: indentJSON(e.After)}
		row.Who = names.user(e.ActorUserID)
		if e.ActorTokenID != "" {
			row.Who += " with " + names.token(e.ActorTokenID)
		}
		row.Target, row.Sentence = names.describe(e)
		d.Entries = append(d.Entries, row)
	}
	return h.render(w, http.StatusOK, h.pages.audit, d)
}

// auditNamer turns the user and token IDs of audit entries into names.
type auditNamer struct {
	users map[string]string
	// people are the users' names alone (their email without a name),
	// for sentences.
	people map[string]string
	tokens map[string]string
	// assessments are the organization's assessments by ID, archived ones
	// included; members its members, for the filter.
	assessments map[string]*store.Assessment
	members     []store.Member
	// deleted marks the assessments that exist no more, known from the
	// log's record of their deletion.
	deleted map[string]bool
}

// auditNames reads the names of the members, of the users the entries
// name who are no longer members, and of the organization's tokens.
func (h *Handler) auditNames(ctx context.Context, c *caller, entries []store.AuditEntry) (*auditNamer, error) {
	n := &auditNamer{users: map[string]string{}, people: map[string]string{}, tokens: map[string]string{},
		assessments: map[string]*store.Assessment{}, deleted: map[string]bool{}}
	ms, err := h.store.ListMembers(ctx, c.Org.ID)
	if err != nil {
		return nil, err
	}
	n.members = ms
	as, err := h.store.ListAssessments(ctx, c.Org.ID, true)
	if err != nil {
		return nil, err
	}
	for i := range as {
		n.assessments[as[i].ID] = &as[i]
	}
	// A deleted assessment's name and scopes are in the record of its
	// deletion.
	// The list holds no scopes: the assessments the entries name are read
	// whole, for their scopes' names.
	full := map[string]bool{}
	for _, e := range entries {
		id := entryAssessment(e)
		if a := n.assessments[id]; a != nil && !full[id] && !n.deleted[id] {
			full[id] = true
			whole, err := h.store.GetAssessment(ctx, c.Org.ID, id)
			if err != nil {
				return nil, err
			}
			n.assessments[id] = whole
		}
		if id == "" || n.assessments[id] != nil || n.deleted[id] {
			continue
		}
		n.deleted[id] = true
		page, err := h.store.ListAudit(ctx, c.Org.ID, store.AuditFilter{Action: "assessment.delete", TargetType: "assessment", TargetID: id, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(page.Entries) == 1 {
			var a store.Assessment
			if json.Unmarshal(page.Entries[0].Before, &a) == nil && a.Name != "" {
				n.assessments[id] = &a
			}
		}
	}
	for _, m := range ms {
		n.users[m.User.ID] = userLabel(&m.User)
		n.people[m.User.ID] = personName(&m.User)
	}
	for _, e := range entries {
		for _, id := range []string{e.ActorUserID, userTarget(e), assignedUser(e.After), assignedUser(e.Before)} {
			if _, ok := n.users[id]; ok || id == "" {
				continue
			}
			u, err := h.store.GetUser(ctx, id)
			switch {
			case err == nil:
				n.users[id] = userLabel(u)
				n.people[id] = personName(u)
			case csmm.ErrorCode(err) == csmm.ENOTFOUND:
				n.users[id] = "a deleted user (" + id + ")"
				n.people[id] = "a deleted user"
			default:
				return nil, err
			}
		}
	}
	toks, err := h.store.ListAPITokens(ctx, c.Org.ID)
	if err != nil {
		return nil, err
	}
	for _, t := range toks {
		n.tokens[t.ID] = "API token “" + t.Name + "” (" + t.Prefix + ")"
	}
	return n, nil
}

// entryAssessment is the assessment an entry concerns, "" when none.
func entryAssessment(e store.AuditEntry) string {
	switch e.TargetType {
	case "assessment":
		return e.TargetID
	case "answer":
		id, _, _ := splitAnswerTarget(e.TargetID)
		return id
	}
	f, ok := fields(e.After)
	if !ok {
		f, _ = fields(e.Before)
	}
	return f.AssessmentID
}

// assignedUser is the member of an assignment's JSON, or "".
func assignedUser(raw json.RawMessage) string {
	f, _ := fields(raw)
	return f.UserID
}

// userTarget is the user an entry is about, or "".
func userTarget(e store.AuditEntry) string {
	if e.TargetType == "user" {
		return e.TargetID
	}
	return ""
}

func userLabel(u *store.User) string {
	if u.Name == "" || u.Name == u.Email {
		return u.Email
	}
	return u.Name + " <" + u.Email + ">"
}

func (n *auditNamer) user(id string) string {
	if id == "" {
		return "the system"
	}
	if s, ok := n.users[id]; ok {
		return s
	}
	return "a former member"
}

// person is a user's name for a sentence.
func (n *auditNamer) person(id string) string {
	if id == "" {
		return "the system"
	}
	if s, ok := n.people[id]; ok {
		return s
	}
	return "a former member"
}

// personName is a user's name, or their email when they have none.
func personName(u *store.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

func (n *auditNamer) token(id string) string {
	if s, ok := n.tokens[id]; ok {
		return s
	}
	return "API token " + id
}

// indentJSON formats a stored JSON value for reading, "" when absent.
func indentJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return string(raw)
	}
	return buf.String()
}
