package asff

import (
	"strings"

	"github.com/csmm/csmm/internal/lazy"
)

// recommendationPrefix starts the RecommendationUrl of a Security Hub
// control finding, followed by the consolidated control ID.
const recommendationPrefix = "https://docs.aws.amazon.com/console/securityhub/"

// legacyControl returns the consolidated Security Hub control ID of a
// control finding of the CIS AWS Foundations Benchmark or PCI DSS standard
// written before consolidated control findings (no SecurityControlId), or "".
func legacyControl(f *finding) string {
	if f.Compliance == nil {
		return ""
	}
	gen := *f.GeneratorID
	cis := strings.Contains(gen, "cis-aws-foundations-benchmark/") || strings.Contains(f.ProductFields.StandardsGuideArn, "cis-aws-foundations-benchmark/")
	pci := strings.HasPrefix(gen, "pci-dss/") || strings.Contains(f.ProductFields.StandardsArn, "/pci-dss/")
	if !cis && !pci {
		return ""
	}
	if rest, ok := strings.CutPrefix(f.ProductFields.RecommendationURL, recommendationPrefix); ok {
		if c, _, ok := strings.Cut(rest, "/"); ok && c != "" && !strings.HasPrefix(c, "PCI.") {
			return c
		}
	}
	if pci {
		id := f.ProductFields.ControlID
		if id == "" {
			id = gen[strings.LastIndexByte(gen, '/')+1:]
		}
		return pciControls.Get()[id]
	}
	if strings.Contains(gen, "/v/1.2.0/") {
		rule := f.ProductFields.RuleID
		if rule == "" {
			rule = gen[strings.LastIndexByte(gen, '/')+1:]
		}
		return cis120Controls.Get()[rule]
	}
	return ""
}

// cis120Controls maps the rules of CIS AWS Foundations Benchmark v1.2.0 in
// Security Hub to their consolidated control IDs (Security Hub user guide,
// "Control IDs ... in the CIS AWS Foundations Benchmark v1.2.0").
var cis120Controls = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"1.1": "CloudWatch.1", "1.2": "IAM.5", "1.3": "IAM.8", "1.4": "IAM.3",
		"1.5": "IAM.11", "1.6": "IAM.12", "1.7": "IAM.13", "1.8": "IAM.14",
		"1.9": "IAM.15", "1.10": "IAM.16", "1.11": "IAM.17", "1.12": "IAM.4",
		"1.13": "IAM.9", "1.14": "IAM.6", "1.16": "IAM.2", "1.20": "IAM.18",
		"1.22": "IAM.1",
		"2.1":  "CloudTrail.1", "2.2": "CloudTrail.4", "2.3": "CloudTrail.6",
		"2.4": "CloudTrail.5", "2.5": "Config.1", "2.6": "CloudTrail.7",
		"2.7": "CloudTrail.2", "2.8": "KMS.4", "2.9": "EC2.6",
		"3.1": "CloudWatch.2", "3.2": "CloudWatch.3", "3.3": "CloudWatch.1",
		"3.4": "CloudWatch.4", "3.5": "CloudWatch.5", "3.6": "CloudWatch.6",
		"3.7": "CloudWatch.7", "3.8": "CloudWatch.8", "3.9": "CloudWatch.9",
		"3.10": "CloudWatch.10", "3.11": "CloudWatch.11", "3.12": "CloudWatch.12",
		"3.13": "CloudWatch.13", "3.14": "CloudWatch.14",
		"4.1": "EC2.13", "4.2": "EC2.14", "4.3": "EC2.2",
	}
}}

// pciControls maps the PCI DSS v3.2.1 controls of Security Hub to their
// consolidated control IDs (Security Hub user guide, "Control IDs ... in
// PCI DSS").
var pciControls = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"PCI.AutoScaling.1": "AutoScaling.1", "PCI.CloudTrail.1": "CloudTrail.2",
		"PCI.CloudTrail.2": "CloudTrail.3", "PCI.CloudTrail.3": "CloudTrail.4",
		"PCI.CloudTrail.4": "CloudTrail.5", "PCI.CodeBuild.1": "CodeBuild.1",
		"PCI.CodeBuild.2": "CodeBuild.2", "PCI.Config.1": "Config.1",
		"PCI.CW.1": "CloudWatch.1", "PCI.DMS.1": "DMS.1", "PCI.EC2.1": "EC2.1",
		"PCI.EC2.2": "EC2.2", "PCI.EC2.4": "EC2.12", "PCI.EC2.5": "EC2.13",
		"PCI.EC2.6": "EC2.6", "PCI.ELBV2.1": "ELB.1", "PCI.ES.1": "ES.2",
		"PCI.ES.2": "ES.1", "PCI.GuardDuty.1": "GuardDuty.1", "PCI.IAM.1": "IAM.4",
		"PCI.IAM.2": "IAM.2", "PCI.IAM.3": "IAM.1", "PCI.IAM.4": "IAM.6",
		"PCI.IAM.5": "IAM.9", "PCI.IAM.6": "IAM.19", "PCI.IAM.7": "IAM.8",
		"PCI.IAM.8": "IAM.10", "PCI.KMS.1": "KMS.4", "PCI.Lambda.1": "Lambda.1",
		"PCI.Lambda.2": "Lambda.3", "PCI.Opensearch.1": "Opensearch.2",
		"PCI.RDS.1": "RDS.1", "PCI.RDS.2": "RDS.2", "PCI.Redshift.1": "Redshift.1",
		"PCI.S3.1": "S3.3", "PCI.S3.2": "S3.2", "PCI.S3.3": "S3.7", "PCI.S3.4": "S3.4",
		"PCI.S3.5": "S3.5", "PCI.S3.6": "S3.1", "PCI.SageMaker.1": "SageMaker.1",
		"PCI.SSM.1": "SSM.2", "PCI.SSM.2": "SSM.3", "PCI.SSM.3": "SSM.1",
	}
}}
