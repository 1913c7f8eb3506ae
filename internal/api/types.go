package api

import (
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/move"
	"github.com/csmm/csmm/internal/store"
)

// The request and response bodies of the API's operations. Each route of
// the table names its request and response type; the OpenAPI document's
// schemas are generated from these types (and the store, assess and
// service types they hold), so what a handler decodes and encodes is what
// the document says. A field without omitempty is required; the doc tag
// is its description.

// List is a list of items; lists are objects so that they can gain fields
// later, and an empty list is [] rather than null.
type List[T any] struct {
	Items []T `json:"items" nonnull:"true"`
}

// list wraps items in a List, never with a nil slice.
func list[T any](items []T) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items}
}

// Me is the signed-in user with their organizations.
type Me struct {
	User          *store.User              `json:"user" nonnull:"true"`
	Organizations []store.UserOrganization `json:"organizations" nonnull:"true"`
	// Token is the API token the request came with, if any.
	Token *store.APIToken `json:"token,omitempty" doc:"The API token the request came with, if any"`
}

// MemberAdd is the body of addMember.
type MemberAdd struct {
	Email string    `json:"email" doc:"The email address of an existing user"`
	Role  csmm.Role `json:"role"`
}

// MemberRole is the body of setMemberRole.
type MemberRole struct {
	Role csmm.Role `json:"role"`
}

// AssessmentCreate is the body of createAssessment. Targets maps category
// IDs to levels; target_default applies to the categories not listed.
type AssessmentCreate struct {
	Name         string `json:"name" doc:"The assessment's name"`
	Model        string `json:"model,omitempty" doc:"builtin or absent (the newest built-in model), a built-in version such as csmm@2.0.0, or the ID of a custom model of the organization"`
	ValidityDays int    `json:"validity_days,omitempty" doc:"How many days an answer stays valid; the default when absent"`
	// EvidenceValidityDays is how long scanner evidence stays valid.
	EvidenceValidityDays int            `json:"evidence_validity_days,omitempty" doc:"How many days scanner evidence stays valid; the default (90) when absent or 0"`
	Scopes               []store.Scope  `json:"scopes,omitempty" doc:"The scopes; one scope named default when absent"`
	Targets              map[string]int `json:"targets,omitempty" doc:"Target levels (1 to 5) by category ID"`
	TargetDefault        int            `json:"target_default,omitempty" doc:"The target level of every category not in targets; 0 for none"`
}

// AssessmentUpdate is the body of updateAssessment: the fields present change.
type AssessmentUpdate struct {
	Name         *string `json:"name,omitempty"`
	ValidityDays *int    `json:"validity_days,omitempty"`
	// EvidenceValidityDays changes how long scanner evidence stays valid.
	EvidenceValidityDays *int          `json:"evidence_validity_days,omitempty" doc:"How many days scanner evidence stays valid; 0 for the default (90)"`
	Scopes               []store.Scope `json:"scopes,omitempty" doc:"Replaces every scope"`
	Archived             *bool         `json:"archived,omitempty" doc:"true archives the assessment, false restores it"`
}

// TargetsUpdate is the body of setTargets.
type TargetsUpdate struct {
	Targets       map[string]int `json:"targets,omitempty" doc:"Target levels (1 to 5) by category ID"`
	TargetDefault int            `json:"target_default,omitempty" doc:"The target level of every category not in targets; 0 for none"`
}

// AnswerPut is the body of putAnswer. Version is the version the writer
// last saw: 0 when there was no answer yet. The answer is a word of the
// scale (a binary objective takes only no, yes and na) or a measured
// figure: answer "87/120" or "72.5%", or measured with of.
type AnswerPut struct {
	Answer assess.Answer `json:"answer,omitempty" doc:"A word of the scale (no, some, half, most, yes, na; a binary objective takes only no, yes and na), or a measure written 87/120 or 72.5%"`
	// Measured and Of give a measured answer (87 of 120) instead of a word.
	Measured      *float64    `json:"measured,omitempty" doc:"A measured answer: how many of 'of' are covered (0 to of)"`
	Of            *float64    `json:"of,omitempty" doc:"The total a measured answer counts from (above 0)"`
	Note          string      `json:"note,omitempty"`
	Justification string      `json:"justification,omitempty"`
	By            string      `json:"by,omitempty" doc:"Who answered; the caller's name when absent"`
	Date          assess.Date `json:"date,omitzero" doc:"When it was answered; today when absent"`
	Version       *int        `json:"version" nonnull:"true" doc:"The version of the answer the writer last saw; 0 when there was none"`
}

// ExemptionRequest is the body of requestExemption.
type ExemptionRequest struct {
	Objective string      `json:"objective" doc:"The objective ID, e.g. IAM-2.1"`
	Reason    string      `json:"reason"`
	Until     assess.Date `json:"until" doc:"The last date the exemption applies, today or later"`
}

// ExemptionDecision is the body of decideExemption.
type ExemptionDecision struct {
	Approve  *bool  `json:"approve" nonnull:"true" doc:"true approves, false refuses"`
	Approver string `json:"approver,omitempty" doc:"Who decided; the caller's name when absent"`
	Comment  string `json:"comment,omitempty" doc:"Said with the decision; shown in reports"`
}

// EvidenceList is the stored evidence of an assessment: its records and
// the imports they came from.
type EvidenceList struct {
	Items   []store.Evidence       `json:"items" nonnull:"true"`
	Imports []store.EvidenceSource `json:"imports" nonnull:"true"`
}

// AssignmentPut is the body of putAssignment.
type AssignmentPut struct {
	UserID string `json:"user_id" doc:"The member the category or objective is given to"`
}

// AuditPage is one page of the audit log; next_cursor fetches the next.
type AuditPage struct {
	Items      []store.AuditEntry `json:"items" nonnull:"true"`
	NextCursor string             `json:"next_cursor,omitempty" doc:"The cursor of the next page; absent on the last page"`
}

// ReportJSON is the report in the json format: the score JSON with the
// assessment's metadata beside it (as report.WriteJSON writes it).
type ReportJSON struct {
	Organization string    `json:"organization"`
	Assessment   string    `json:"assessment"`
	GeneratedAt  time.Time `json:"generated_at"`
	ValidityDays int       `json:"validity_days"`
	assess.Result
}

// MigrateRequest is the body of migrateAssessment.
type MigrateRequest struct {
	Model  string `json:"model" doc:"The model to move to: a built-in version such as csmm@2.1.0, or a custom model's id@version or ID"`
	DryRun bool   `json:"dry_run,omitempty" doc:"true previews the move and changes nothing"`
}

// MigrateResult is the answer of migrateAssessment: what the move does (or,
// in a dry run, would do) and the assessment after it.
type MigrateResult struct {
	DryRun     bool              `json:"dry_run"`
	Plan       *move.Plan        `json:"plan" nonnull:"true"`
	Assessment *store.Assessment `json:"assessment" nonnull:"true"`
}
