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
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/collect"
	"github.com/csmm/csmm/internal/collect/aws/awsapi"
	"github.com/csmm/csmm/internal/collect/aws/awsfake"
)

// actionsInSource derives the IAM actions from the package's Go source:
// every awsapi operation called (a method named like one of
// awsapi.Operations, which each call and page iterator is) and every role
// assumed (awsapi.NewAssumeRoleProvider).
func actionsInSource(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	ops := awsapi.Operations()
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
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "awsapi" {
				if sel.Sel.Name == "NewAssumeRoleProvider" {
					set["sts:AssumeRole"] = true
				}
				return true
			}
			if op, ok := ops[sel.Sel.Name]; ok {
				set[op.Action] = true
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
	ops := awsapi.Operations()
	for call := range fake.Calls() {
		op, ok := ops[call[strings.Index(call, ":")+1:]]
		if !ok {
			t.Errorf("the fake answered %s, which awsapi does not call", call)
			continue
		}
		a := op.Action
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
