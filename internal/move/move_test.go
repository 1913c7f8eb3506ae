package move

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func load(t *testing.T) (from, to *model.Model, f *assess.File) {
	t.Helper()
	from, err := model.Load(filepath.Join("testdata", "old.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	to, err = model.Load(filepath.Join("testdata", "new.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f, err = assess.ReadFile(filepath.Join("testdata", "answers.yaml"), from)
	if err != nil {
		t.Fatal(err)
	}
	return from, to, f
}

// TestPlanGolden moves the test answers file from version 1 to version 2 of
// the test model and compares the plan and the moved file with the golden.
func TestPlanGolden(t *testing.T) {
	from, to, f := load(t)
	p := Make(Input{From: from, To: to, Answers: f.Answers, Exemptions: f.Exemptions, Targets: f.Targets})
	var got bytes.Buffer
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got.Write(b)
	got.WriteString("\n---\n")
	got.Write(p.File(f, to).Encode())
	golden := filepath.Join("testdata", "move.golden")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got.String()); d != "" {
		t.Errorf("plan differs from %s (-want +got):\n%s", golden, d)
	}
}

// TestPlanRules checks each rule on its own: kept, dropped, refused by the
// new scale, needing a new answer, and the moved file reading back with
// the new model.
func TestPlanRules(t *testing.T) {
	from, to, f := load(t)
	p := Make(Input{From: from, To: to, Answers: f.Answers, Exemptions: f.Exemptions, Targets: f.Targets})
	keys := func(list []Answer) []string {
		var out []string
		for _, a := range list {
			out = append(out, a.Objective+"/"+a.Scope+"="+a.Answer)
		}
		return out
	}
	if d := cmp.Diff([]string{"ACC-2.1/development=half", "ACC-2.1/production=yes", "ACC-2.2/development=yes"}, keys(p.Kept)); d != "" {
		t.Errorf("kept (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{
		"ACC-3.1/development=yes", "ACC-3.1/production=yes", "ACC-3.2/development=some", "ACC-3.2/production=some",
		"BAK-2.1/development=na", "BAK-2.1/production=na",
	}, keys(p.Dropped)); d != "" {
		t.Errorf("dropped (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"ACC-2.2/production=half"}, keys(p.Refused)); d != "" {
		t.Errorf("refused (-want +got):\n%s", d)
	}
	var needs []string
	for _, n := range p.NeedsAnswer {
		needs = append(needs, n.Objective+":"+string(n.Reason))
	}
	if d := cmp.Diff([]string{"ACC-2.2:scale", "ACC-2.3:added", "ACC-3.3:replaces", "LOG-2.1:added", "LOG-3.1:added", "LOG-4.1:added", "LOG-5.1:added"}, needs); d != "" {
		t.Errorf("needs answer (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"BAK-2.1"}, p.ExemptionsDropped); d != "" {
		t.Errorf("exemptions dropped (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"BAK"}, p.TargetsDropped); d != "" {
		t.Errorf("targets dropped (-want +got):\n%s", d)
	}
	moved := p.File(f, to)
	back, err := assess.ParseFile("moved.yaml", moved.Encode(), to)
	if err != nil {
		t.Fatalf("the moved file does not read back with the new model: %v", err)
	}
	if back.Model != "movetest@2" || len(back.Answers) != len(p.Kept) {
		t.Errorf("moved file: model %q with %d answers, want movetest@2 with %d", back.Model, len(back.Answers), len(p.Kept))
	}
}

// TestAccepts checks that a binary objective refuses the middle words.
func TestAccepts(t *testing.T) {
	bin := &model.Objective{ID: "X-2.1", Scale: model.ScaleBinary}
	cov := &model.Objective{ID: "X-2.2", Scale: model.ScaleCoverage}
	for _, tc := range []struct {
		o    *model.Objective
		a    assess.Answer
		want bool
	}{
		{bin, assess.Yes, true}, {bin, assess.No, true}, {bin, assess.NA, true},
		{bin, assess.Half, false}, {bin, assess.Some, false}, {bin, assess.Most, false},
		{cov, assess.Half, true}, {cov, assess.Some, true},
	} {
		if got := Accepts(tc.o, assess.Response{Answer: tc.a}); got != tc.want {
			t.Errorf("Accepts(%s %s, %s) = %v, want %v", tc.o.ID, tc.o.Scale, tc.a, got, tc.want)
		}
	}
}
