package aws

import (
	"net/url"
	"testing"
)

func TestEvaluateSCP(t *testing.T) {
	all := map[string]bool{}
	for _, a := range protectedActions {
		all[a] = true
	}
	tests := []struct {
		name, policy   string
		leave, regions bool
		protects       int
	}{
		{"allow only", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, false, false, 0},
		{"deny leave, one statement object", `{"Statement":{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}}`, true, false, 0},
		{"deny by wildcard, any case", `{"Statement":[{"Effect":"deny","Action":["Organizations:Leave*","cloudtrail:*"]}]}`, true, false, 2},
		{"NotAction denies what it does not list", `{"Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}`, true, true, len(protectedActions)},
		{"region condition that is not an allow list", `{"Statement":[{"Effect":"Deny","Action":"ec2:*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`, false, false, 0},
		{"URL-encoded", url.QueryEscape(`{"Statement":[{"Effect":"Deny","Action":"*"}]}`), true, false, len(protectedActions)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := evaluateSCP(tt.policy)
			if err != nil {
				t.Fatal(err)
			}
			if f.denyLeave != tt.leave || f.denyRegions != tt.regions || len(f.protects) != tt.protects {
				t.Errorf("leave %v regions %v protects %d; want %v %v %d", f.denyLeave, f.denyRegions, len(f.protects), tt.leave, tt.regions, tt.protects)
			}
		})
	}
	if _, err := evaluateSCP(`{"Statement": 3}`); err == nil {
		t.Error("a malformed policy: no error")
	}
}
