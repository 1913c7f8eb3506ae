package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/bombs"
)

// TestBombs runs the commands that read a user's YAML or spreadsheet on
// each bomb: each fails with a message naming the file, the line where
// there is one, and the limit, and allocates less than bombs.MaxHeapGrowth.
func TestBombs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	xlsx, err := bombs.XLSX(256 << 20)
	if err != nil {
		t.Fatal(err)
	}
	laughs := write("laughs.yaml", bombs.BillionLaughs())
	merge := write("merge.yaml", bombs.MergeKeys())
	bookBomb := write("bomb.xlsx", xlsx)
	csvRows := write("rows.csv", bombs.CSV(20_000, 4))
	csvWide := write("wide.csv", bombs.CSV(2, 10_000))
	csvCell := write("cell.csv", []byte("a,"+strings.Repeat("x", 100_000)+"\n"))
	csvBig := write("big.csv", []byte(strings.Repeat("x", 17<<20)))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"model validate: billion laughs", []string{"model", "validate", laughs}, laughs + ":4: the anchor &a is not allowed"},
		{"model validate: merge keys", []string{"model", "validate", merge}, merge + ":4: the anchor &l0 is not allowed"},
		{"score --model: billion laughs", []string{"score", "--model", laughs, acme}, laughs + ":4: the anchor &a is not allowed"},
		{"score: answers billion laughs", []string{"score", laughs}, laughs + ":4: the anchor &a is not allowed"},
		{"model import: mapping merge keys", []string{"model", "import", importCSV, "--map", merge}, merge + ":4:5: the anchor &l0 is not allowed"},
		{"model import: xlsx zip bomb", []string{"model", "import", bookBomb, "--map", importMap}, bookBomb + ": the workbook unpacks to more than the limit of 16 MiB"},
		{"model import: csv rows", []string{"model", "import", csvRows, "--map", importMap}, csvRows + ": more than 10000 rows; the limit is 10000 rows"},
		{"model import: csv columns", []string{"model", "import", csvWide, "--map", importMap}, csvWide + ": row 1 has 10000 cells; the limit is 256 cells in a row"},
		{"model import: csv cell", []string{"model", "import", csvCell, "--map", importMap}, csvCell + ": row 1, cell 2 has 100000 bytes; the limit is 32768 bytes in a cell"},
		{"model import: csv size", []string{"model", "import", csvBig, "--map", importMap}, csvBig + ": the file is larger than the limit of 16 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r result
			grew := bombs.Allocated(func() { r = run(t, "", tt.args...) })
			if r.code == 0 || !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Errorf("exit %d, want an error with %q\nstdout:\n%.2000s\nstderr:\n%.2000s", r.code, tt.want, r.stdout, r.stderr)
			}
			t.Logf("allocated %.1f MiB", float64(grew)/(1<<20))
			if grew > bombs.MaxHeapGrowth {
				t.Errorf("the command allocated %d MiB, over the bound of %d MiB", grew>>20, bombs.MaxHeapGrowth>>20)
			}
		})
	}
}
