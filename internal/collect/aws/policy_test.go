package aws

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/collect"
	"github.com/csmm/csmm/internal/collect/aws/awsfake"
)

// servicePackages maps the SDK packages the collector imports to their IAM
// action prefix.
var servicePackages = map[string]string{
	"github.com/aws/aws-sdk-go-v2/service/organizations":  "organizations",
	"github.com/aws/aws-sdk-go-v2/service/sts":            "sts",
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail":     "cloudtrail",
	"github.com/aws/aws-sdk-go-v2/service/s3":             "s3",
	"github.com/aws/aws-sdk-go-v2/service/s3control":      "s3",
	"github.com/aws/aws-sdk-go-v2/service/guardduty":      "guardduty",
	"github.com/aws/aws-sdk-go-v2/service/securityhub":    "securityhub",
	"github.com/aws/aws-sdk-go-v2/service/configservice":  "config",
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer": "access-analyzer",
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin":       "sso",
	"github.com/aws/aws-sdk-go-v2/service/iam":            "iam",
	"github.com/aws/aws-sdk-go-v2/service/ec2":            "ec2",
}

// actionsInSource derives the IAM actions from the package's Go source:
// every operation input built (&svc.OperationInput{...}, which every call
// and paginator takes) and every role assumed (stscreds.NewAssumeRoleProvider).
func actionsInSource(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		imports := map[string]string{} // local name -> import path
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			local := p[strings.LastIndex(p, "/")+1:]
			if im.Name != nil {
				local = im.Name.Name
			}
			imports[local] = p
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				sel, ok := n.Type.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				pkg, ok := sel.X.(*ast.Ident)
				if !ok {
					return true
				}
				prefix, ok := servicePackages[imports[pkg.Name]]
				op, isInput := strings.CutSuffix(sel.Sel.Name, "Input")
				if ok && isInput {
					a := prefix + ":" + op
					if m, ok := iamAction[a]; ok {
						a = m
					}
					set[a] = true
				}
			case *ast.SelectorExpr:
				if pkg, ok := n.X.(*ast.Ident); ok && strings.HasSuffix(imports[pkg.Name], "/credentials/stscreds") && n.Sel.Name == "NewAssumeRoleProvider" {
					set["sts:AssumeRole"] = true
				}
			}
			return true
		})
	}
	return slices.Sorted(maps.Keys(set))
}

// actionsInPolicy lists the actions policy.json allows.
func actionsInPolicy(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Statement []struct {
			Effect string
			Action []string
		}
	}
	data, err := os.ReadFile("policy.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("policy.json: %v", err)
	}
	var out []string
	for _, st := range doc.Statement {
		if st.Effect != "Allow" {
			t.Errorf("policy.json: statement with effect %q; expected Allow only", st.Effect)
		}
		out = append(out, st.Action...)
	}
	slices.Sort(out)
	return out
}

// TestPolicyMatchesCalls fails when the code calls an action the shipped
// policy does not allow, or the policy allows one the code no longer calls.
func TestPolicyMatchesCalls(t *testing.T) {
	code, policy := actionsInSource(t), actionsInPolicy(t)
	if len(code) < 20 {
		t.Fatalf("found only %d actions in the source: %v", len(code), code)
	}
	if d := cmp.Diff(code, policy); d != "" {
		t.Errorf("policy.json and the calls in the code differ (-code +policy):\n%s", d)
	}
	for _, a := range policy {
		verb := a[strings.Index(a, ":")+1:]
		if a != "sts:AssumeRole" && !strings.HasPrefix(verb, "List") && !strings.HasPrefix(verb, "Describe") && !strings.HasPrefix(verb, "Get") {
			t.Errorf("%s: not a read-only list, describe or get action", a)
		}
	}
}

// discard is a sink that keeps nothing.
type discard struct{}

func (discard) Result(collect.Result) {}
func (discard) Gap(collect.Gap)       {}

// TestPolicyCoversRecordedCalls runs the Example organization and checks
// every operation the fake endpoint answered against the policy: the
// second, independent derivation of the action list.
func TestPolicyCoversRecordedCalls(t *testing.T) {
	fake := awsfake.New(t, awsfake.Example())
	_, err := Collect(context.Background(), Options{Org: true, Regions: awsfake.Regions, Concurrency: 4,
		MaxAttempts: 3, MaxBackoff: time.Millisecond, Config: fake.Config()}, discard{})
	if err != nil {
		t.Fatal(err)
	}
	policy := actionsInPolicy(t)
	var used []string
	for call := range fake.Calls() {
		a := strings.Replace(call, "s3control:", "s3:", 1)
		if m, ok := iamAction[a]; ok {
			a = m
		}
		used = append(used, a)
		if !slices.Contains(policy, a) {
			t.Errorf("the collection called %s (%s), which policy.json does not allow", a, call)
		}
	}
	for _, a := range policy {
		if !slices.Contains(used, a) {
			t.Errorf("policy.json allows %s, which the Example collection never called", a)
		}
	}
}
