package web

import (
	"encoding/json"
	"testing"

	"github.com/csmm/csmm/internal/store"
)

// TestAuditSentences checks the sentence of each kind of entry, with names
// for users, assessments, scopes and tokens.
func TestAuditSentences(t *testing.T) {
	n := &auditNamer{
		users:  map[string]string{"u1": "Alice <alice@example.com>", "u2": "bob@example.com"},
		people: map[string]string{"u1": "Alice", "u2": "bob@example.com"},
		tokens: map[string]string{"t1": "API token “CI” (csmm_ab)"},
		assessments: map[string]*store.Assessment{
			"a1": {ID: "a1", Name: "Q3", Scopes: []store.Scope{{ID: "prod", Name: "Production"}, {ID: "dev"}}},
			"a2": {ID: "a2", Name: "Old"},
		},
		deleted: map[string]bool{"a2": true},
	}
	js := func(v any) json.RawMessage {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name string
		e    store.AuditEntry
		want string
	}{
		{"first answer", store.AuditEntry{ActorUserID: "u1", Action: "answer.put", TargetType: "answer", TargetID: "a1/IAM-3.1/prod",
			After: js(map[string]any{"answer": "most", "version": 1})}, "Alice answered IAM-3.1 in Production of “Q3” to Most"},
		{"changed answer", store.AuditEntry{ActorUserID: "u1", Action: "answer.put", TargetType: "answer", TargetID: "a1/IAM-3.1/dev",
			Before: js(map[string]any{"answer": "no", "version": 1}), After: js(map[string]any{"answer": "yes", "version": 2})}, "Alice changed the answer of IAM-3.1 in dev of “Q3” to Yes"},
		{"by token", store.AuditEntry{ActorUserID: "u2", ActorTokenID: "t1", Action: "answer.delete", TargetType: "answer", TargetID: "a1/IAM-3.1/prod",
			Before: js(map[string]any{"answer": "no"})}, "bob@example.com (with API token “CI” (csmm_ab)) cleared the answer of IAM-3.1 in Production of “Q3”"},
		{"deleted assessment", store.AuditEntry{ActorUserID: "u1", Action: "assessment.archive", TargetType: "assessment", TargetID: "a2"}, "Alice archived “Old” (deleted)"},
		{"assignment", store.AuditEntry{ActorUserID: "u1", Action: "assignment.set", TargetType: "assessment", TargetID: "a1",
			After: js(store.Assignment{Target: "IAM", UserID: "u2"})}, "Alice assigned IAM of “Q3” to bob@example.com"},
		{"unassignment", store.AuditEntry{ActorUserID: "u1", Action: "assignment.set", TargetType: "assessment", TargetID: "a1",
			Before: js(store.Assignment{Target: "NET-2.1", UserID: "u2"})}, "Alice removed the assignment of NET-2.1 in “Q3”"},
		{"exemption approved", store.AuditEntry{ActorUserID: "u2", Action: "exemption.decide", TargetType: "exemption", TargetID: "x1",
			After: js(map[string]any{"assessment_id": "a1", "objective": "IAM-2.1", "status": "approved"})}, "bob@example.com approved the exemption of IAM-2.1 of “Q3”"},
		{"token", store.AuditEntry{ActorUserID: "u1", Action: "api_token.revoke", TargetType: "api_token", TargetID: "t1"}, "Alice revoked API token “CI” (csmm_ab)"},
		{"role", store.AuditEntry{ActorUserID: "u1", Action: "membership.update", TargetType: "user", TargetID: "u2",
			Before: js(map[string]any{"role": "viewer"}), After: js(map[string]any{"role": "assessor"})}, "Alice changed the role of bob@example.com from viewer to assessor"},
		{"scopes", store.AuditEntry{ActorUserID: "u1", Action: "assessment.scopes", TargetType: "assessment", TargetID: "a1",
			Before: js([]store.Scope{{ID: "prod"}, {ID: "dev"}}), After: js([]store.Scope{{ID: "prod"}, {ID: "stage", Name: "Staging"}})}, "Alice changed the scopes of “Q3”: added Staging; removed dev"},
		{"file added", store.AuditEntry{ActorUserID: "u1", Action: "attachment.add", TargetType: "attachment", TargetID: "f1",
			After: js(store.Attachment{AssessmentID: "a1", Objective: "IAM-2.1", Kind: store.AttachmentFile, Title: "mfa.pdf"})}, "Alice added the file “mfa.pdf” to IAM-2.1 of “Q3”"},
		{"link removed", store.AuditEntry{ActorUserID: "u2", Action: "attachment.delete", TargetType: "attachment", TargetID: "l1",
			Before: js(store.Attachment{AssessmentID: "a1", Objective: "IAM-2.1", Kind: store.AttachmentLink, Title: "Runbook"})}, "bob@example.com removed the link “Runbook” from IAM-2.1 of “Q3”"},
		{"reviewed", store.AuditEntry{ActorUserID: "u1", Action: "answer.review", TargetType: "answer", TargetID: "a1/IAM-3.1/prod",
			After: js(map[string]any{"answer_version": 2})}, "Alice marked the answer of IAM-3.1 in Production of “Q3” reviewed"},
		{"review cleared", store.AuditEntry{ActorUserID: "u1", Action: "answer.unreview", TargetType: "answer", TargetID: "a1/IAM-3.1/prod"}, "Alice cleared the review mark of IAM-3.1 in Production of “Q3”"},
		{"roadmap work", store.AuditEntry{ActorUserID: "u1", Action: "roadmap_item.set", TargetType: "assessment", TargetID: "a1",
			After: js(store.RoadmapItem{AssessmentID: "a1", Objective: "NET-3.1", OwnerID: "u2", Status: store.RoadmapInProgress})}, "Alice updated the roadmap work on NET-3.1 of “Q3” (in progress, bob@example.com)"},
		{"system", store.AuditEntry{Action: "organization.create", TargetType: "organization", TargetID: "o1"}, "The system created the organization"},
		{"unknown", store.AuditEntry{ActorUserID: "u1", Action: "thing.poke", TargetType: "thing", TargetID: "7"}, "Alice did thing.poke on thing 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, got := n.describe(tt.e); got != tt.want {
				t.Errorf("sentence\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}
