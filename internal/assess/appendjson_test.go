package assess_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
)

// fill sets every field reachable from v: strings to text that needs
// escaping, numbers to values that change with *n, bools alternately true
// and false, pointers to filled values, slices to three filled elements
// (or left nil, one time in four, and empty one time in four). A field
// added to a result type later is filled too, so an encoder that forgets
// it no longer matches encoding/json.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		texts := []string{"IAM-2.1", `a "quoted" <b>&</b> \ note`, "tab\there\nline\u2028sep\x01\xff", "", "évidence ✓"}
		v.SetString(texts[*n%len(texts)])
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n % 7))
	case reflect.Float64:
		floats := []float64{2.8657407407407405, 0, 1, 1e-7, 3.5e21, -0.25, 0.1 + 0.2, 1e20}
		v.SetFloat(floats[*n%len(floats)])
	case reflect.Bool:
		v.SetBool(*n%2 == 0)
	case reflect.Pointer:
		if *n%5 == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), n)
		v.Set(p)
	case reflect.Slice:
		switch *n % 4 {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			return
		}
		s := reflect.MakeSlice(v.Type(), 3, 3)
		for i := range 3 {
			fill(s.Index(i), n)
		}
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[assess.Date]() {
			if *n%6 == 0 {
				return // the zero date
			}
			v.Set(reflect.ValueOf(assess.Date{Year: 2020 + *n%7, Month: time1(*n), Day: 1 + *n%28}))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	default:
		panic("fill: unexpected kind " + v.Kind().String() + " of " + v.Type().String())
	}
}

func time1(n int) time.Month { return time.Month(1 + n%12) }

func TestAppendJSONMatchesMarshal(t *testing.T) {
	m, err := model.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]*assess.Result{"ten scopes": ptr(assess.Score(tenScopeInput(m)))}
	for seed := range 40 {
		var r assess.Result
		n := seed
		fill(reflect.ValueOf(&r).Elem(), &n)
		results["filled, seed "+string(rune('A'+seed))] = &r
	}
	results["empty"] = &assess.Result{}
	for name, r := range results {
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("%s: json.Marshal: %v", name, err)
		}
		got, err := r.AppendJSON(nil)
		if err != nil {
			t.Fatalf("%s: AppendJSON: %v", name, err)
		}
		if string(got) != string(want) {
			i := 0
			for i < len(got) && i < len(want) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s: AppendJSON differs from json.Marshal at byte %d:\n got …%s\nwant …%s", name, i, excerpt(got, i), excerpt(want, i))
		}
	}
}

func TestAppendJSONRefusesNaN(t *testing.T) {
	r := assess.Result{Program: assess.Program{Score: math.NaN()}}
	if _, err := r.AppendJSON(nil); err == nil {
		t.Error("AppendJSON of a NaN score: no error, want one as json.Marshal gives")
	}
}

func excerpt(b []byte, i int) string {
	lo, hi := max(0, i-60), min(len(b), i+60)
	return string(b[lo:hi])
}
