package api

import (
	"net/http"
	"reflect"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/identity"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

const (
	mediaJSON = "application/json"
	mediaYAML = "application/yaml"
	// mediaAny is a request body of any type, such as a scanner file.
	mediaAny = "application/octet-stream"
)

// The tags that group the operations in the document.
const (
	tagMeta        = "Meta"
	tagAccount     = "Account"
	tagOrgs        = "Organizations"
	tagMembers     = "Members"
	tagAssessments = "Assessments"
	tagAnswers     = "Answers"
	tagScores      = "Scores and reports"
	tagExemptions  = "Exemptions"
	tagEvidence    = "Evidence"
	tagModels      = "Models"
	tagTokens      = "Tokens"
	tagAudit       = "Audit"
	tagHistory     = "History and benchmarks"
)

// tags describes the tags, in the order the document lists them.
var tags = []struct{ Name, Description string }{
	{tagMeta, "The API's own description"},
	{tagAccount, "The signed-in user: password and sessions"},
	{tagOrgs, "The organizations the caller belongs to"},
	{tagMembers, "Members of an organization and their roles"},
	{tagAssessments, "Assessments: their scopes, targets and answers files"},
	{tagAnswers, "Answers to the objectives, saved with optimistic concurrency"},
	{tagScores, "Scores (the score JSON of formats.md) and reports"},
	{tagExemptions, "Exemption requests and decisions"},
	{tagEvidence, "Scanner evidence imported into an assessment, and the links and files that back each objective"},
	{tagModels, "The built-in model and an organization's custom models"},
	{tagTokens, "API tokens for programs"},
	{tagAudit, "The audit log of an organization"},
	{tagHistory, "Snapshots, trends, comparisons and peer benchmarks"},
}

// asOfParam is the date a score is computed as of.
var asOfParam = queryParam{Name: "as_of", Description: "The date to score as of (YYYY-MM-DD); today when absent", Format: "date"}

// typ is the reflect.Type of T, for the In and Out of routes.
func typ[T any]() reflect.Type { return reflect.TypeFor[T]() }

// table lists every route of the API: the one place routes are declared.
// Register mounts them and the OpenAPI document describes them.
func (a *API) table() []route {
	return []route{
		{Method: "GET", Path: "/openapi.json", OperationID: "getOpenAPI", Tag: tagMeta, Public: true, Handle: a.getOpenAPI,
			Summary:     "This OpenAPI document",
			Description: "The OpenAPI 3.1 document of the API, generated from the routes and the Go types of their bodies. It needs no credentials.",
			Out:         typ[map[string]any]()},

		{Method: "GET", Path: "/me", OperationID: "getMe", Tag: tagAccount, Handle: a.getMe,
			Summary:     "The signed-in user and their organizations",
			Description: "The user the credentials belong to, the organizations they are a member of with their role in each, and the API token of the request, if any. A token sees only its own organization.",
			Out:         typ[Me]()},
		{Method: "PUT", Path: "/me/password", OperationID: "changePassword", Tag: tagAccount, Body: mediaJSON, Status: http.StatusNoContent, Handle: a.changePassword,
			Summary:     "Change one's password; signs out every session",
			Description: "Replaces the signed-in user's password after checking the current one; every session of the user ends. Only a browser session may do it (an API token is forbidden). Five wrong current passwords in 15 minutes answer 429.",
			In:          typ[service.PasswordChange](), Errors: []int{http.StatusForbidden, http.StatusTooManyRequests}},
		{Method: "DELETE", Path: "/me/sessions", OperationID: "signOutEverywhere", Tag: tagAccount, Status: http.StatusNoContent, Handle: a.signOutEverywhere,
			Summary:     "End every session of the signed-in user",
			Description: "Signs the user out of every browser. Only a browser session may do it (an API token is forbidden).",
			Errors:      []int{http.StatusForbidden}},

		{Method: "GET", Path: "/orgs", OperationID: "listOrganizations", Tag: tagOrgs, Handle: a.listOrganizations,
			Summary:     "The organizations the caller belongs to",
			Description: "Every organization the user is a member of, with their role; for an API token, only the token's organization.",
			Out:         typ[List[store.UserOrganization]]()},
		{Method: "GET", Path: "/orgs/{org}", OperationID: "getOrganization", Tag: tagOrgs, Perm: identity.PermRead, Handle: a.getOrganization,
			Summary:     "One organization and the caller's role in it",
			Description: "The organization named by ID or slug, with the caller's role in it (a token's role when it is lower).",
			Out:         typ[store.UserOrganization]()},

		{Method: "GET", Path: "/orgs/{org}/members", OperationID: "listMembers", Tag: tagMembers, Perm: identity.PermRead, Handle: a.listMembers,
			Summary:     "Members and their roles",
			Description: "Every member of the organization with their role.",
			Out:         typ[List[store.Member]]()},
		{Method: "POST", Path: "/orgs/{org}/members", OperationID: "addMember", Tag: tagMembers, Perm: identity.PermManageMembers, Body: mediaJSON, Status: http.StatusCreated, Handle: a.addMember,
			Summary:     "Add an existing user, by email, with a role",
			Description: "Makes a user who has an account a member of the organization. A user who is a member already answers 409.",
			In:          typ[MemberAdd](), Out: typ[store.Member](), Errors: []int{http.StatusConflict}},
		{Method: "PATCH", Path: "/orgs/{org}/members/{user}", OperationID: "setMemberRole", Tag: tagMembers, Perm: identity.PermManageMembers, Body: mediaJSON, Handle: a.setMemberRole,
			Summary:     "Change a member's role",
			Description: "Gives a member another role. The organization always keeps an owner: demoting the last one answers 409.",
			In:          typ[MemberRole](), Out: typ[store.Member](), Errors: []int{http.StatusConflict}},
		{Method: "DELETE", Path: "/orgs/{org}/members/{user}", OperationID: "removeMember", Tag: tagMembers, Perm: identity.PermManageMembers, Status: http.StatusNoContent, Handle: a.removeMember,
			Summary:     "Remove a member",
			Description: "Ends a user's membership of the organization; the last owner cannot be removed (409).",
			Errors:      []int{http.StatusConflict}},

		{Method: "GET", Path: "/orgs/{org}/assessments", OperationID: "listAssessments", Tag: tagAssessments, Perm: identity.PermRead, Handle: a.listAssessments,
			Summary:     "Assessments, newest first",
			Description: "The organization's assessments, newest first, without archived ones unless archived=true.",
			Query:       []queryParam{{Name: "archived", Description: "true to include archived assessments", Enum: []string{"true", "false"}}},
			Out:         typ[List[store.Assessment]]()},
		{Method: "POST", Path: "/orgs/{org}/assessments", OperationID: "createAssessment", Tag: tagAssessments, Perm: identity.PermManageAssessments, Body: mediaJSON, Status: http.StatusCreated, Handle: a.createAssessment,
			Summary:     "Create an assessment",
			Description: "Creates an assessment of the built-in model or a custom model of the organization, with its scopes and target levels.",
			In:          typ[AssessmentCreate](), Out: typ[store.Assessment](), Errors: []int{http.StatusConflict}},
		{Method: "POST", Path: "/orgs/{org}/assessments/import", OperationID: "importAssessment", Tag: tagAssessments, Perm: identity.PermManageAssessments, Body: mediaYAML, Status: http.StatusCreated, Handle: a.importAssessment,
			Summary:     "Create an assessment from an answers file (YAML)",
			Description: "Creates an assessment from an answers file (formats.md) in the body. The file names its model: the built-in one, or a custom model of the organization by id@version. An invalid file answers 400 with every problem in error.problems, and nothing is created.",
			Query: []queryParam{
				{Name: "name", Description: "The assessment's name; the file's assessment name, else \"Imported\" and its date, when absent"},
				{Name: "filename", Description: "The file's name, used in problems; answers.yaml when absent"},
			},
			Out: typ[store.Assessment](), Errors: []int{http.StatusConflict}},
		{Method: "GET", Path: "/orgs/{org}/assessments/{id}", OperationID: "getAssessment", Tag: tagAssessments, Perm: identity.PermRead, Handle: a.getAssessment,
			Summary:     "One assessment with its scopes and targets",
			Description: "The assessment with its scopes, targets and revision.",
			Out:         typ[store.Assessment]()},
		{Method: "PATCH", Path: "/orgs/{org}/assessments/{id}", OperationID: "updateAssessment", Tag: tagAssessments, Perm: identity.PermManageAssessments, Body: mediaJSON, Handle: a.updateAssessment,
			Summary:     "Rename, change validity, scopes or archive state",
			Description: "Changes the fields present in the body and answers the assessment as it is afterwards. An archived assessment is read-only: every change to it (answers, evidence, exemptions, targets, scopes, assignments, a rename) answers 409 until archived: false restores it; a restore in the same request comes before its other changes, an archiving after them.",
			In:          typ[AssessmentUpdate](), Out: typ[store.Assessment](), Errors: []int{http.StatusConflict}},
		{Method: "DELETE", Path: "/orgs/{org}/assessments/{id}", OperationID: "deleteAssessment", Tag: tagAssessments, Perm: identity.PermManageAssessments, Status: http.StatusNoContent, Handle: a.deleteAssessment,
			Summary:     "Delete an assessment and its answers",
			Description: "Deletes the assessment with its answers, evidence and exemptions; the audit log keeps the deletion."},
		{Method: "PUT", Path: "/orgs/{org}/assessments/{id}/targets", OperationID: "setTargets", Tag: tagAssessments, Perm: identity.PermManageAssessments, Body: mediaJSON, Handle: a.setTargets,
			Summary:     "Replace the target levels",
			Description: "Replaces every target level: those in targets, and target_default for every other category.",
			In:          typ[TargetsUpdate](), Out: typ[store.Assessment]()},
		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/migrate", OperationID: "migrateAssessment", Tag: tagAssessments, Perm: identity.PermManageAssessments, Body: mediaJSON, Handle: a.migrateAssessment,
			Summary:     "Move the assessment to another model version",
			Description: "Moves the assessment to another model (e.g. {\"model\": \"csmm@2.1.0\"}): answers of objectives the new model keeps are carried over; answers of removed objectives, and answers the new scale refuses (half on a now-binary objective), are deleted; the plan lists them and every objective that needs a new answer (added, scale changed, or replacing old objectives). dry_run previews the move and changes nothing. The move is audited as assessment.migrate.",
			In:          typ[MigrateRequest](), Out: typ[MigrateResult]()},
		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/export", OperationID: "exportAssessment", Tag: tagAssessments, Perm: identity.PermRead, Produces: []string{mediaYAML}, Query: []queryParam{asOfParam}, Handle: a.exportAssessment,
			Summary:     "The assessment as an answers file (YAML)",
			Description: "The answers file (formats.md) of the assessment as of a date, which importAssessment and `csmm score` read."},
		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/score", OperationID: "getScore", Tag: tagScores, Perm: identity.PermRead, Query: []queryParam{asOfParam}, Handle: a.getScore,
			Summary:     "The score JSON",
			Description: "The assessment scored as of a date (today by default): the score JSON of formats.md, as `csmm score --format json` prints it.",
			Out:         typ[assess.Result]()},
		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/report", OperationID: "getReport", Tag: tagScores, Perm: identity.PermRead, Produces: reportMediaTypes(), Query: []queryParam{
			{Name: "format", Description: "The report's format; html when absent", Enum: reportFormatNames()},
			asOfParam,
		}, Handle: a.getReport,
			Summary:     "The report as a file named after the assessment",
			Description: "The report in one format (html, pdf, md, json, csv, xlsx, or ccm-csv: the CSA CCM crosswalk) as of a date. The json format is the score JSON with the organization, assessment, generation time and validity. A pdf needs Chromium on the server and answers 503 unavailable without it.",
			Out:         typ[ReportJSON]()},

		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/roadmap", OperationID: "listRoadmapItems", Tag: tagScores, Perm: identity.PermRead, Query: []queryParam{asOfParam}, Handle: a.listRoadmapItems,
			Summary:     "The roadmap's objectives with their work",
			Description: "Every objective of the assessment's roadmap (scored as of a date, today by default), phase by phase, with its work: owner, due date, status (planned, in_progress, done), ticket link, and whether it is overdue (due before the scoring date and not done). An objective nobody has worked on is planned.",
			Out:         typ[List[service.RoadmapEntry]]()},
		{Method: "PUT", Path: "/orgs/{org}/assessments/{id}/roadmap/{objective}", OperationID: "updateRoadmapItem", Tag: tagScores, Perm: identity.PermAnswer, Body: mediaJSON, Handle: a.updateRoadmapItem,
			Summary:     "Set the work on one roadmap objective",
			Description: "Replaces the owner (a member), due date, status and ticket link (http or https) of one objective of today's roadmap; an absent field is cleared, an absent status is planned. An objective that is not on the roadmap answers 400. Audited as roadmap_item.set.",
			In:          typ[service.RoadmapUpdate](), Out: typ[service.RoadmapEntry]()},

		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/answers", OperationID: "listAnswers", Tag: tagAnswers, Perm: identity.PermRead, Handle: a.listAnswers,
			Summary:     "Every stored answer with its version",
			Description: "The stored answers of the assessment, each with the version a putAnswer must send to change it.",
			Out:         typ[List[store.Answer]]()},
		{Method: "PUT", Path: "/orgs/{org}/assessments/{id}/answers/{objective}/{scope}", OperationID: "putAnswer", Tag: tagAnswers, Perm: identity.PermAnswer, Body: mediaJSON, Handle: a.putAnswer,
			Summary:     "Save an answer if the stored version is the expected one",
			Description: "Saves the answer to one objective in one scope when version is the stored answer's version (0 when there is none). Otherwise it answers 409 with the stored answer in error.current, and nothing changes.",
			In:          typ[AnswerPut](), Out: typ[store.Answer](), Errors: []int{http.StatusConflict}},

		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/assignments", OperationID: "listAssignments", Tag: tagAssessments, Perm: identity.PermRead, Handle: a.listAssignments,
			Summary:     "Who each category or objective is assigned to",
			Description: "The assessment's assignments by target: a category or objective given to a member, who finds it under \"Assigned to me\". An objective without its own assignment belongs to its category's member.",
			Out:         typ[List[store.Assignment]]()},
		{Method: "PUT", Path: "/orgs/{org}/assessments/{id}/assignments/{target}", OperationID: "putAssignment", Tag: tagAssessments, Perm: identity.PermManageAssessments, Body: mediaJSON, Handle: a.putAssignment,
			Summary:     "Assign a category or objective to a member",
			Description: "Gives a category or objective of the assessment's model to a member of the organization, replacing an earlier assignment of it. A target outside the model or a user who is not a member answers 400; an archived assessment 409. Audited as assignment.set.",
			In:          typ[AssignmentPut](), Out: typ[store.Assignment](), Errors: []int{http.StatusConflict}},
		{Method: "DELETE", Path: "/orgs/{org}/assessments/{id}/assignments/{target}", OperationID: "deleteAssignment", Tag: tagAssessments, Perm: identity.PermManageAssessments, Status: http.StatusNoContent, Handle: a.deleteAssignment,
			Summary:     "Remove an assignment",
			Description: "Leaves a category or objective without a member; a target that is not assigned answers 404, an archived assessment 409. Audited as assignment.set.",
			Errors:      []int{http.StatusConflict}},

		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/exemptions", OperationID: "listExemptions", Tag: tagExemptions, Perm: identity.PermRead, Handle: a.listExemptions,
			Summary:     "Exemption requests and decisions",
			Description: "Every exemption of the assessment: requested, approved or refused.",
			Out:         typ[List[store.Exemption]]()},
		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/exemptions", OperationID: "requestExemption", Tag: tagExemptions, Perm: identity.PermRequestExemption, Body: mediaJSON, Status: http.StatusCreated, Handle: a.requestExemption,
			Summary:     "Request an exemption for an objective",
			Description: "Asks for an objective to count as met until a date; an admin decides.",
			In:          typ[ExemptionRequest](), Out: typ[store.Exemption](), Errors: []int{http.StatusConflict}},
		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/exemptions/{exemption}/decision", OperationID: "decideExemption", Tag: tagExemptions, Perm: identity.PermDecideExemption, Body: mediaJSON, Handle: a.decideExemption,
			Summary:     "Approve or refuse an exemption request",
			Description: "Decides a requested exemption; one decided already answers 409.",
			In:          typ[ExemptionDecision](), Out: typ[store.Exemption](), Errors: []int{http.StatusConflict}},

		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/evidence", OperationID: "listEvidence", Tag: tagEvidence, Perm: identity.PermRead, Handle: a.listEvidence,
			Summary:     "Stored scanner evidence and its imports",
			Description: "The stored evidence records (counts per objective, scope and source) and the imports they came from.",
			Out:         typ[EvidenceList]()},
		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/evidence", OperationID: "importEvidence", Tag: tagEvidence, Perm: identity.PermAnswer, Body: mediaAny, Query: []queryParam{
			{Name: "scope", Description: "The scope the file applies to; every scope of the assessment when absent"},
			{Name: "name", Description: "The scanner file's name, which names the import with its format"},
		}, Handle: a.importEvidence,
			Summary:     "Import a scanner file",
			Description: "Reads a scanner file (any format of formats.md, told from the content) from the raw body as a stream, and stores its counts per objective in one transaction. gzip is accepted as Content-Encoding: gzip or as a .gz file. The body may be up to 2 GiB as sent (the server's --max-evidence-bytes), 413 above; memory does not grow with it. A cut, cancelled or corrupt upload stores nothing. It answers the file's evidence summary and the stored records; it replaces an earlier import of the same file name and format in its scopes. An unreadable file answers 400 with its location in error.problems.",
			Out:         typ[service.EvidenceResult](), Errors: []int{http.StatusRequestEntityTooLarge}},
		{Method: "DELETE", Path: "/orgs/{org}/assessments/{id}/evidence", OperationID: "deleteEvidence", Tag: tagEvidence, Perm: identity.PermAnswer, Status: http.StatusNoContent, Query: []queryParam{
			{Name: "source", Description: "The source of the import to remove", Required: true},
		}, Handle: a.deleteEvidence,
			Summary:     "Remove one import's evidence",
			Description: "Removes every record of one import, named by its source as listEvidence names it."},

		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/attachments", OperationID: "listObjectiveEvidence", Tag: tagEvidence, Perm: identity.PermRead, Handle: a.listObjectiveEvidence,
			Summary:     "Links and files that back the objectives' answers",
			Description: "The links and uploaded files of the assessment's objectives (without the files' bytes; downloadEvidenceFile gives them), with who added each and when, by objective and oldest first.",
			Query:       []queryParam{{Name: "objective", Description: "Only this objective's links and files"}},
			Out:         typ[List[store.Attachment]]()},
		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/objectives/{objective}/links", OperationID: "addEvidenceLink", Tag: tagEvidence, Perm: identity.PermAnswer, Body: mediaJSON, Status: http.StatusCreated, Handle: a.addEvidenceLink,
			Summary:     "Add a link to an objective",
			Description: "Adds a link (an http or https URL and a title) as evidence of an objective. Other schemes (javascript:, data:, file:) answer 400. Audited as attachment.add.",
			In:          typ[LinkAdd](), Out: typ[store.Attachment]()},
		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/objectives/{objective}/files", OperationID: "uploadEvidenceFile", Tag: tagEvidence, Perm: identity.PermAnswer, Body: mediaAny, Status: http.StatusCreated, Handle: a.uploadEvidenceFile,
			Summary:     "Upload a file as evidence of an objective",
			Description: "Stores the raw body, at most 10 MiB, as a file of the objective, named by the name parameter (cleaned of any path). It is served later as application/pdf, image/png, image/jpeg, image/gif or text/plain when its content is one of these, else as application/octet-stream. A larger body answers 413 and nothing is stored. Audited as attachment.add.",
			Query:       []queryParam{{Name: "name", Description: "The file's name, e.g. policy.pdf", Required: true}},
			Out:         typ[store.Attachment](), Errors: []int{http.StatusRequestEntityTooLarge}},
		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/attachments/{attachment}", OperationID: "downloadEvidenceFile", Tag: tagEvidence, Perm: identity.PermRead, Produces: attachmentMediaTypes(), Handle: a.downloadEvidenceFile,
			Summary:     "Download an evidence file",
			Description: "The file's bytes as an attachment (Content-Disposition with its cleaned name), typed as listed in uploadEvidenceFile, with X-Content-Type-Options: nosniff. A link answers 404."},
		{Method: "DELETE", Path: "/orgs/{org}/assessments/{id}/attachments/{attachment}", OperationID: "deleteObjectiveEvidence", Tag: tagEvidence, Perm: identity.PermAnswer, Status: http.StatusNoContent, Handle: a.deleteObjectiveEvidence,
			Summary:     "Remove a link or file",
			Description: "Removes a link or file of an objective. Whoever added it may; an admin may remove anyone's, others get 403. Audited as attachment.delete."},

		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/reviews", OperationID: "listReviews", Tag: tagAnswers, Perm: identity.PermRead, Handle: a.listReviews,
			Summary:     "Review marks of the answers",
			Description: "Every review mark of the assessment's answers: who reviewed which answer version and when, and its state: reviewed while the mark holds for the stored answer, changed once the answer changed after the review.",
			Out:         typ[List[store.Review]]()},
		{Method: "PUT", Path: "/orgs/{org}/assessments/{id}/reviews/{objective}/{scope}", OperationID: "markReviewed", Tag: tagAnswers, Perm: identity.PermReviewAnswers, Body: mediaJSON, Handle: a.markReviewed,
			Summary:     "Mark an answer reviewed",
			Description: "Records that the caller (an admin) reviewed the stored answer to an objective in a scope, as of its current version. No answer answers 404; a version other than the stored one answers 409 with the stored answer in error.current. Audited as answer.review.",
			In:          typ[ReviewMark](), Out: typ[store.Review](), Errors: []int{http.StatusConflict}},
		{Method: "DELETE", Path: "/orgs/{org}/assessments/{id}/reviews/{objective}/{scope}", OperationID: "clearReview", Tag: tagAnswers, Perm: identity.PermReviewAnswers, Status: http.StatusNoContent, Handle: a.clearReview,
			Summary:     "Clear an answer's review mark",
			Description: "Removes the review mark of an answer; none answers 404. Audited as answer.unreview."},

		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/snapshots", OperationID: "finalizeAssessment", Tag: tagHistory, Perm: identity.PermManageAssessments, Body: mediaJSON, Status: http.StatusCreated, Handle: a.finalizeAssessment,
			Summary:     "Finalize the assessment into a dated snapshot",
			Description: "Freezes the assessment as of today: answers with who gave and saved them and when, evidence with its sources, approved exemptions, targets, the model (kept by the hash of its YAML), the roadmap and the scores. The snapshot never changes; work continues on the live assessment. Audited. The body (optional) carries a note.",
			In:          typ[FinalizeRequest](), Out: typ[history.Snapshot]()},
		{Method: "GET", Path: "/orgs/{org}/snapshots", OperationID: "listSnapshots", Tag: tagHistory, Perm: identity.PermRead, Handle: a.listSnapshots,
			Summary:     "Snapshots, newest first",
			Description: "The organization's snapshots, or one assessment's, newest first, without their input and result.",
			Query:       []queryParam{{Name: "assessment", Description: "Only this assessment's snapshots"}},
			Out:         typ[List[store.SnapshotInfo]]()},
		{Method: "GET", Path: "/orgs/{org}/snapshots/{snapshot}", OperationID: "getSnapshot", Tag: tagHistory, Perm: identity.PermRead, Handle: a.getSnapshot,
			Summary:     "A snapshot",
			Description: "One snapshot with its frozen input and result. format=json downloads the snapshot export file, which also holds the model's YAML, and which `csmm diff` compares.",
			Query:       []queryParam{{Name: "format", Description: "json for the export file", Enum: []string{"json"}}},
			Out:         typ[history.Snapshot]()},
		{Method: "GET", Path: "/orgs/{org}/trend", OperationID: "getTrend", Tag: tagHistory, Perm: identity.PermRead, Produces: []string{mediaJSON, mediaCSV}, Handle: a.getTrend,
			Summary:     "Scores over the snapshots",
			Description: "The program, domain and category scores (with category targets) of the organization's snapshots, or one assessment's, oldest first, as JSON or CSV.",
			Query: []queryParam{
				{Name: "assessment", Description: "Only this assessment's snapshots"},
				{Name: "format", Description: "json when absent", Enum: []string{"json", "csv"}},
			},
			Out: typ[history.Trend]()},
		{Method: "GET", Path: "/orgs/{org}/compare", OperationID: "compareSnapshots", Tag: tagHistory, Perm: identity.PermRead, Produces: []string{mediaJSON, mediaMarkdown, mediaCSV}, Handle: a.compareSnapshots,
			Summary:     "Compare two snapshots, or a snapshot and the live assessment",
			Description: "Score and level moves; objectives whose value, status, source or answer changed, with who and when; new and expired evidence and exemptions; across model versions, the objectives added, removed or changed in meaning, listed rather than paired. live means the live assessment of the other side's snapshot (or of assessment).",
			Query: []queryParam{
				{Name: "from", Description: "A snapshot ID or live", Required: true},
				{Name: "to", Description: "A snapshot ID or live", Required: true},
				{Name: "assessment", Description: "The assessment live means, when the other side is not one of its snapshots"},
				{Name: "format", Description: "json when absent", Enum: []string{"json", "md", "csv"}},
			},
			Out: typ[history.Comparison]()},

		{Method: "GET", Path: "/orgs/{org}/profile", OperationID: "getOrganizationProfile", Tag: tagHistory, Perm: identity.PermRead, Handle: a.getOrganizationProfile,
			Summary:     "The organization's profile for peer benchmarks",
			Description: "Industry, size band, regions, cloud providers and whether the organization's latest snapshot feeds the installation's benchmarks.",
			Out:         typ[store.Profile]()},
		{Method: "PUT", Path: "/orgs/{org}/profile", OperationID: "updateOrganizationProfile", Tag: tagHistory, Perm: identity.PermManageSettings, Body: mediaJSON, Handle: a.updateOrganizationProfile,
			Summary:     "Set the organization's profile and benchmark opt-in",
			Description: "Replaces industry, size_band, regions, providers and benchmark_opt_in. Audited.",
			In:          typ[store.Profile](), Out: typ[store.Profile]()},
		{Method: "GET", Path: "/orgs/{org}/benchmark", OperationID: "getBenchmark", Tag: tagHistory, Perm: identity.PermRead, Handle: a.getBenchmark,
			Summary:     "Peer benchmark (formats.md Benchmark)",
			Description: "The 25th, 50th and 75th percentiles of program, domain and category scores over the latest snapshot of every opted-in organization of the group (same model as the caller's latest snapshot), and where the caller stands. A group of fewer than 5 organizations answers suppressed, organizations null and no figures. source names an imported benchmark instead.",
			Query: []queryParam{
				{Name: "industry", Description: "Only organizations of this industry"},
				{Name: "size_band", Description: "Only organizations of this size band"},
				{Name: "provider", Description: "Only organizations using this cloud provider"},
				{Name: "source", Description: "installation (default) or the name of an imported benchmark"},
			},
			Out: typ[history.Benchmark]()},
		{Method: "GET", Path: "/orgs/{org}/benchmark/export", OperationID: "exportBenchmark", Tag: tagHistory, Perm: identity.PermManageSettings, Produces: []string{mediaJSON, mediaCSV}, Handle: a.exportBenchmark,
			Summary:     "Export the installation's anonymized benchmarks",
			Description: "Every group of 5 or more opted-in organizations (the installation, each industry, size band and provider, per model version) as a JSON list of Benchmarks without you, or CSV, with model version, date and group sizes.",
			Query:       []queryParam{{Name: "format", Description: "json when absent", Enum: []string{"json", "csv"}}},
			Out:         typ[[]history.Benchmark]()},
		{Method: "GET", Path: "/orgs/{org}/benchmarks", OperationID: "listBenchmarks", Tag: tagHistory, Perm: identity.PermRead, Handle: a.listBenchmarks,
			Summary:     "Imported benchmarks",
			Description: "The organization's imported benchmarks, by name, without their groups.",
			Out:         typ[List[store.ExternalBenchmark]]()},
		{Method: "POST", Path: "/orgs/{org}/benchmarks", OperationID: "importBenchmark", Tag: tagHistory, Perm: identity.PermManageSettings, Body: mediaJSON, Status: http.StatusCreated, Handle: a.importBenchmark,
			Summary:     "Import a named external benchmark",
			Description: "Stores an exported benchmark (one Benchmark or a list) under a name, its source label; it is always shown with its source and date. Groups under 5 organizations are kept without figures.",
			Query:       []queryParam{{Name: "name", Description: "The benchmark's source: a consultant, an industry body", Required: true}},
			In:          typ[[]history.Benchmark](), Out: typ[store.ExternalBenchmark]()},

		{Method: "GET", Path: "/orgs/{org}/models", OperationID: "listModels", Tag: tagModels, Perm: identity.PermRead, Handle: a.listModels,
			Summary:     "The organization's custom models",
			Description: "The custom models uploaded to the organization (without their YAML; getModel answers a model).",
			Out:         typ[List[store.CustomModel]]()},
		{Method: "POST", Path: "/orgs/{org}/models", OperationID: "uploadModel", Tag: tagModels, Perm: identity.PermManageSettings, Body: mediaYAML, Status: http.StatusCreated, Handle: a.uploadModel,
			Summary:     "Upload a custom model (YAML)",
			Description: "Stores a custom model after validating it; an invalid model answers 400 with every problem in error.problems and nothing is stored. A model with the same id and version answers 409.",
			Query:       []queryParam{{Name: "filename", Description: "The file's name, used in problems; model.yaml when absent"}},
			Out:         typ[store.CustomModel](), Errors: []int{http.StatusConflict}},
		{Method: "GET", Path: "/orgs/{org}/models/{model}", OperationID: "getModel", Tag: tagModels, Perm: identity.PermRead, Handle: a.getModel,
			Summary:     "A model as JSON",
			Description: "The built-in model (builtin) or a custom model of the organization, in the model export format.",
			Out:         typ[model.Model]()},

		{Method: "GET", Path: "/orgs/{org}/tokens", OperationID: "listTokens", Tag: tagTokens, Perm: identity.PermManageTokens, Handle: a.listTokens,
			Summary:     "API tokens",
			Description: "The caller's own API tokens, revoked ones included; every token of the organization for admins and owners. Secrets are never shown again.",
			Out:         typ[List[store.APIToken]]()},
		{Method: "POST", Path: "/orgs/{org}/tokens", OperationID: "createToken", Tag: tagTokens, Perm: identity.PermManageTokens, Body: mediaJSON, Status: http.StatusCreated, Handle: a.createToken,
			Summary:     "Create an API token",
			Description: "Creates an API token of the caller in the organization, with a role no higher than the caller's (403 otherwise). The answer holds the secret, shown this once.",
			In:          typ[service.TokenRequest](), Out: typ[service.NewToken]()},
		{Method: "DELETE", Path: "/orgs/{org}/tokens/{token}", OperationID: "revokeToken", Tag: tagTokens, Perm: identity.PermManageTokens, Status: http.StatusNoContent, Handle: a.revokeToken,
			Summary:     "Revoke an API token",
			Description: "Revokes one of the caller's tokens; admins and owners revoke any token of the organization. Another member's token, for others, is not found."},

		{Method: "GET", Path: "/orgs/{org}/audit", OperationID: "listAudit", Tag: tagAudit, Perm: identity.PermReadAudit, Handle: a.listAudit,
			Summary:     "The audit log, newest first",
			Description: "One page of the organization's audit log, newest first, optionally filtered; next_cursor fetches the next page.",
			Query: []queryParam{
				{Name: "cursor", Description: "The next_cursor of the previous page"},
				{Name: "limit", Description: "How many entries per page, 1 to 500", Type: "integer"},
				{Name: "action", Description: "Only entries of this action, e.g. answer.put"},
				{Name: "target_type", Description: "Only entries about this kind of thing, e.g. assessment"},
				{Name: "target_id", Description: "Only entries about this thing"},
				{Name: "actor", Description: "Only entries by this user ID (or API token ID)"},
				{Name: "from", Description: "Only entries on or after this day (YYYY-MM-DD, UTC)", Format: "date"},
				{Name: "to", Description: "Only entries on or before this day (YYYY-MM-DD, UTC)", Format: "date"},
			},
			Out: typ[AuditPage]()},
	}
}
