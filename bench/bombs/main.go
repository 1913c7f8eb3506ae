// Command bombs writes the hostile inputs of package bombs to a directory,
// for measuring csmm against them by hand (see bench/README.md).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/csmm/csmm/internal/bombs"
)

func main() {
	dir := flag.String("o", ".", "write the bombs to `DIR`")
	size := flag.Int64("xlsx-size", 1<<30, "unpacked `BYTES` of the workbook bomb's worksheet")
	flag.Parse()
	xlsx, err := bombs.XLSX(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bombs:", err)
		os.Exit(1)
	}
	files := map[string][]byte{
		"laughs.yaml": bombs.BillionLaughs(),
		"merge.yaml":  bombs.MergeKeys(),
		"deep.yaml":   bombs.Deep(100000),
		"bomb.xlsx":   xlsx,
		"bomb.csv":    bombs.CSV(500_000, 20),
	}
	for name, data := range files {
		path := filepath.Join(*dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "bombs:", err)
			os.Exit(1)
		}
		fmt.Printf("%s\t%d bytes\n", path, len(data))
	}
}
