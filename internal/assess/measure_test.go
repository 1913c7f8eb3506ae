package assess

import "testing"

// TestParseMeasureWithoutExpression checks that what ParseMeasure turns
// away before its regular expression, the expression turns away too.
func TestParseMeasureWithoutExpression(t *testing.T) {
	for _, s := range []string{
		"", " ", "yes", "no", "most", "half", "some", "na", "NA", "Yes", "x87/120", "%", "/120", ".5%", "-1/2", "+1/2",
		"87/120", " 87/120", "\t87 / 120 ", "72.5%", " 72.5 % ", "\n5%", "0/1", "1.5/2.5", "87/", "87", "7a%",
	} {
		m, ok, err := ParseMeasure(s)
		want := measureScalar.MatchString(s)
		if ok != want {
			t.Errorf("ParseMeasure(%q): a measure %v, the expression says %v", s, ok, want)
		}
		if !ok && (err != nil || m != (Measure{})) {
			t.Errorf("ParseMeasure(%q) = %v, %v for no measure", s, m, err)
		}
	}
}
