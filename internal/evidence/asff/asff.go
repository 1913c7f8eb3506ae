// Package asff reads findings in the AWS Security Finding Format: what AWS
// Security Hub exports ({"Findings": [...]} as aws securityhub get-findings
// writes it, or a bare JSON list) and what Prowler writes with -M json-asff.
//
// Check IDs:
//
//   - a Security Hub control finding is securityhub:<control>, the control
//     taken from Compliance.SecurityControlId, else a GeneratorId
//     security-control/<control>, else the ProductFields.ControlId or the
//     GeneratorId of the AWS Foundational Security Best Practices standard
//     (whose control IDs are the Security Hub ones);
//   - a control finding of the legacy CIS AWS Foundations and PCI DSS
//     standards (no SecurityControlId) is securityhub:<control> too: the
//     control is read from ProductFields.RecommendationUrl
//     (.../console/securityhub/<control>/remediation) when present, else
//     from Security Hub's published mapping of the standard's rule (CIS
//     1.2.0 RuleId, PCI DSS ControlId PCI.*) to its consolidated control;
//   - a finding of another standard without a known control ID is
//     securityhub:<standard generator>, such as
//     securityhub:cis-aws-foundations-benchmark/v/1.4.0/4.9;
//   - a Prowler finding (ProductFields.ProviderName Prowler) is
//     prowler:aws:<check>, the check taken from its GeneratorId prowler-<check>;
//   - any other finding (GuardDuty, Inspector, ...) is asff:<GeneratorId>.
//
// Outcome: Compliance.Status PASSED is pass, FAILED is fail, anything else
// (WARNING, NOT_AVAILABLE, Prowler 3's INFOED, no Compliance) is other.
// Workflow.Status SUPPRESSED is muted; RecordState ARCHIVED is archived.
// The finding's time is UpdatedAt, else LastObservedAt, else CreatedAt.
package asff

import (
	"io"
	"strings"

	"github.com/csmm/csmm/internal/evidence"
)

// finding is the part of an ASFF finding that evidence needs, read by
// decodeFinding. The struct tags name the same members for DecodeRecord,
// which the tests hold decodeFinding's results and errors equal to.
type finding struct {
	GeneratorID  *string `json:"GeneratorId"`
	AwsAccountID string  `json:"AwsAccountId"`
	Region       string  `json:"Region"`
	ProductArn   string  `json:"ProductArn"`
	RecordState  string  `json:"RecordState"`
	// UpdatedAt is when the provider last updated the finding (for Security
	// Hub controls, their last evaluation); LastObservedAt and CreatedAt
	// stand for it when it is absent.
	UpdatedAt      string        `json:"UpdatedAt"`
	LastObservedAt string        `json:"LastObservedAt"`
	CreatedAt      string        `json:"CreatedAt"`
	ProductFields  productFields `json:"ProductFields"`
	// Compliance and Workflow are nil when the finding has none; they point
	// to compliance and workflow, reused from record to record.
	Compliance *compliance `json:"Compliance"`
	Workflow   *workflow   `json:"Workflow"`
	Resources  []resource  `json:"Resources"`

	compliance compliance
	workflow   workflow
}

type compliance struct {
	Status            string `json:"Status"`
	SecurityControlID string `json:"SecurityControlId"`
}

type workflow struct {
	Status string `json:"Status"`
}

type resource struct {
	ID     string `json:"Id"`
	Region string `json:"Region"`
}

// productFields are the ProductFields that name a finding's check; the
// others are skipped.
type productFields struct {
	ProviderName      string `json:"ProviderName"`
	ControlID         string `json:"ControlId"`
	RuleID            string `json:"RuleId"`
	RecommendationURL string `json:"RecommendationUrl"`
	StandardsGuideArn string `json:"StandardsGuideArn"`
	StandardsArn      string `json:"StandardsArn"`
}

// decodeFinding reads the finding at dec into f, which it resets first
// (keeping its storage).
func decodeFinding(dec *evidence.Scanner, f *finding) error {
	*f = finding{Resources: f.Resources[:0]}
	_, err := evidence.ReadObject(dec, func(name []byte) (bool, error) {
		var s *string
		switch string(name) {
		case "GeneratorId":
			return true, evidence.ReadStringPtr(dec, &f.GeneratorID)
		case "ProductFields":
			return true, evidence.ReadStruct(dec, &f.ProductFields)
		case "Compliance":
			return true, evidence.ReadOptional(&f.Compliance, &f.compliance, func(c *compliance) (bool, error) {
				return evidence.ReadStrings(dec, c.Field)
			})
		case "Workflow":
			return true, evidence.ReadOptional(&f.Workflow, &f.workflow, func(w *workflow) (bool, error) {
				return evidence.ReadStrings(dec, w.Field)
			})
		case "Resources":
			return true, evidence.ReadStructs(dec, &f.Resources)
		case "AwsAccountId":
			s = &f.AwsAccountID
		case "Region":
			s = &f.Region
		case "ProductArn":
			s = &f.ProductArn
		case "RecordState":
			s = &f.RecordState
		case "UpdatedAt":
			s = &f.UpdatedAt
		case "LastObservedAt":
			s = &f.LastObservedAt
		case "CreatedAt":
			s = &f.CreatedAt
		default:
			return false, nil
		}
		return true, evidence.ReadString(dec, s)
	})
	return err
}

// Field returns the string member name of ProductFields goes into.
func (p *productFields) Field(name []byte) *string {
	switch string(name) {
	case "ProviderName":
		return &p.ProviderName
	case "ControlId":
		return &p.ControlID
	case "RuleId":
		return &p.RuleID
	case "RecommendationUrl":
		return &p.RecommendationURL
	case "StandardsGuideArn":
		return &p.StandardsGuideArn
	case "StandardsArn":
		return &p.StandardsArn
	}
	return nil
}

// Field returns the string member name of Compliance goes into.
func (c *compliance) Field(name []byte) *string {
	switch string(name) {
	case "Status":
		return &c.Status
	case "SecurityControlId":
		return &c.SecurityControlID
	}
	return nil
}

// Field returns the string member name of Workflow goes into.
func (w *workflow) Field(name []byte) *string {
	if string(name) == "Status" {
		return &w.Status
	}
	return nil
}

// Field returns the string member name of a resource goes into.
func (r *resource) Field(name []byte) *string {
	switch string(name) {
	case "Id":
		return &r.ID
	case "Region":
		return &r.Region
	}
	return nil
}

// listKeys are the keys of a top-level object that may hold the list of
// findings: aws securityhub get-findings writes Findings.
func listKeys() []string { return []string{"Findings", "findings"} }

// Read reads ASFF findings: a JSON list, or an object with the list under
// Findings.
func Read(file string, r io.Reader, emit evidence.Emit) error {
	return evidence.ReadRecords(file, r, listKeys(), newReader, emit)
}

// newReader returns a reader of ASFF findings with its own storage.
func newReader() evidence.RecordReader {
	var f finding
	var times evidence.TimeParser
	return func(dec *evidence.Scanner, rec int, emit evidence.Emit) error {
		if err := decodeFinding(dec, &f); err != nil {
			return err
		}
		if f.GeneratorID == nil {
			return &evidence.FieldError{Field: "GeneratorId", Message: "missing; expected the ASFF GeneratorId of the finding"}
		}
		when, err := times.Field("UpdatedAt", f.UpdatedAt, "LastObservedAt", f.LastObservedAt, "CreatedAt", f.CreatedAt)
		if err != nil {
			return err
		}
		fd := evidence.Finding{
			Time:     when,
			CheckID:  checkID(&f),
			Account:  f.AwsAccountID,
			Region:   f.Region,
			Status:   evidence.Other,
			Archived: strings.EqualFold(f.RecordState, "ARCHIVED"),
			Muted:    f.Workflow != nil && strings.EqualFold(f.Workflow.Status, "SUPPRESSED"),
		}
		if f.Compliance != nil {
			switch strings.ToUpper(f.Compliance.Status) {
			case "PASSED":
				fd.Status = evidence.Pass
			case "FAILED":
				fd.Status = evidence.Fail
			}
		}
		if len(f.Resources) > 0 {
			fd.Resource = f.Resources[0].ID
			if f.Resources[0].Region != "" {
				fd.Region = f.Resources[0].Region
			}
		}
		return emit(fd)
	}
}

// standardPrefixes are the prefixes of the GeneratorId of a standard's
// control finding; the Foundational Security Best Practices one names
// Security Hub controls.
const (
	fsbp         = "aws-foundational-security-best-practices/"
	rulesetArn   = "arn:aws:securityhub:::ruleset/"
	controlGen   = "security-control/"
	prowlerGen   = "prowler-"
	prowlerName  = "Prowler"
	asffPrefix   = "asff:"
	controlIDKey = "ControlId"
)

func checkID(f *finding) string {
	gen := *f.GeneratorID
	if isProwler(f) && strings.HasPrefix(gen, prowlerGen) {
		return "prowler:aws:" + strings.TrimPrefix(gen, prowlerGen)
	}
	if f.Compliance != nil && f.Compliance.SecurityControlID != "" {
		return "securityhub:" + f.Compliance.SecurityControlID
	}
	if c, ok := strings.CutPrefix(gen, controlGen); ok && c != "" {
		return "securityhub:" + c
	}
	if strings.HasPrefix(gen, fsbp) {
		if c := field(f, controlIDKey); c != "" {
			return "securityhub:" + c
		}
		if i := strings.LastIndexByte(gen, '/'); i >= 0 && i < len(gen)-1 {
			return "securityhub:" + gen[i+1:]
		}
	}
	if c := legacyControl(f); c != "" {
		return "securityhub:" + c
	}
	if f.Compliance != nil {
		// A control finding of another standard, from before consolidated
		// control IDs: named by the standard's own generator.
		return "securityhub:" + strings.TrimPrefix(gen, rulesetArn)
	}
	return asffPrefix + gen
}

func isProwler(f *finding) bool {
	return f.ProductFields.ProviderName == prowlerName || strings.Contains(f.ProductArn, "product/prowler/prowler")
}

// field returns a ProductFields value.
func field(f *finding, key string) string {
	if key == controlIDKey {
		return f.ProductFields.ControlID
	}
	return ""
}
