package web

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/store"
)

// auditFields are the fields of an entry's before and after JSON that its
// sentence uses; which are present depends on the action.
type auditFields struct {
	Name         string          `json:"name"`
	AssessmentID string          `json:"assessment_id"`
	Objective    string          `json:"objective"`
	Scope        string          `json:"scope"`
	Answer       string          `json:"answer"`
	Measure      *assess.Measure `json:"measure"`
	Target       string          `json:"target"`
	UserID       string          `json:"user_id"`
	Status       string          `json:"status"`
	Role         string          `json:"role"`
	Email        string          `json:"email"`
	Version      string          `json:"version"`
	Kind         string          `json:"kind"`
	Title        string          `json:"title"`
	OwnerID      string          `json:"owner_id"`
}

// fields reads the sentence's fields from an entry's JSON; a list or an
// unreadable value gives none.
func fields(raw json.RawMessage) (auditFields, bool) {
	var f auditFields
	if len(raw) == 0 || raw[0] != '{' {
		return f, false
	}
	// A field of another type in some action's JSON (a number where
	// another has a string) leaves that field empty, the others read.
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(raw, &f); err != nil && !errors.As(err, &typeErr) {
		return auditFields{}, false
	}
	return f, true
}

// assessment names an assessment by ID as “name”, with its name from the
// entry when it no longer exists.
func (n *auditNamer) assessment(id, fallback string) string {
	if a, ok := n.assessments[id]; ok {
		if n.deleted[id] {
			return "“" + a.Name + "” (deleted)"
		}
		return "“" + a.Name + "”"
	}
	if fallback != "" {
		return "“" + fallback + "” (deleted)"
	}
	if id == "" {
		return "an assessment"
	}
	return "a deleted assessment"
}

// scope names a scope of an assessment as people read it.
func (n *auditNamer) scope(assessmentID, id string) string {
	if a, ok := n.assessments[assessmentID]; ok {
		for _, sc := range a.Scopes {
			if sc.ID == id {
				return scopeName(sc)
			}
		}
	}
	return id
}

// describe returns the thing an entry is about and a sentence saying what
// happened, with names rather than IDs: "Alice changed the answer of
// IAM-3.1 in Production of “Q3 review” to Most".
func (n *auditNamer) describe(e store.AuditEntry) (target, text string) {
	// A name or an email stays as written; only the system gets a capital.
	who := n.person(e.ActorUserID)
	if e.ActorUserID == "" {
		who = "The system"
	}
	if e.ActorTokenID != "" {
		who += " (with " + n.token(e.ActorTokenID) + ")"
	}
	before, hasBefore := fields(e.Before)
	after, hasAfter := fields(e.After)
	cur := after
	if !hasAfter {
		cur = before
	}
	switch e.TargetType {
	case "answer":
		aid, obj, scope := splitAnswerTarget(e.TargetID)
		target = obj + " in " + n.scope(aid, scope) + " of " + n.assessment(aid, "")
		switch {
		case e.Action == "answer.review":
			return target, who + " marked the answer of " + target + " reviewed"
		case e.Action == "answer.unreview":
			return target, who + " cleared the review mark of " + target
		case e.Action == "answer.delete":
			return target, who + " cleared the answer of " + target
		case !hasBefore || (before.Answer == "" && before.Measure == nil):
			return target, who + " answered " + target + answerSuffix(after)
		default:
			return target, who + " changed the answer of " + target + answerSuffix(after)
		}
	case "assessment":
		target = n.assessment(e.TargetID, cur.Name)
		switch e.Action {
		case "assessment.create":
			return target, who + " created the assessment " + target
		case "assessment.update":
			if hasBefore && hasAfter && before.Name != after.Name {
				return target, who + " renamed the assessment “" + before.Name + "” to “" + after.Name + "”"
			}
			return target, who + " changed the settings of " + target
		case "assessment.scopes":
			return target, who + " changed the scopes of " + target + scopeChange(e.Before, e.After)
		case "assessment.targets":
			return target, who + " changed the targets of " + target
		case "assessment.archive":
			return target, who + " archived " + target
		case "assessment.unarchive":
			return target, who + " restored " + target + " from the archive"
		case "assessment.migrate":
			return target, who + " moved " + target + " to another model version"
		case "assessment.delete":
			return target, who + " deleted the assessment " + target
		case "assignment.set":
			if hasAfter {
				return target, who + " assigned " + after.Target + " of " + target + " to " + n.person(after.UserID)
			}
			return target, who + " removed the assignment of " + before.Target + " in " + target
		case "roadmap_item.set":
			work := "the roadmap work on " + cur.Objective + " of " + target
			if hasAfter && after.Status != "" {
				work += " (" + strings.ReplaceAll(after.Status, "_", " ")
				if after.OwnerID != "" {
					work += ", " + n.person(after.OwnerID)
				}
				work += ")"
			}
			return target, who + " updated " + work
		case "evidence.replace":
			return target, who + " imported scanner evidence into " + target
		case "evidence.delete":
			return target, who + " removed scanner evidence from " + target
		}
	case "exemption":
		target = cur.Objective + " of " + n.assessment(cur.AssessmentID, "")
		switch e.Action {
		case "exemption.request":
			return target, who + " requested an exemption for " + target
		case "exemption.decide":
			return target, who + " " + decisionVerb(after.Status) + " the exemption of " + target
		case "exemption.import":
			return target, who + " imported an exemption for " + target
		case "exemption.delete":
			return target, who + " deleted the exemption of " + target
		}
	case "attachment":
		thing := "the link"
		if cur.Kind == "file" {
			thing = "the file"
		}
		thing += " “" + cur.Title + "”"
		target = cur.Objective + " of " + n.assessment(cur.AssessmentID, "")
		switch e.Action {
		case "attachment.add":
			return target, who + " added " + thing + " to " + target
		case "attachment.delete":
			return target, who + " removed " + thing + " from " + target
		}
	case "snapshot":
		target = "a snapshot of " + n.assessment(cur.AssessmentID, "")
		return target, who + " finalized " + target
	case "user":
		target = n.user(e.TargetID)
		p := n.person(e.TargetID)
		switch e.Action {
		case "membership.create":
			return target, who + " added " + p + " as " + cur.Role
		case "membership.update":
			return target, who + " changed the role of " + p + " from " + before.Role + " to " + after.Role
		case "membership.delete":
			return target, who + " removed " + p + " from the organization"
		case "user.create":
			return target, who + " created the account of " + p
		case "user.password":
			if e.TargetID == e.ActorUserID {
				return target, who + " changed their password"
			}
			return target, who + " changed the password of " + p
		case "user.update":
			return target, who + " changed the account of " + p
		}
	case "api_token":
		target = n.token(e.TargetID)
		switch e.Action {
		case "api_token.create":
			return target, who + " created " + target
		case "api_token.revoke":
			return target, who + " revoked " + target
		}
	case "model":
		target = "the custom model " + strings.TrimSpace(cur.Name+" "+cur.Version)
		switch e.Action {
		case "model.create":
			return target, who + " uploaded " + target
		case "model.delete":
			return target, who + " deleted " + target
		}
	case "organization":
		target = "the organization"
		switch e.Action {
		case "organization.create":
			return target, who + " created the organization"
		case "organization.profile":
			return target, who + " changed the organization's benchmark profile"
		case "organization.update":
			return target, who + " changed the organization"
		}
	}
	if target == "" {
		target = e.TargetType + " " + e.TargetID
	}
	return target, who + " did " + e.Action + " on " + target
}

// splitAnswerTarget splits an answer's audit target, assessment/objective/scope.
func splitAnswerTarget(id string) (assessmentID, objective, scope string) {
	parts := strings.SplitN(id, "/", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return parts[0], parts[1], parts[2]
}

// answerSuffix says what an answer became: " to Most", " to 87/120".
func answerSuffix(f auditFields) string {
	switch {
	case f.Measure != nil:
		return " to " + f.Measure.String()
	case f.Answer != "":
		return " to " + answerLabel(assess.Answer(f.Answer))
	}
	return ""
}

// decisionVerb is what a decision did.
func decisionVerb(status string) string {
	switch status {
	case store.ExemptionApproved:
		return "approved"
	case store.ExemptionRefused:
		return "refused"
	}
	return "decided"
}

// scopeChange lists the scopes added and removed: ": added Staging,
// removed dev", or "" when only names or weights changed.
func scopeChange(beforeRaw, afterRaw json.RawMessage) string {
	var before, after []store.Scope
	_ = json.Unmarshal(beforeRaw, &before)
	_ = json.Unmarshal(afterRaw, &after)
	ids := func(l []store.Scope) map[string]bool {
		m := map[string]bool{}
		for _, sc := range l {
			m[sc.ID] = true
		}
		return m
	}
	was, is := ids(before), ids(after)
	var parts []string
	var added, removed []string
	for _, sc := range after {
		if !was[sc.ID] {
			added = append(added, scopeName(sc))
		}
	}
	for _, sc := range before {
		if !is[sc.ID] {
			removed = append(removed, scopeName(sc))
		}
	}
	if len(added) > 0 {
		parts = append(parts, "added "+strings.Join(added, ", "))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+strings.Join(removed, ", "))
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, "; ")
}
