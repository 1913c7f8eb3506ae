package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/collect/aws/awsfake"
)

// TestCollectCredentialChain runs csmm collect aws without an injected
// configuration, as users do: credentials come from the environment, the
// shared files, --profile and --role-arn, and AWS_ENDPOINT_URL sends the
// calls to the fake (which answers as the account of the access key: the
// management account for long-term keys, the role's for assumed ones).
func TestCollectCredentialChain(t *testing.T) {
	fake := awsfake.New(t, awsfake.Example())
	home := t.TempDir()
	for name, content := range map[string]string{
		"credentials": "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = s\n",
		"config":      "[profile audit]\nrole_arn = arn:aws:iam::" + awsfake.Security + ":role/Audit\nsource_profile = ci\n",
	} {
		if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, ".aws", name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		vars    map[string]string
		args    []string
		account string
		err     string
	}{
		{"environment", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"}, nil, awsfake.Management, ""},
		{"--profile with keys", nil, []string{"--profile", "ci"}, awsfake.Management, ""},
		{"--profile with a role", nil, []string{"--profile", "audit"}, awsfake.Security, ""},
		{"AWS_PROFILE with a role", map[string]string{"AWS_PROFILE": "audit"}, nil, awsfake.Security, ""},
		{"--role-arn on top of a profile", nil, []string{"--profile", "ci", "--role-arn", "arn:aws:iam::" + awsfake.ProdA + ":role/Audit"}, awsfake.ProdA, ""},
		{"unknown --profile", nil, []string{"--profile", "nope"}, "", `profile "nope"`},
		{"no credentials", nil, nil, "", "no credentials found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"HOME": home, "AWS_ENDPOINT_URL": fake.Config().BaseEndpoint, "AWS_EC2_METADATA_DISABLED": "true"}
			if tt.name == "no credentials" {
				vars["HOME"] = t.TempDir()
			}
			for k, v := range tt.vars {
				vars[k] = v
			}
			env, _, _ := collectEnv()
			env.Getenv = func(k string) string { return vars[k] }
			file := filepath.Join(t.TempDir(), "aws.json")
			cmd := &CollectCommand{env: env, maxAttempts: 2, maxBackoff: 1}
			err := cmd.Run(context.Background(), append([]string{"aws", "--regions", "us-east-1", "--quiet", "-o", file}, tt.args...))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v; want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Results    []json.RawMessage `json:"results"`
				Provenance struct {
					Account, Caller string
				} `json:"provenance"`
			}
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Provenance.Account != tt.account || !strings.Contains(doc.Provenance.Caller, "::"+tt.account+":") || len(doc.Results) == 0 {
				t.Errorf("read account %s as %s, %d results; want account %s", doc.Provenance.Account, doc.Provenance.Caller, len(doc.Results), tt.account)
			}
		})
	}
}
