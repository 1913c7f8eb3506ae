package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// The actions whose denial protects the security services: stopping or
// deleting CloudTrail, GuardDuty, Config and Security Hub.
var protectedActions = []string{
	"cloudtrail:StopLogging", "cloudtrail:DeleteTrail",
	"guardduty:DeleteDetector", "guardduty:DisassociateFromMasterAccount",
	"config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder",
	"securityhub:DisableSecurityHub",
}

// scpFacts is what a set of service control policies denies.
type scpFacts struct {
	denyLeave   bool
	denyRegions bool
	// protects lists the protected actions denied.
	protects map[string]bool
}

func (f *scpFacts) add(g scpFacts) {
	f.denyLeave = f.denyLeave || g.denyLeave
	f.denyRegions = f.denyRegions || g.denyRegions
	for a := range g.protects {
		if f.protects == nil {
			f.protects = map[string]bool{}
		}
		f.protects[a] = true
	}
}

// scpsOf reads the SCPs attached to one target (root, OU or account).
func (c *collector) scpsOf(ctx context.Context, target string) (scpFacts, error) {
	var f scpFacts
	for ps, err := range c.org.client.ListPoliciesForTarget(ctx, target, "SERVICE_CONTROL_POLICY") {
		if err != nil {
			return scpFacts{}, err
		}
		g, err := c.policyFacts(ctx, ps.ID)
		if err != nil {
			return scpFacts{}, err
		}
		f.add(g)
	}
	return f, nil
}

// policyFacts reads and evaluates one SCP, once per run.
func (c *collector) policyFacts(ctx context.Context, id string) (scpFacts, error) {
	c.mu.Lock()
	f, ok := c.policies[id]
	c.mu.Unlock()
	if ok {
		return f, nil
	}
	content, err := c.org.client.DescribePolicy(ctx, id)
	if err != nil {
		return scpFacts{}, err
	}
	f, err = evaluateSCP(content)
	if err != nil {
		return scpFacts{}, fmt.Errorf("policy %s: %w", id, err)
	}
	c.mu.Lock()
	c.policies[id] = f
	c.mu.Unlock()
	return f, nil
}

// accountSCPs reports the three SCP facts of an account from the policies
// attached to it, its OUs and the root (an SCP's deny anywhere on that path
// applies). SCPs never restrict the management account.
func (c *collector) accountSCPs(ctx context.Context, a *account) {
	checks := []string{checkSCPDenyLeave, checkSCPProtect, checkSCPDenyRegions}
	if a.id == c.org.management {
		for _, chk := range checks {
			c.result(chk, a.id, a, "", false, "service control policies do not apply to the management account")
		}
		return
	}
	var f scpFacts
	for _, t := range append([]string{c.org.root}, a.where.OUIDs...) {
		if err := c.org.targetErr[t]; err != nil {
			c.gap(a, "", checks, err)
			return
		}
		f.add(c.org.targetSCPs[t])
	}
	own, err := c.scpsOf(ctx, a.id)
	if err != nil {
		c.gap(a, "", checks, err)
		return
	}
	f.add(own)
	c.result(checkSCPDenyLeave, a.id, a, "", f.denyLeave, map[bool]string{false: "no SCP denies organizations:LeaveOrganization"}[f.denyLeave])
	var missing []string
	for _, act := range protectedActions {
		if !f.protects[act] {
			missing = append(missing, act)
		}
	}
	detail := ""
	if len(missing) > 0 {
		detail = "not denied: " + strings.Join(missing, ", ")
	}
	c.result(checkSCPProtect, a.id, a, "", len(missing) == 0, detail)
	c.result(checkSCPDenyRegions, a.id, a, "", f.denyRegions, map[bool]string{false: "no SCP denies regions outside an allow list (aws:RequestedRegion)"}[f.denyRegions])
}

// policyDoc is an IAM policy document as SCPs use it.
type policyDoc struct {
	Statement statements `json:"Statement"`
}

type statement struct {
	Effect    string                    `json:"Effect"`
	Action    strList                   `json:"Action"`
	NotAction strList                   `json:"NotAction"`
	Condition map[string]map[string]any `json:"Condition"`
}

// statements is one statement or a list of them.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '{' {
		var one statement
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = statements{one}
		return nil
	}
	return json.Unmarshal(b, (*[]statement)(s))
}

// strList is a string or a list of strings.
type strList []string

func (s *strList) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = strList{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(s))
}

// evaluateSCP tells what one policy denies. Organizations returns the
// content as JSON, sometimes URL-encoded.
func evaluateSCP(content string) (scpFacts, error) {
	if strings.HasPrefix(content, "%7B") {
		if dec, err := url.QueryUnescape(content); err == nil {
			content = dec
		}
	}
	var doc policyDoc
	if err := json.Unmarshal([]byte(content), &doc); err != nil {
		return scpFacts{}, fmt.Errorf("read the policy document: %w", err)
	}
	f := scpFacts{protects: map[string]bool{}}
	for _, st := range doc.Statement {
		if !strings.EqualFold(st.Effect, "Deny") {
			continue
		}
		if st.denies("organizations:LeaveOrganization") {
			f.denyLeave = true
		}
		for _, act := range protectedActions {
			if st.denies(act) {
				f.protects[act] = true
			}
		}
		if st.restrictsRegions() {
			f.denyRegions = true
		}
	}
	return f, nil
}

// denies reports whether a Deny statement covers action: listed in Action,
// or not excluded by NotAction.
func (st statement) denies(action string) bool {
	if len(st.NotAction) > 0 {
		return !matchAny(st.NotAction, action)
	}
	return matchAny(st.Action, action)
}

// restrictsRegions reports whether a Deny statement applies outside an
// allow list of regions: a negated condition on aws:RequestedRegion.
func (st statement) restrictsRegions() bool {
	for op, kv := range st.Condition {
		if !strings.HasPrefix(strings.ToLower(op), "stringnot") {
			continue
		}
		for k := range kv {
			if strings.EqualFold(k, "aws:RequestedRegion") {
				return true
			}
		}
	}
	return false
}

// matchAny matches an action against IAM patterns (* and ?, case-insensitive).
func matchAny(patterns []string, action string) bool {
	action = strings.ToLower(action)
	for _, p := range patterns {
		if ok, _ := path.Match(strings.ToLower(p), action); ok {
			return true
		}
	}
	return false
}
