package yamlguard

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/csmm/csmm/internal/yamlguard/yamlguardtest"
	"gopkg.in/yaml.v3"
)

// fastCases are documents written by hand for each rule of the fast
// reader; fast says whether the fast reader must read it (true) or leave it
// to yaml.v3 (false).
var fastCases = []struct {
	name string
	doc  string
	fast bool
}{
	{"mapping", "a: 1\nb: two\n", true},
	{"no final newline", "a: 1\nb: two", true},
	{"nested mapping", "a:\n  b: 1\n  c:\n    d: x\ne: 2\n", true},
	{"sequence", "- a\n- b\n- 3\n", true},
	{"sequence in mapping", "a:\n  - x\n  - y\nb: 1\n", true},
	{"indentless sequence", "a:\n- x\n- y\nb: 1\n", true},
	{"compact mapping in sequence", "- id: a\n  name: b\n- id: c\n", true},
	{"compact sequence in sequence", "- - a\n  - b\n- c\n", true},
	{"indentless sequence in compact mapping", "- a:\n  - x\n  b: 1\n", true},
	{"empty values", "a:\nb:\n  c:\nd: 1\n", true},
	{"empty entries", "-\n- \n-  # c\n- x\n", true},
	{"nested under empty entry", "-\n  a: 1\n-\n  - x\n", true},
	{"comments", "# head\na: 1 # one\n  # indented\n\n# between\nb: x#y\nc: 'q' # q\nd: [1] # l\n", true},
	{"document start", "---\na: 1\n", true},
	{"document start with comment", "--- # c\na: 1\n", true},
	{"document end", "a: 1\n...\n", true},
	{"comments before the document", "# a\n# b\n\n  x: 1\n  y: 2\n", true},
	{"root flow mapping", "{a: 1, b: [x, y]}\n", true},
	{"root flow sequence", "[1, 2]  # c\n", true},
	{"flow", "a: {id: x, name: \"A, b\", weight: 2}\nb: [1, 'two', {c: d}, []]\nc: {}\nd: [ a , b ]\n", true},
	{"flow spacing", "a: {  x:  1  ,y: 2}\n", true},
	{"plain with spaces", "a: Production (cardholder data environment)\nb: a, b and c\n", true},
	{"plain with colons", "a: http://example.com:8080/x\nb: a:b\nc: 12:30:00\n", true},
	{"plain with indicators inside", "a: x-y?z!w&v*u|t>s'r\"q%p@o`n\n", true},
	{"plain starting with dash", "a: -x\nb: -1\nc: [-2, -y]\n", true},
	{"key with spaces before colon", "a  : 1\n", true},
	{"quoted keys", "\"a b\": 1\n'c': 2\n\"\": 3\n", true},
	{"single quotes", "a: 'it''s'\nb: ''\nc: 'a \\ b'\nd: '  x  '\n", true},
	{"double quotes", "a: \"\"\nb: \"x \\\" y\"\nc: \"tab\\there\\n\"\nd: \"\\u00e9\\x41\\U0001F600\"\n", true},
	{"all escapes", `a: "\0\a\b\t\n\v\f\r\e\ \"\'\\\N\_\L\P"` + "\n", true},
	{"unicode", "é: café\nb: {n: \"naïve\", m: ü}\n", true},
	{"unicode columns", "name: 日本語\nx: {a: 日本, b: 語}\n", true},
	{"emoji", "a: 😀 b\n", true},
	{"merge key word", "a: <<\n", true},
	{"deep", strings.Repeat("[", 30) + strings.Repeat("]", 30) + "\n", true},
	{"long key", "k" + strings.Repeat("x", 998) + ": 1\n", true},
	{"root indented", "  a: 1\n  b: 2\n", true},
	// yaml.v3 keeps duplicate keys in a node tree (only decoding into a Go
	// map refuses them); so does the fast reader, and assess reports them.
	{"duplicate keys", "a: 1\na: 2\nb: {c: 1, c: 2}\n", true},
	{"quoted key with spaces before colon", "\"a\"  : 1\n'it''s': 2\n", true},
	{"quoted key in compact mapping", "- \"x\": 1\n  y: 2\n- 'z': [3]\n", true},
	{"list of flow mappings", "a: [{b: c}, {d: e}]\n", true},
	{"escaped key", "\"a\\tb\": 1\n", true},
	{"document end with comments after", "a: 1\n... # end\n# more\n", true},
	{"null words", "a: ~\nb: null\nc: NULL\nd: [~, null]\n", true},
	{"numbers", "a: [0x1F, 0o17, 1_000, 1e3, .inf, -.inf, .nan, 0b101]\n", true},
	{"dates", "a: 2026-09-27\nb: 2026-02-30\nc: 2026-09-27T10:00:00Z\n", true},
	{"nested flow at the end of a block list", "- [a, [b, [c]]]\n- {a: {b: {c: d}}}\n", true},

	{"empty", "", false},
	{"only comments", "# a\n", false},
	{"only document start", "---\n", false},
	{"root scalar", "hello\n", false},
	{"block scalar", "a: |\n  x\n", false},
	{"folded scalar", "a: >\n  x\n", false},
	{"multi-line plain", "a: x\n  y\n", false},
	{"multi-line plain in sequence", "- x\n  y\n", false},
	{"multi-line double", "a: \"x\n  y\"\n", false},
	{"multi-line single", "a: 'x\n  y'\n", false},
	{"multi-line flow", "a: [1,\n  2]\n", false},
	{"anchor", "a: &x 1\n", false},
	{"alias", "a: *x\n", false},
	{"tag", "a: !!str 1\n", false},
	{"complex key", "? a\n: b\n", false},
	{"tab indentation", "a:\n\tb: 1\n", false},
	{"tab in value", "a: x\ty\n", false},
	{"carriage return", "a: 1\r\n", false},
	{"directive", "%YAML 1.2\n---\na: 1\n", false},
	{"two documents", "a: 1\n---\nb: 2\n", false},
	{"document after end", "a: 1\n...\nb: 2\n", false},
	{"bad indentation", "a:\n  b: 1\n c: 2\n", false},
	{"sequence in value", "a: - x\n", false},
	{"mapping in value", "a: b: c\n", false},
	{"value ending in colon", "a: b:\n", false},
	{"scalar after quoted", "a: \"x\" y\n", false},
	{"comment without space", "a: \"x\"#c\n", false},
	{"trailing comma", "a: [1, 2,]\n", false},
	{"flow key without value", "a: {b, c: d}\n", false},
	{"flow empty value", "a: {b: , c: d}\n", false},
	{"flow plain with colon", "a: {b: c:d, e:f: g}\nb: [prowler:aws:x, a:b]\n", true},
	{"flow plain ending in colon", "a: [b:, c]\n", false},
	{"flow plain with colon before bracket", "a: [b:]\n", false},
	{"flow comment", "a: [1, # c\n  2]\n", false},
	{"single pair in flow sequence", "a: [b: c]\n", false},
	{"unknown escape", `a: "\/"` + "\n", false},
	{"bad unicode escape", `a: "\ud800"` + "\n", false},
	{"control character", "a: \x01\n", false},
	{"byte order mark", "\ufeffa: 1\n", false},
	{"invalid UTF-8", "a: \xff\n", false},
	{"line separator", "a: x\u2028y\n", false},
	{"too long key", "k" + strings.Repeat("x", 1100) + ": 1\n", false},
	{"too deep", strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n", false},
	{"key without colon", "a: 1\nb\n", false},
	{"dash at mapping column", "a: 1\n- b\n", false},
	{"scalar after sequence", "- a\nb\n", false},
	{"deeper after flow", "a: [1]\n  b: 2\n", false},
	{"question mark in flow", "a: [x?]\n", false},
	{"unclosed quote", "a: \"x\n", false},
}

// repoYAML returns every YAML file of the repository.
func repoYAML(t testing.TB) map[string][]byte {
	files := map[string][]byte{}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files[path] = data
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found %d YAML files in the repository, want at least 10", len(files))
	}
	return files
}

// compareFast checks that when the fast reader accepts data, yaml.v3
// accepts it too and builds the same tree. It returns whether the fast
// reader accepted.
func compareFast(t testing.TB, name string, data []byte) bool {
	t.Helper()
	got, _, ok := fastParse(data)
	if !ok {
		return false
	}
	var want yaml.Node
	if err := yaml.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: the fast reader accepted what yaml.v3 refuses (%v):\n%s", name, err, data)
	}
	if d := yamlguardtest.Diff(got, &want); d != "" {
		t.Fatalf("%s: the fast reader's tree differs from yaml.v3's: %s\n%s", name, d, data)
	}
	return true
}

func TestFastParseMatchesYAML(t *testing.T) {
	for _, tt := range fastCases {
		t.Run(tt.name, func(t *testing.T) {
			if got := compareFast(t, tt.name, []byte(tt.doc)); got != tt.fast {
				t.Errorf("fast reader accepted %v, want %v:\n%s", got, tt.fast, tt.doc)
			}
		})
	}
	for path, data := range repoYAML(t) {
		t.Run(path, func(t *testing.T) {
			fast := compareFast(t, path, data)
			if strings.Contains(path, "examples/") && !fast {
				t.Errorf("%s is not read by the fast reader", path)
			}
			// Cut at a hundred lines or so, to reach the edges of each
			// construct: the file before the cut, and after it.
			lines := strings.SplitAfter(string(data), "\n")
			for i := 0; i < len(lines); i += max(1, len(lines)/100) {
				compareFast(t, path, []byte(strings.Join(lines[:i], "")))
				compareFast(t, path, []byte(strings.Join(lines[i:], "")))
			}
		})
	}
}

func TestParseUsesFastReader(t *testing.T) {
	before := FastReads()
	if _, err := Parse("f.yaml", []byte("a: [1, 2]\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("f.yaml", []byte("a: |\n  x\n")); err != nil {
		t.Fatal(err)
	}
	if got := FastReads() - before; got != 1 {
		t.Errorf("FastReads went up by %d, want 1 (the block scalar goes to yaml.v3)", got)
	}
}

// scalarCases are plain scalars for each tag rule of yaml.v3.
var scalarCases = []string{
	"", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE",
	"yes", "no", "Yes", "NO", "y", "n", "on", "off", "On", "OFF",
	"0", "1", "-1", "+1", "007", "0x1F", "0X1F", "0o17", "0O17", "-0o17", "0b101", "-0b101", "0b2", "1_000", "_1", "1__0",
	"9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616", "-9223372036854775809",
	"0b1111111111111111111111111111111111111111111111111111111111111111", "0o1777777777777777777777",
	"1.5", "-1.5", "+1.5", ".5", "-.5", "1.", "1e3", "1E3", "1e+3", "1.5e-3", "1_0.5", "1e", "e3", ".", "..", "-", "+", "-.",
	".nan", ".NaN", ".NAN", ".Nan", ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", "+.INF", "inf", "nan", "Infinity", "NaN",
	"0x", "0xg", "1_", "0.1.2", "1,000", "1 000", "12:30", "1:2:3", "+0", "-0", "00", "08", "0.0",
	"2026-09-27", "2026-9-7", "2026-02-29", "2024-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01",
	"2026-09-27T10:00:00Z", "2026-09-27t10:00:00Z", "2026-09-27 10:00:00", "2026-09-27T10:00:00+02:00", "2026-09-27T10:00:00.5Z",
	"2026-09-27 10:00", "2026-09-27x", "20260927", "2026-09", "12026-01-01", "2026-09-27 ", "2026-9-27T1:2:3Z",
	"<<", "< <", "a", "hello world", "25.0%", "6/41", "-x", "+x", "0b", "0o", "0x_1", "0b_1", "0o_7",
}

func TestResolveTagMatchesYAML(t *testing.T) {
	for _, s := range scalarCases {
		checkResolveTag(t, s)
	}
}

func checkResolveTag(t testing.TB, s string) {
	t.Helper()
	want := (&yaml.Node{Kind: yaml.ScalarNode, Value: s}).ShortTag()
	if s == "<<" {
		want = "!!merge" // the parser's default tag of a plain <<
	}
	if got := resolveTag(s); got != want {
		t.Errorf("resolveTag(%q) = %s, want %s", s, got, want)
	}
}

// FuzzFastParse checks that whatever the fast reader accepts, yaml.v3
// accepts and reads into the same tree, and that plain scalars get
// yaml.v3's tags.
func FuzzFastParse(f *testing.F) {
	for _, tt := range fastCases {
		f.Add([]byte(tt.doc))
	}
	for _, s := range scalarCases {
		f.Add([]byte("a: " + s + "\n"))
	}
	for path, data := range repoYAML(f) {
		if len(data) > 8192 || strings.Contains(path, "lint-openapi") {
			data = data[:min(len(data), 8192)]
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareFast(t, "input", data)
		if utf8.Valid(data) {
			checkResolveTag(t, string(data))
		}
	})
}

// TestFastReaderKeepsLimits checks that files read by the fast reader near
// and over the node and depth limits get what yaml.v3 and the walker give.
func TestFastReaderKeepsLimits(t *testing.T) {
	blockDeep := func(n int) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat("  ", i) + "k:\n")
		}
		b.WriteString(strings.Repeat("  ", n) + "k: v\n")
		return b.String()
	}
	for _, tt := range []struct {
		name    string
		doc     string
		refused bool
	}{
		{"block nesting at the limit", blockDeep(MaxDepth - 1), false},
		{"block nesting one over", blockDeep(MaxDepth), true},
		{"block nesting two over", blockDeep(MaxDepth + 1), true},
		{"flow nesting at the limit", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), false},
		{"flow nesting over", strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2), true},
		// Past the bound counted before parsing, one node over the limit.
		{"nodes one over", "[" + strings.Repeat("1,", MaxNodes-2) + "1]", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.doc)
			if _, _, ok := fastParse(data); !ok {
				t.Fatal("not read by the fast reader")
			}
			_, got := Parse("f.yaml", data)
			var want error
			var n yaml.Node
			if err := yaml.Unmarshal(data, &n); err != nil {
				t.Fatal(err)
			}
			w := walker{file: "f.yaml"}
			want = w.walk(&n, 0)
			if (want != nil) != tt.refused {
				t.Fatalf("yaml.v3 and the walker: %v, want refused %v", want, tt.refused)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Parse: %v, want %v", got, want)
			}
		})
	}
}

// TestHugePages checks that asking for huge pages is harmless whatever the
// slice: empty, smaller than a huge page, unaligned, several huge pages.
func TestHugePages(t *testing.T) {
	for _, size := range []int{0, 1, 4096, 2 << 20, 5<<20 + 123} {
		b := make([]byte, size+1)
		hugePages(b[1:])
		for i := 1; i < len(b); i += 4096 {
			b[i] = 1
		}
	}
}
