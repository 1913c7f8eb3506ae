package awsfake

import "fmt"

// The accounts of the Example organization.
const (
	Management = "111111111111"
	Security   = "222222222222"
	ProdA      = "333333333333"
	ProdB      = "444444444444" // its member role cannot be assumed
	Dev        = "555555555555"
	Sandbox    = "666666666666" // directly under the root; throttled and denied calls
)

// Regions of the Example organization: af-south-1 is an opt-in region the
// Dev account has not enabled.
var Regions = []string{"af-south-1", "eu-west-1", "us-east-1"}

const (
	fullAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	guardrails = `{"Version":"2012-10-17","Statement":[
{"Sid":"DenyLeave","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"},
{"Sid":"ProtectSecurity","Effect":"Deny","Action":["cloudtrail:StopLogging","cloudtrail:DeleteTrail","guardduty:DeleteDetector","guardduty:Disassociate*","config:StopConfigurationRecorder","config:DeleteConfigurationRecorder","securityhub:DisableSecurityHub"],"Resource":"*"}]}`
	regionAllowList = `{"Version":"2012-10-17","Statement":{"Sid":"DenyOtherRegions","Effect":"Deny","NotAction":["iam:*","organizations:*","sts:*","support:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}}`
)

// Example is a small organization that exercises every fact and every kind
// of gap: paginated accounts and users, a member role that cannot be
// assumed, a disabled opt-in region, throttling that a retry overcomes
// (organizations:ListAccountsForParent, twice) and throttling that outlasts
// every retry (GuardDuty in the Sandbox account's us-east-1), and access
// denied (S3 Control in the Sandbox account).
func Example() *World {
	on := &[4]bool{true, true, true, true}
	return &World{
		Org: "o-example123", Mgmt: Management, Root: "r-ab12",
		OUs: []OU{
			{ID: "ou-ab12-security", Name: "Security", Parent: "r-ab12"},
			{ID: "ou-ab12-workloads", Name: "Workloads", Parent: "r-ab12"},
			{ID: "ou-ab12-prod", Name: "Prod", Parent: "ou-ab12-workloads"},
			{ID: "ou-ab12-dev", Name: "Dev", Parent: "ou-ab12-workloads"},
		},
		Accounts: []*Account{
			{ID: Management, Name: "management", Parent: "r-ab12", RootMFA: true, PAB: on, IDC: true,
				Users: []User{{Name: "breakglass", Password: true}}, Analyzer: map[string]bool{"us-east-1": true}},
			{ID: Security, Name: "security", Parent: "ou-ab12-security", PAB: on, Backup: true,
				Analyzer: map[string]bool{"eu-west-1": true}},
			{ID: ProdA, Name: "prod-a", Parent: "ou-ab12-prod", RootMFA: true, PAB: on, Backup: true,
				Users: []User{{Name: "ci"}, {Name: "deploy", ActiveKey: true}, {Name: "reader"}}},
			{ID: ProdB, Name: "prod-b", Parent: "ou-ab12-prod", AssumeDenied: true, Backup: true},
			{ID: Dev, Name: "dev", Parent: "ou-ab12-dev", RootMFA: true, RootKeys: 1, PAB: &[4]bool{true, true, false, true},
				OptedOut: map[string]bool{"af-south-1": true},
				Off:      map[string]bool{"guardduty/eu-west-1": true, "securityhub": true, "config/eu-west-1": true, "ebs": true}},
			{ID: Sandbox, Name: "sandbox", Parent: "r-ab12", RootMFA: true, PAB: on},
		},
		Policies: map[string]Policy{
			"p-FullAWSAccess": {ID: "p-FullAWSAccess", Name: "FullAWSAccess", Content: fullAccess, AWSManaged: true},
			"p-guardrails":    {ID: "p-guardrails", Name: "guardrails", Content: guardrails},
			"p-regions":       {ID: "p-regions", Name: "region-allow-list", Content: regionAllowList},
		},
		Attach: map[string][]string{
			"r-ab12":            {"p-FullAWSAccess", "p-guardrails"},
			"ou-ab12-workloads": {"p-FullAWSAccess", "p-regions"},
			"ou-ab12-security":  {"p-FullAWSAccess"},
			"ou-ab12-prod":      {"p-FullAWSAccess"},
			"ou-ab12-dev":       {"p-FullAWSAccess"},
		},
		Delegated: map[string]string{
			"guardduty.amazonaws.com": Security, "securityhub.amazonaws.com": Security,
			"access-analyzer.amazonaws.com": Security, "inspector2.amazonaws.com": Security,
		},
		Trails: []Trail{
			{Name: "local", Bucket: "mgmt-logs", Logging: true},
			{Name: "org-trail", Bucket: "org-trail-archive", MultiRegion: true, Validation: true, KMS: true, Org: true, Logging: true},
		},
		Buckets:     map[string][]string{Management: {"mgmt-logs", "mgmt-artifacts"}},
		ObjectLock:  map[string]bool{"org-trail-archive": true},
		CentralRoot: true,
		Regions:     Regions,
		OptIn:       map[string]bool{"af-south-1": true},
		Throttle: map[string]int{
			"organizations:ListAccountsForParent":          2,
			Sandbox + "/us-east-1/guardduty:ListDetectors": -1,
		},
		Deny: map[string]bool{Sandbox + "/s3control:GetPublicAccessBlock": true},
	}
}

// Large is a generated organization of n accounts in 10 OUs, each with the
// given regions enabled, and a mix of settings on and off, for benchmarks.
func Large(n int, regions []string) *World {
	w := &World{
		Org: "o-large00000", Mgmt: "100000000000", Root: "r-0000",
		Policies: map[string]Policy{
			"p-FullAWSAccess": {ID: "p-FullAWSAccess", Name: "FullAWSAccess", Content: fullAccess, AWSManaged: true},
			"p-guardrails":    {ID: "p-guardrails", Name: "guardrails", Content: guardrails},
		},
		Attach:    map[string][]string{"r-0000": {"p-FullAWSAccess", "p-guardrails"}},
		Delegated: map[string]string{"guardduty.amazonaws.com": "100000000001"},
		Trails:    []Trail{{Name: "org-trail", Bucket: "archive", MultiRegion: true, Validation: true, KMS: true, Org: true, Logging: true}},
		Regions:   regions,
		PageSize:  20,
	}
	for i := range 10 {
		id := fmt.Sprintf("ou-0000-%08d", i)
		w.OUs = append(w.OUs, OU{ID: id, Name: fmt.Sprintf("OU%d", i), Parent: w.Root})
		w.Attach[id] = []string{"p-FullAWSAccess"}
	}
	for i := range n {
		a := &Account{ID: fmt.Sprintf("%012d", 100000000000+i), Name: fmt.Sprintf("account-%d", i),
			Parent: w.OUs[i%10].ID, RootMFA: i%7 != 0, PAB: &[4]bool{true, true, i%5 != 0, true}, Backup: i%3 == 0,
			Users: []User{{Name: "ci", ActiveKey: i%4 == 0}, {Name: "ops", Password: i%6 == 0}},
			Off:   map[string]bool{}}
		if i == 0 {
			a.Parent, a.IDC = w.Root, true
		}
		for j, r := range regions {
			if (i+j)%9 == 0 {
				a.Off["guardduty/"+r] = true
			}
			if (i+j)%4 == 0 {
				a.Off["config/"+r] = true
			}
		}
		w.Accounts = append(w.Accounts, a)
	}
	return w
}
