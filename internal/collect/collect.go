// Package collect gathers evidence straight from a cloud with read-only
// calls, in the same shape as a scanner's findings: per resource a pass or a
// fail of a check, with its account and region. It is provider-neutral: the
// result and gap types, the bounded worker pool, the progress line, the scope
// mapping and the streaming JSON writer (format csmm-collect/1) live here,
// and each cloud is a package beside the others (collect/aws).
//
// Nothing is held per response: a provider hands every result to a Sink as
// soon as it is known, and the Writer streams it to the output and adds it to
// per-scope counts.
package collect

import "time"

// Format is the version tag of the JSON document the Writer produces.
const Format = "csmm-collect/1"

// Status is the outcome of one check on one resource.
type Status string

// The outcomes a collector reports. A resource that could not be read is not
// a Status: it is a Gap, never a pass or a fail.
const (
	Pass Status = "pass"
	Fail Status = "fail"
)

// Result is one evaluation of one resource by one check.
type Result struct {
	// Check is the canonical check ID, such as csmm:aws:guardduty_enabled.
	Check    string `json:"check"`
	Resource string `json:"resource"`
	Account  string `json:"account,omitempty"`
	Region   string `json:"region,omitempty"`
	Status   Status `json:"status"`
	// Scope is the assessment scope of the resource; empty for a fact about
	// the whole organization, which counts in every scope.
	Scope string `json:"scope,omitempty"`
	// Detail says why, in a few words (which setting was off).
	Detail string `json:"detail,omitempty"`
}

// Reason classifies why something could not be read.
type Reason string

// The reasons a gap is reported.
const (
	// AssumeRoleDenied: the member account's role could not be assumed.
	AssumeRoleDenied Reason = "assume_role_denied"
	// AccessDenied: the caller lacks a permission for the call.
	AccessDenied Reason = "access_denied"
	// RegionDisabled: the region is not enabled (opted in) for the account.
	RegionDisabled Reason = "region_disabled"
	// Throttled: the service kept throttling after every retry.
	Throttled Reason = "throttled"
	// Failed: any other error (network, unexpected response).
	Failed Reason = "error"
)

// Gap is a part of the collection that could not be read: an account, an
// account's region, or one call. Its checks are not evaluated there.
type Gap struct {
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// Checks are the checks left unevaluated by this gap.
	Checks []string `json:"checks"`
	Scope  string   `json:"scope,omitempty"`
	// Operation is the call that failed, as service:Action.
	Operation string `json:"operation,omitempty"`
	Reason    Reason `json:"reason"`
	Message   string `json:"message,omitempty"`
}

// Sink receives results and gaps as they are found. Implementations are safe
// for concurrent use.
type Sink interface {
	Result(Result)
	Gap(Gap)
}

// Provenance says what produced a collection, from where and when.
type Provenance struct {
	Tool     string `json:"tool"`
	Version  string `json:"version"`
	Provider string `json:"provider"`
	// Caller is the identity the calls were made as (an ARN).
	Caller string `json:"caller"`
	// Account is the caller's account.
	Account string `json:"account"`
	// Organization is the organization's ID when the whole organization was
	// walked.
	Organization string   `json:"organization,omitempty"`
	Regions      []string `json:"regions"`
	Accounts     int      `json:"accounts"`
	// Started and Finished bound the scan: the evidence is as of Started.
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
}
