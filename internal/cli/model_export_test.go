package cli_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/model"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestModelExportJSON(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, "", "model", "export").wantCode(t, 0)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	for _, k := range []string{"id", "version", "name", "levels", "domains", "categories", "objectives"} {
		if _, ok := got[k]; !ok {
			t.Errorf("export has no %q", k)
		}
	}
	objs := got["objectives"].([]any)
	if len(objs) != len(m.Objectives) {
		t.Fatalf("%d objectives, want %d", len(objs), len(m.Objectives))
	}
	for i, o := range objs {
		obj := o.(map[string]any)
		if obj["id"] != m.Objectives[i].ID {
			t.Errorf("objective %d is %v, want %s (model order)", i, obj["id"], m.Objectives[i].ID)
		}
		for _, k := range []string{"id", "category", "level", "title", "kpi", "question", "guidance", "threshold", "mode", "controls", "checks"} {
			if _, ok := obj[k]; !ok {
				t.Errorf("objective %v has no %q", obj["id"], k)
			}
		}
		controls := obj["controls"].(map[string]any)
		for _, k := range []string{"aws", "azure", "gcp"} {
			if _, ok := controls[k].([]any); !ok {
				t.Errorf("objective %v: controls.%s is %v, want a list", obj["id"], k, controls[k])
			}
		}
		if _, ok := obj["checks"].([]any); !ok {
			t.Errorf("objective %v: checks is not a list", obj["id"])
		}
	}
	cat := got["categories"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "domain", "name", "weight"} {
		if _, ok := cat[k]; !ok {
			t.Errorf("category has no %q", k)
		}
	}
}

// TestModelExportRoundTrip exports the model as JSON and as YAML and reads
// each back as a model: the same model either way.
func TestModelExportRoundTrip(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "model."+format)
			r := run(t, "", "model", "export", "--format", format, "-o", out).wantCode(t, 0)
			if r.stdout != "" {
				t.Errorf("stdout with -o: %.100s", r.stdout)
			}
			back, err := model.Load(out)
			if err != nil {
				t.Fatalf("the export does not load as a model: %v", err)
			}
			if diff := cmp.Diff(m, back, cmpopts.IgnoreUnexported(model.Model{})); diff != "" {
				t.Errorf("round trip (-builtin +export):\n%s", diff)
			}
			run(t, "", "model", "validate", out).wantCode(t, 0)
		})
	}
}

func TestModelExportMarkdown(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, "", "model", "export", "--format", "md").wantCode(t, 0)
	md := r.stdout
	if !strings.HasPrefix(md, "# "+m.Name+"\n") {
		t.Errorf("the catalogue does not start with the model name:\n%.100s", md)
	}
	last := 0
	for _, l := range m.Levels {
		if !strings.Contains(md, l.Name) {
			t.Errorf("level %q is missing", l.Name)
		}
	}
	for _, o := range m.Objectives {
		head := "#### " + o.ID + " " + o.Title + "\n"
		i := strings.Index(md, head)
		if i < 0 {
			t.Errorf("objective %s has no heading", o.ID)
			continue
		}
		if i < last {
			t.Errorf("objective %s is out of model order", o.ID)
		}
		last = i
		section := md[i:]
		if j := strings.Index(section[len(head):], "\n#"); j >= 0 {
			section = section[:len(head)+j]
		}
		want := []string{"**KPI:** " + oneLine(o.KPI), "**Question:** " + oneLine(o.Question), "**Mode:** " + string(o.Mode)}
		for _, c := range o.Controls.AWS {
			want = append(want, c)
		}
		for _, c := range o.Checks {
			want = append(want, "`"+c+"`")
		}
		for _, w := range want {
			if !strings.Contains(section, w) {
				t.Errorf("objective %s does not show %q", o.ID, w)
			}
		}
	}
}

func TestModelExportWithModelFlag(t *testing.T) {
	out := filepath.Join(t.TempDir(), "custom.yaml")
	run(t, "", "model", "import", "../../examples/model-import/objectives.csv", "--map", "../../examples/model-import/map.yaml", "-o", out).wantCode(t, 0)
	r := run(t, "", "model", "export", "--model", out).wantCode(t, 0)
	if !strings.Contains(r.stdout, `"id": "acme-cloud"`) {
		t.Errorf("export --model does not export that model:\n%.200s", r.stdout)
	}
}
