package api

import (
	"net/http"

	"github.com/csmm/csmm/internal/identity"
)

const (
	mediaJSON = "application/json"
	mediaYAML = "application/yaml"
	// mediaAny is a request body of any type, such as a scanner file.
	mediaAny = "application/octet-stream"
)

// asOfParam is the date a score is computed as of.
var asOfParam = queryParam{Name: "as_of", Description: "The date to score as of (YYYY-MM-DD); today when absent", Format: "date"}

// table lists every route of the API: the one place routes are declared.
// Register mounts them and the OpenAPI document describes them.
func (a *API) table() []route {
	return []route{
		{Method: "GET", Path: "/openapi.json", OperationID: "getOpenAPI", Summary: "This OpenAPI document", Public: true, Handle: a.getOpenAPI},

		{Method: "GET", Path: "/me", OperationID: "getMe", Summary: "The signed-in user and their organizations", Handle: a.getMe},
		{Method: "PUT", Path: "/me/password", OperationID: "changePassword", Summary: "Change one's password; signs out every session", Body: mediaJSON, Status: http.StatusNoContent, Handle: a.changePassword},
		{Method: "DELETE", Path: "/me/sessions", OperationID: "signOutEverywhere", Summary: "End every session of the signed-in user", Status: http.StatusNoContent, Handle: a.signOutEverywhere},

		{Method: "GET", Path: "/orgs", OperationID: "listOrganizations", Summary: "The organizations the caller belongs to", Handle: a.listOrganizations},
		{Method: "GET", Path: "/orgs/{org}", OperationID: "getOrganization", Summary: "One organization and the caller's role in it", Perm: identity.PermRead, Handle: a.getOrganization},

		{Method: "GET", Path: "/orgs/{org}/members", OperationID: "listMembers", Summary: "Members and their roles", Perm: identity.PermRead, Handle: a.listMembers},
		{Method: "POST", Path: "/orgs/{org}/members", OperationID: "addMember", Summary: "Add an existing user, by email, with a role", Perm: identity.PermManageMembers, Body: mediaJSON, Status: http.StatusCreated, Handle: a.addMember},
		{Method: "PATCH", Path: "/orgs/{org}/members/{user}", OperationID: "setMemberRole", Summary: "Change a member's role", Perm: identity.PermManageMembers, Body: mediaJSON, Handle: a.setMemberRole},
		{Method: "DELETE", Path: "/orgs/{org}/members/{user}", OperationID: "removeMember", Summary: "Remove a member", Perm: identity.PermManageMembers, Status: http.StatusNoContent, Handle: a.removeMember},

		{Method: "GET", Path: "/orgs/{org}/assessments", OperationID: "listAssessments", Summary: "Assessments, newest first (archived=true to include archived ones)", Perm: identity.PermRead, Handle: a.listAssessments},
		{Method: "POST", Path: "/orgs/{org}/assessments", OperationID: "createAssessment", Summary: "Create an assessment", Perm: identity.PermManageAssessments, Body: mediaJSON, Status: http.StatusCreated, Handle: a.createAssessment},
		{Method: "POST", Path: "/orgs/{org}/assessments/import", OperationID: "importAssessment", Summary: "Create an assessment from an answers file (YAML)", Perm: identity.PermManageAssessments, Body: mediaYAML, Status: http.StatusCreated, Handle: a.importAssessment},
		{Method: "GET", Path: "/orgs/{org}/assessments/{id}", OperationID: "getAssessment", Summary: "One assessment with its scopes and targets", Perm: identity.PermRead, Handle: a.getAssessment},
		{Method: "PATCH", Path: "/orgs/{org}/assessments/{id}", OperationID: "updateAssessment", Summary: "Rename, change validity, scopes or archive state", Perm: identity.PermManageAssessments, Body: mediaJSON, Handle: a.updateAssessment},
		{Method: "DELETE", Path: "/orgs/{org}/assessments/{id}", OperationID: "deleteAssessment", Summary: "Delete an assessment and its answers", Perm: identity.PermManageAssessments, Status: http.StatusNoContent, Handle: a.deleteAssessment},
		{Method: "PUT", Path: "/orgs/{org}/assessments/{id}/targets", OperationID: "setTargets", Summary: "Replace the target levels", Perm: identity.PermManageAssessments, Body: mediaJSON, Handle: a.setTargets},
		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/export", OperationID: "exportAssessment", Summary: "The assessment as an answers file (YAML)", Perm: identity.PermRead, Produces: []string{mediaYAML}, Query: []queryParam{asOfParam}, Handle: a.exportAssessment},
		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/score", OperationID: "getScore", Summary: "The score JSON (as_of=YYYY-MM-DD, default today)", Perm: identity.PermRead, Query: []queryParam{asOfParam}, Handle: a.getScore},
		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/report", OperationID: "getReport", Summary: "The report as a file named after the assessment (format=html|pdf|md|json|csv|xlsx, as_of=YYYY-MM-DD); pdf answers 503 unavailable when the server has no Chromium", Perm: identity.PermRead, Produces: reportMediaTypes(), Query: []queryParam{
			{Name: "format", Description: "The report's format; html when absent", Enum: reportFormatNames()},
			asOfParam,
		}, Handle: a.getReport},

		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/answers", OperationID: "listAnswers", Summary: "Every stored answer with its version", Perm: identity.PermRead, Handle: a.listAnswers},
		{Method: "PUT", Path: "/orgs/{org}/assessments/{id}/answers/{objective}/{scope}", OperationID: "putAnswer", Summary: "Save an answer if the stored version is the expected one (409 with the current answer otherwise)", Perm: identity.PermAnswer, Body: mediaJSON, Handle: a.putAnswer},

		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/exemptions", OperationID: "listExemptions", Summary: "Exemption requests and decisions", Perm: identity.PermRead, Handle: a.listExemptions},
		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/exemptions", OperationID: "requestExemption", Summary: "Request an exemption for an objective", Perm: identity.PermRequestExemption, Body: mediaJSON, Status: http.StatusCreated, Handle: a.requestExemption},
		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/exemptions/{exemption}/decision", OperationID: "decideExemption", Summary: "Approve or refuse an exemption request", Perm: identity.PermDecideExemption, Body: mediaJSON, Handle: a.decideExemption},

		{Method: "GET", Path: "/orgs/{org}/assessments/{id}/evidence", OperationID: "listEvidence", Summary: "Stored scanner evidence: records per objective, scope and source, and the imports", Perm: identity.PermRead, Handle: a.listEvidence},
		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/evidence", OperationID: "importEvidence", Summary: "Import a scanner file (the raw body, at most 32 MiB; 413 above): answers its evidence summary and the stored records; replaces an earlier import of the same file name and format in its scopes", Perm: identity.PermAnswer, Body: mediaAny, Query: []queryParam{
			{Name: "scope", Description: "The scope the file applies to; every scope of the assessment when absent"},
			{Name: "name", Description: "The scanner file's name, which names the import with its format"},
		}, Handle: a.importEvidence},
		{Method: "DELETE", Path: "/orgs/{org}/assessments/{id}/evidence", OperationID: "deleteEvidence", Summary: "Remove one import's evidence (source as listEvidence names it)", Perm: identity.PermAnswer, Status: http.StatusNoContent, Query: []queryParam{
			{Name: "source", Description: "The source of the import to remove"},
		}, Handle: a.deleteEvidence},

		{Method: "POST", Path: "/orgs/{org}/assessments/{id}/snapshots", OperationID: "finalizeAssessment", Summary: "Finalize the assessment into a dated snapshot, frozen (answers with who and when, evidence, exemptions, targets, model, roadmap and scores); answers the snapshot", Perm: identity.PermManageAssessments, Body: mediaJSON, Status: http.StatusCreated, Handle: a.finalizeAssessment},
		{Method: "GET", Path: "/orgs/{org}/snapshots", OperationID: "listSnapshots", Summary: "Snapshots, newest first: the organization's, or one assessment's", Perm: identity.PermRead, Query: []queryParam{
			{Name: "assessment", Description: "Only this assessment's snapshots"},
		}, Handle: a.listSnapshots},
		{Method: "GET", Path: "/orgs/{org}/snapshots/{snapshot}", OperationID: "getSnapshot", Summary: "A snapshot; format=json downloads the snapshot export file (with its model) that csmm diff reads", Perm: identity.PermRead, Query: []queryParam{
			{Name: "format", Description: "json for the export file", Enum: []string{"json"}},
		}, Handle: a.getSnapshot},
		{Method: "GET", Path: "/orgs/{org}/trend", OperationID: "getTrend", Summary: "Program, domain and category scores over the snapshots, with targets (format=json|csv)", Perm: identity.PermRead, Produces: []string{mediaJSON, mediaCSV}, Query: []queryParam{
			{Name: "assessment", Description: "Only this assessment's snapshots"},
			{Name: "format", Description: "json when absent", Enum: []string{"json", "csv"}},
		}, Handle: a.getTrend},
		{Method: "GET", Path: "/orgs/{org}/compare", OperationID: "compareSnapshots", Summary: "What changed between two snapshots, or a snapshot and the live assessment (format=json|md|csv)", Perm: identity.PermRead, Produces: []string{mediaJSON, mediaMarkdown, mediaCSV}, Query: []queryParam{
			{Name: "from", Description: "A snapshot ID or live"},
			{Name: "to", Description: "A snapshot ID or live"},
			{Name: "assessment", Description: "The assessment whose live state live means, when the other side is not one of its snapshots"},
			{Name: "format", Description: "json when absent", Enum: []string{"json", "md", "csv"}},
		}, Handle: a.compareSnapshots},

		{Method: "GET", Path: "/orgs/{org}/profile", OperationID: "getOrganizationProfile", Summary: "How the organization describes itself for peer benchmarks", Perm: identity.PermRead, Handle: a.getOrganizationProfile},
		{Method: "PUT", Path: "/orgs/{org}/profile", OperationID: "updateOrganizationProfile", Summary: "Set industry, size_band, regions, providers and benchmark_opt_in", Perm: identity.PermManageSettings, Body: mediaJSON, Handle: a.updateOrganizationProfile},
		{Method: "GET", Path: "/orgs/{org}/benchmark", OperationID: "getBenchmark", Summary: "Peer benchmark (formats.md Benchmark): quartiles over the latest snapshot of each opted-in organization of the group, suppressed under 5, and where this organization stands", Perm: identity.PermRead, Query: []queryParam{
			{Name: "industry", Description: "Only organizations of this industry"},
			{Name: "size_band", Description: "Only organizations of this size band"},
			{Name: "provider", Description: "Only organizations using this cloud provider"},
			{Name: "source", Description: "installation (default) or the name of an imported benchmark"},
		}, Handle: a.getBenchmark},
		{Method: "GET", Path: "/orgs/{org}/benchmark/export", OperationID: "exportBenchmark", Summary: "The installation's anonymized benchmarks (every group of 5 or more) as JSON or CSV, with model version, date and group sizes", Perm: identity.PermManageSettings, Produces: []string{mediaJSON, mediaCSV}, Query: []queryParam{
			{Name: "format", Description: "json when absent", Enum: []string{"json", "csv"}},
		}, Handle: a.exportBenchmark},
		{Method: "GET", Path: "/orgs/{org}/benchmarks", OperationID: "listBenchmarks", Summary: "Imported benchmarks", Perm: identity.PermRead, Handle: a.listBenchmarks},
		{Method: "POST", Path: "/orgs/{org}/benchmarks", OperationID: "importBenchmark", Summary: "Import an exported benchmark (JSON) as a named external benchmark, labelled with its source and date", Perm: identity.PermManageSettings, Body: mediaJSON, Status: http.StatusCreated, Query: []queryParam{
			{Name: "name", Description: "The benchmark's source: a consultant, an industry body"},
		}, Handle: a.importBenchmark},

		{Method: "GET", Path: "/orgs/{org}/models", OperationID: "listModels", Summary: "The organization's custom models", Perm: identity.PermRead, Handle: a.listModels},
		{Method: "POST", Path: "/orgs/{org}/models", OperationID: "uploadModel", Summary: "Upload a custom model (YAML); refused with every problem when invalid", Perm: identity.PermManageSettings, Body: mediaYAML, Status: http.StatusCreated, Handle: a.uploadModel},
		{Method: "GET", Path: "/orgs/{org}/models/{model}", OperationID: "getModel", Summary: "A model as JSON: builtin, or a custom model's ID", Perm: identity.PermRead, Handle: a.getModel},

		{Method: "GET", Path: "/orgs/{org}/tokens", OperationID: "listTokens", Summary: "API tokens (one's own; every token for admins)", Perm: identity.PermManageTokens, Handle: a.listTokens},
		{Method: "POST", Path: "/orgs/{org}/tokens", OperationID: "createToken", Summary: "Create an API token with a role no higher than one's own; the secret is shown once", Perm: identity.PermManageTokens, Body: mediaJSON, Status: http.StatusCreated, Handle: a.createToken},
		{Method: "DELETE", Path: "/orgs/{org}/tokens/{token}", OperationID: "revokeToken", Summary: "Revoke an API token (one's own; any for admins)", Perm: identity.PermManageTokens, Status: http.StatusNoContent, Handle: a.revokeToken},

		{Method: "GET", Path: "/orgs/{org}/audit", OperationID: "listAudit", Summary: "The audit log, newest first (cursor, limit, action, target_type, target_id, actor)", Perm: identity.PermReadAudit, Handle: a.listAudit},
	}
}
