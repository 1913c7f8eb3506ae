package assess_test

import (
	"bytes"
	"maps"
	"reflect"
	"testing"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// TestScoreTransientAsScore scores inputs of different shapes (ten scopes
// with evidence and exemptions, two scopes, one scope, the ten again) with
// ScoreTransient, each after the previous released its buffers, and checks
// each result and its JSON against Score's: a buffer reused from a larger
// or smaller result leaves nothing of it behind.
func TestScoreTransientAsScore(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	ten, two := tenScopeInput(m), twoScopeInput(m)
	one := two
	one.Scopes = two.Scopes[:1]
	for i, in := range []assess.Input{ten, two, one, ten, two} {
		want := assess.Score(in)
		wantJSON, err := want.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		got, release := assess.ScoreTransient(in)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("input %d: ScoreTransient differs from Score", i)
		}
		gotJSON, err := got.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Fatalf("input %d: ScoreTransient's JSON differs from Score's", i)
		}
		release()
	}
}

// TestScoreSavedOverlay checks that answers in Input.Saved replace those of
// Answers with the same key, and add the missing ones, exactly as the
// answers merged into one map.
func TestScoreSavedOverlay(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	in := twoScopeInput(m)
	saved := map[assess.Key]assess.Response{}
	for i, o := range m.Objectives {
		k := assess.Key{Objective: o.ID, Scope: in.Scopes[i%2].ID}
		switch {
		case i%17 == 0:
			saved[k] = assess.Response{Answer: assess.No, Date: asOf}
		case i%23 == 0:
			saved[k] = assess.Response{Answer: assess.Yes, Note: "saved", Date: asOf.AddDays(-3)}
		}
	}
	// An objective not answered in Answers gets its answer from Saved.
	var added assess.Key
	for _, o := range m.Objectives {
		k := assess.Key{Objective: o.ID, Scope: in.Scopes[0].ID}
		if _, ok := in.Answers[k]; !ok {
			added = k
			saved[k] = assess.Response{Answer: assess.Most, Date: asOf}
			break
		}
	}
	if added == (assess.Key{}) {
		t.Fatal("every objective is answered in the first scope: no answer to add")
	}
	merged := in
	merged.Answers = maps.Clone(in.Answers)
	maps.Copy(merged.Answers, saved)
	overlaid := in
	overlaid.Saved = saved

	want := assess.Score(merged)
	if reflect.DeepEqual(want, assess.Score(in)) {
		t.Fatal("the saved answers change nothing: the test proves nothing")
	}
	if got := assess.Score(overlaid); !reflect.DeepEqual(got, want) {
		t.Fatal("Score with Saved differs from Score with the answers merged")
	}
	got, release := assess.ScoreTransient(overlaid)
	defer release()
	if !reflect.DeepEqual(got, want) {
		t.Fatal("ScoreTransient with Saved differs from Score with the answers merged")
	}
	if a := got.Scopes[0].Objectives[m.ObjectiveOrder(added.Objective)].Answer; a == nil || a.Answer != assess.Most {
		t.Fatalf("the added answer of %s: got %+v, want most", added.Objective, a)
	}
}
