package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/csmm/csmm/internal/history"
	"github.com/csmm/csmm/internal/server"
	"github.com/csmm/csmm/internal/store"
)

// BenchmarkCommand exports the installation's anonymized peer benchmarks
// or imports one made elsewhere.
type BenchmarkCommand struct {
	env *Env
}

const benchmarkUsage = `
Usage: csmm benchmark <command> [arguments]

Commands:

	export    write the installation's anonymized benchmarks (JSON or CSV)
	import    store a benchmark made elsewhere under a name, for one organization

Run 'csmm benchmark <command> --help' for a command's usage.
`

// Run runs the command.
func (c *BenchmarkCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(c.env.Stderr, benchmarkUsage)
		return usageErrorf("", "benchmark: missing command; expected export or import")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(c.env.Stdout, benchmarkUsage)
		return nil
	case "export":
		return (&BenchmarkExportCommand{env: c.env}).Run(ctx, args[1:])
	case "import":
		return (&BenchmarkImportCommand{env: c.env}).Run(ctx, args[1:])
	}
	return usageErrorf("", "benchmark: unknown command %q; expected export or import", args[0])
}

// BenchmarkExportCommand writes the installation's benchmarks.
type BenchmarkExportCommand struct {
	env *Env
}

const benchmarkExportUsage = `
Usage: csmm benchmark export [--db URL] [--format json|csv] [-o FILE]

Writes the anonymized benchmarks of the installation: the 25th, 50th and
75th percentiles of program, domain and category scores over the latest
snapshot of every organization that opted in, for the whole installation
and each industry, size band and provider, with the model version, the
date and the group sizes. Groups of fewer than 5 organizations are left
out. The JSON is a list of formats.md Benchmarks (without "you").
`

// Run runs the command.
func (c *BenchmarkExportCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("benchmark export")
	var db, format, out string
	dbFlag(c.env, fs, &db)
	formatFlag(fs, &format, "json", "json", "csv")
	fs.StringVar(&out, "o", "-", "write to `FILE` ('-' for standard output)")
	args, err := parseFlags(c.env, fs, benchmarkExportUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("benchmark export", args, 0, "no arguments"); err != nil {
		return err
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.ExportBenchmarks(ctx)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if format == "csv" {
		err = history.WriteBenchmarksCSV(&buf, list)
	} else {
		err = writeJSON(&buf, list)
	}
	if err != nil {
		return err
	}
	if out == "-" {
		_, err = c.env.Stdout.Write(buf.Bytes())
		return err
	}
	return writeFileAtomicFunc(out, 0o644, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err })
}

// BenchmarkImportCommand stores an exported benchmark for an organization.
type BenchmarkImportCommand struct {
	env *Env
}

const benchmarkImportUsage = `
Usage: csmm benchmark import --org NAME --name SOURCE [--db URL] FILE

Stores the benchmark in FILE (what 'csmm benchmark export --format json'
or exportBenchmark writes: one Benchmark or a list) for the organization,
as an external benchmark named SOURCE (a consultant, an industry body).
It is always shown labelled with SOURCE and its date; an import of the
same name replaces the earlier one. Groups of fewer than 5 organizations
are kept without figures.
`

// Run runs the command.
func (c *BenchmarkImportCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("benchmark import")
	var db, org, name string
	dbFlag(c.env, fs, &db)
	fs.StringVar(&org, "org", "", "the organization's `NAME`, slug or ID")
	fs.StringVar(&name, "name", "", "the benchmark's `SOURCE`")
	args, err := parseFlags(c.env, fs, benchmarkImportUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("benchmark import", args, 1, "FILE"); err != nil {
		return err
	}
	if org == "" || name == "" {
		return usageErrorf("benchmark import", "benchmark import: --org and --name are required")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	groups, err := history.ParseBenchmarks(data)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	o, err := server.FindOrganization(ctx, st, org)
	if err != nil {
		return err
	}
	e, err := st.ImportBenchmark(ctx, o.ID, store.Actor{RemoteAddr: "cli"}, name, groups)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.env.Stderr, "imported benchmark %q (%d groups, as of %s) for %s\n", e.Name, len(e.Groups), e.AsOf, o.Name)
	return nil
}
