// Package cli is the csmm command line: one file per subcommand, each a type
// with its own flag set and a Run method. Commands read and write only through
// the Env they are given, so tests run them in-process with captured output.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/yamlguard"
	"golang.org/x/term"
)

// Env is everything a command takes from the process: its streams, its
// environment and its clock. main fills it from the operating system; tests
// fill it with buffers and a fixed time.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable; nil reads none.
	Getenv func(string) string
	// Now is the clock; nil means time.Now. It is read here, never in scoring.
	Now func() time.Time
}

// OSEnv returns the Env of the running process.
func OSEnv() *Env {
	return &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
}

func (e *Env) getenv(k string) string {
	if e.Getenv == nil {
		return ""
	}
	return e.Getenv(k)
}

func (e *Env) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

func (e *Env) today() assess.Date { return assess.DateOf(e.now()) }

// colour reports whether output to w may use ANSI colours: only on a
// terminal, and never when NO_COLOR is set.
func (e *Env) colour(w io.Writer) bool {
	return e.getenv("NO_COLOR") == "" && isTerminal(w)
}

// isTerminal reports whether a stream is an interactive terminal.
func isTerminal(s any) bool {
	f, ok := s.(interface{ Fd() uintptr })
	return ok && term.IsTerminal(int(f.Fd()))
}

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// command is what every subcommand is.
type command interface {
	Run(ctx context.Context, args []string) error
}

type commandInfo struct {
	name, summary string
	new           func(*Env) command
}

// commands lists the subcommands in the order `csmm --help` shows them.
func commands() []commandInfo {
	return []commandInfo{
		{"init", "write an answers file listing every objective, ready to fill in", func(e *Env) command { return &InitCommand{env: e} }},
		{"assess", "answer the questionnaire in the terminal, saving after every answer", func(e *Env) command { return &AssessCommand{env: e} }},
		{"score", "score an answers file", func(e *Env) command { return &ScoreCommand{env: e} }},
		{"report", "write the maturity report (html, md, json, csv, xlsx, pdf)", func(e *Env) command { return &ReportCommand{env: e} }},
		{"check", "exit 1 when a category is below its target (for pipelines)", func(e *Env) command { return &CheckCommand{env: e} }},
		{"evidence", "summarize scanner files (Prowler, Security Hub, Powerpipe, CSV) against the model", func(e *Env) command { return &EvidenceCommand{env: e} }},
		{"collect", "collect evidence from AWS with read-only calls (csmm collect aws --help)", func(e *Env) command { return &CollectCommand{env: e} }},
		{"diff", "compare two answers files or two snapshot exports: scores, levels and changes", func(e *Env) command { return &DiffCommand{env: e} }},
		{"benchmark", "export the installation's anonymized peer benchmarks, or import one", func(e *Env) command { return &BenchmarkCommand{env: e} }},
		{"migrate", "move an answers file to another model version, listing what needs a new answer", func(e *Env) command { return &MigrateCommand{env: e} }},
		{"model", "validate, export or import a maturity model", func(e *Env) command { return &ModelCommand{env: e} }},
		{"serve", "run the web application and JSON API", func(e *Env) command { return &ServeCommand{env: e} }},
		{"openapi", "print the JSON API's OpenAPI document", func(e *Env) command { return &OpenAPICommand{env: e} }},
		{"user", "create a user of the server (and its organization)", func(e *Env) command { return &UserCommand{env: e} }},
		{"token", "create, list or revoke API tokens", func(e *Env) command { return &TokenCommand{env: e} }},
		{"backup", "write a consistent backup of the server's database", func(e *Env) command { return &BackupCommand{env: e} }},
		{"restore", "load a backup into an empty database", func(e *Env) command { return &RestoreCommand{env: e} }},
	}
}

const mainUsage = `csmm measures cloud security maturity with the Cloud Security Maturity Model.

Usage:

	csmm <command> [arguments]

Commands:

%s
Every command takes --model FILE to use a model other than the built-in one,
and --help for its own usage.

Exit status: 0 on success, 1 on failure (and when check finds a category
below target), 2 on a usage error.
`

func printMainUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "\t%-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

// Run runs the command line args (without the program name) and returns the
// exit status: 0 on success, 1 on failure, 2 on a usage error. Errors go to
// env.Stderr prefixed "csmm: ", one problem per line.
func Run(ctx context.Context, env *Env, args []string) int {
	err := run(ctx, env, args)
	return exitStatus(env, err)
}

func run(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		printMainUsage(env.Stderr)
		return usageErrorf("", "no command given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if args[0] == "help" && len(args) > 1 {
			return run(ctx, env, []string{args[1], "--help"})
		}
		printMainUsage(env.Stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.new(env).Run(ctx, args[1:])
		}
	}
	return usageErrorf("", "unknown command %q; run 'csmm --help' for the list of commands", args[0])
}

// usageError is a mistake in how a command was called: exit status 2.
type usageError struct {
	cmd string
	msg string
}

func (e *usageError) Error() string { return e.msg }

func usageErrorf(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

// exitError ends a command with a status and, when msg is not empty, a message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// problemsError is a list of located problems, printed one per line.
type problemsError struct {
	problems []string
}

func (e *problemsError) Error() string { return strings.Join(e.problems, "\n") }

// exitStatus prints err, if any, and returns the exit status.
func exitStatus(env *Env, err error) int {
	if err == nil {
		return ExitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(env.Stderr, "csmm: %s\n", ue.msg)
		if ue.cmd != "" {
			fmt.Fprintf(env.Stderr, "run 'csmm %s --help' for usage\n", ue.cmd)
		}
		return ExitUsage
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(env.Stderr, "csmm: %s\n", ee.msg)
		}
		return ee.code
	}
	for _, line := range problemLines(err) {
		fmt.Fprintf(env.Stderr, "csmm: %s\n", line)
	}
	return ExitFailure
}

// problemLines splits an error into the lines to print: one per problem of
// an answers or model file.
func problemLines(err error) []string {
	var fe *assess.FileError
	var ve *model.ValidationError
	var pe *problemsError
	var ce *csmm.Error
	var lines []string
	switch {
	case errors.As(err, &fe):
		for _, p := range fe.Problems {
			lines = append(lines, p.String())
		}
	case errors.As(err, &ve):
		for _, p := range ve.Problems {
			lines = append(lines, p.String())
		}
	case errors.As(err, &pe):
		lines = pe.problems
	case errors.As(err, &ce) && ce.Code != csmm.EINTERNAL:
		// An application error carries a message written for people; the
		// chain below it holds details for logs (driver errors, codes).
		lines = strings.Split(ce.Message, "\n")
	default:
		lines = strings.Split(err.Error(), "\n")
	}
	return lines
}

// newFlagSet returns a flag set whose errors and help are reported by
// parseFlags rather than printed by the flag package.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// errHelp is returned by parseFlags after printing help; commands return nil.
var errHelp = flag.ErrHelp

// parseFlags parses flags placed anywhere among the positional arguments
// (csmm score FILE --format json) and returns the positional arguments. On
// -h or --help it prints usage to stdout and returns flag.ErrHelp; on a bad
// flag it returns a usage error.
func parseFlags(env *Env, fs *flag.FlagSet, usage string, args []string) ([]string, error) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			printUsage(env.Stdout, fs, usage)
			return nil, errHelp
		}
		if err != nil {
			return nil, usageErrorf(fs.Name(), "%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// printUsage writes a command's usage text and its flags.
func printUsage(w io.Writer, fs *flag.FlagSet, usage string) {
	fmt.Fprint(w, strings.TrimLeft(usage, "\n"))
	var b strings.Builder
	fs.VisitAll(func(f *flag.Flag) {
		name, help := flag.UnquoteUsage(f)
		fmt.Fprintf(&b, "  --%s", f.Name)
		if name != "" {
			fmt.Fprintf(&b, " %s", name)
		}
		fmt.Fprintf(&b, "\n    \t%s", strings.ReplaceAll(help, "\n", "\n    \t"))
		// --as-of defaults to the day it runs, which its help says.
		if f.DefValue != "" && f.DefValue != "false" && f.Name != "as-of" {
			fmt.Fprintf(&b, " (default %s)", f.DefValue)
		}
		b.WriteByte('\n')
	})
	if b.Len() > 0 {
		fmt.Fprintf(w, "\nFlags:\n%s", b.String())
	}
}

// finish turns errHelp into success.
func finish(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

// wantArgs checks the number of positional arguments.
func wantArgs(cmd string, args []string, n int, names string) error {
	switch {
	case len(args) < n:
		return usageErrorf(cmd, "%s: missing argument; expected %s", cmd, names)
	case len(args) > n:
		return usageErrorf(cmd, "%s: unexpected argument %q; expected %s", cmd, args[n], names)
	}
	return nil
}

// dateFlag is a --as-of style flag holding a civil date.
type dateFlag struct{ d *assess.Date }

func (f dateFlag) String() string {
	if f.d == nil {
		return ""
	}
	return f.d.String()
}

func (f dateFlag) Set(s string) error {
	d, err := assess.ParseDate(s)
	if err != nil {
		return err
	}
	*f.d = d
	return nil
}

// choiceFlag is a flag whose value must be one of a fixed list.
type choiceFlag struct {
	v       *string
	choices []string
}

func (f choiceFlag) String() string {
	if f.v == nil {
		return ""
	}
	return *f.v
}

func (f choiceFlag) Set(s string) error {
	for _, c := range f.choices {
		if s == c {
			*f.v = s
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", s, strings.Join(f.choices, ", "))
}

func formatFlag(fs *flag.FlagSet, v *string, def string, choices ...string) {
	*v = def
	fs.Var(choiceFlag{v, choices}, "format", "output `FORMAT`: "+strings.Join(choices, ", "))
}

// modelFlag adds --model to a flag set.
func modelFlag(fs *flag.FlagSet, v *string) {
	fs.StringVar(v, "model", "", "model `FILE` (or a built-in version such as csmm@2.0.0) to use instead of the newest built-in model")
}

// asOfFlag adds --as-of to a flag set; the default is today.
func asOfFlag(fs *flag.FlagSet, d *assess.Date) {
	fs.Var(dateFlag{d}, "as-of", "judge staleness and expiry as of `DATE` (YYYY-MM-DD; default today)")
}

// loadModel returns the model in the file, or the built-in model when path is "".
func loadModel(path string) (*model.Model, error) {
	m, err := model.Load(path)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// loadAnswers reads an answers file against the model of --model, else the
// built-in model the file names (model: csmm@2.0.0 keeps scoring on 2.0.0),
// else the newest built-in model; the model named by the file must match
// the one in use.
func loadAnswers(modelPath, path string) (*model.Model, *assess.File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read answers: %w", err)
	}
	if len(data) >= largeAnswers {
		// The node tree of a large file (38 MB for 24,200 answers) is all
		// live while it is read and all garbage once read: a collection in
		// between would only mark it, so none runs until the answers are
		// read (the file is at most yamlguard.MaxBytes, its tree bounded).
		defer holdGC()()
		yamlguard.HugePages.Store(true) // this process ends with the command
	}
	doc := assess.ParseDocument(path, data) // parsed once, for the model it names and its answers
	if modelPath == "" {
		if ref := doc.ReferencedModel(); ref != "" && model.IsBuiltinRef(ref) {
			modelPath = ref
		}
	}
	m, err := loadModel(modelPath)
	if err != nil {
		return nil, nil, err
	}
	f, err := doc.Read(m)
	if err != nil {
		return nil, nil, err
	}
	f.SetModel(m)
	return m, f, nil
}

// largeAnswers is the size from which loadAnswers holds off garbage
// collection while it parses and reads an answers file.
const largeAnswers = 1 << 20

// gcHold counts the holds on garbage collection, so that overlapping holds
// (commands run side by side in one process) restore the setting once.
var gcHold struct {
	sync.Mutex
	n, percent int
}

// holdGC turns garbage collection off until the function it returns is
// called.
func holdGC() (release func()) {
	gcHold.Lock()
	if gcHold.n == 0 {
		gcHold.percent = debug.SetGCPercent(-1)
	}
	gcHold.n++
	gcHold.Unlock()
	return func() {
		gcHold.Lock()
		gcHold.n--
		if gcHold.n == 0 {
			debug.SetGCPercent(gcHold.percent)
		}
		gcHold.Unlock()
	}
}

// writeOutput writes data to the file at path atomically, or to stdout when
// path is "" or "-".
func writeOutput(env *Env, path string, data []byte) error {
	if path == "" || path == "-" {
		_, err := env.Stdout.Write(data)
		return err
	}
	return writeFileAtomic(path, data, 0o644)
}
