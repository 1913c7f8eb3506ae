package assess

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/csmm/csmm/internal/model"
)

// TestScopesFoundByMapAsByList scores inputs of 1 to 40 scopes, among them
// two with the same ID, with answers in Answers and Saved (some for the
// same key, some for an unknown scope or objective), once finding each
// answer's scopes by going through the list and once through the map of
// their IDs: the results are the same.
func TestScopesFoundByMapAsByList(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	orig := scopeListMax
	t.Cleanup(func() { scopeListMax = orig })
	words := []Answer{Yes, Most, Half, Some, No}
	for _, ns := range []int{1, 2, 9, 40} {
		in := Input{Model: m, AsOf: Date{Year: 2026, Month: 10, Day: 1},
			Answers: map[Key]Response{}, Saved: map[Key]Response{}}
		for si := range ns {
			id := fmt.Sprintf("scope-%d", si)
			if si == ns-1 && ns > 1 {
				id = "scope-0" // the same ID as the first
			}
			in.Scopes = append(in.Scopes, Scope{ID: id, Weight: float64(1 + si%3)})
		}
		for oi, o := range m.Objectives {
			for si := range ns + 1 {
				scope := fmt.Sprintf("scope-%d", si) // scope-<ns> is none of the input's
				if (oi+si)%4 != 3 {
					in.Answers[Key{Objective: o.ID, Scope: scope}] = Response{Answer: words[(oi+si)%len(words)]}
				}
				if (oi*7+si)%5 == 0 {
					in.Saved[Key{Objective: o.ID, Scope: scope}] = Response{Answer: words[(oi*3+si)%len(words)], Note: "saved"}
				}
			}
		}
		in.Answers[Key{Objective: "NOPE-1.1", Scope: "scope-0"}] = Response{Answer: Yes}
		scopeListMax = 1 << 30
		byList := Score(in)
		scopeListMax = 0
		byMap := Score(in)
		if !reflect.DeepEqual(byList, byMap) {
			t.Errorf("%d scopes: the scores differ when the scopes are found through the map", ns)
		}
		if got := byList.Scopes[0].Objectives[0].Answer; got == nil {
			t.Errorf("%d scopes: no answer placed for %s in scope-0", ns, m.Objectives[0].ID)
		}
	}
}
