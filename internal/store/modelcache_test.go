package store

import (
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
)

func TestModelCache(t *testing.T) {
	var c modelCache
	yaml := strings.Replace(string(model.BuiltinYAML()), "version: 2.0.0", "version: 2.1.0", 1)
	cm := &CustomModel{ID: "m1", Name: "csmm", Version: "2.1.0", YAML: yaml}
	first, err := c.parse(cm)
	if err != nil {
		t.Fatal(err)
	}
	if first.Version != "2.1.0" {
		t.Fatalf("parsed version %s, want 2.1.0", first.Version)
	}
	again, err := c.parse(&CustomModel{ID: "m1", Name: "csmm", Version: "2.1.0", YAML: yaml})
	if err != nil || again != first {
		t.Errorf("the same model was parsed again (%p, %p, %v)", first, again, err)
	}
	changed := strings.Replace(yaml, "version: 2.1.0", "version: 2.2.0", 1)
	other, err := c.parse(&CustomModel{ID: "m1", Name: "csmm", Version: "2.2.0", YAML: changed})
	if err != nil || other == first || other.Version != "2.2.0" {
		t.Errorf("changed YAML under the same ID served the cached model (version %s, %v)", other.Version, err)
	}
	if _, err := c.parse(&CustomModel{ID: "bad", Name: "x", Version: "1", YAML: "id: x\n"}); csmm.ErrorCode(err) != csmm.EINVALID {
		t.Errorf("invalid stored model: %v, want code invalid", err)
	}
	if _, ok := c.models["bad"]; ok || len(c.models) != 2 {
		t.Errorf("cache holds %d entries, want the 2 valid models only", len(c.models))
	}
}
