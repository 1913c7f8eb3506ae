package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/csmm/csmm/internal/lazyregexp"
	"github.com/csmm/csmm/internal/model"
	"github.com/csmm/csmm/internal/spreadsheet"
	"github.com/csmm/csmm/internal/yamlguard"
	"gopkg.in/yaml.v3"
)

// ModelImportCommand turns a spreadsheet of objectives into a model file
// through a column mapping, and validates the result before writing it.
type ModelImportCommand struct {
	env *Env
}

const modelImportUsage = `
Usage: csmm model import FILE.xlsx|FILE.csv --map MAP.yaml [-o OUT.yaml]

Reads the objectives of a spreadsheet, one per row, and writes a model file.
MAP.yaml says which sheet and header row to read, which column holds each
field of an objective, and gives the model's ID, version, name, levels,
domains and categories:

	sheet: Objectives        # xlsx only; default the first sheet
	header_row: 1            # the row of column headings; default 1
	model: {id: acme, version: 1.0.0, name: Acme cloud maturity model}
	levels: [{level: 1, name: Manual}, ...]          # default "Level N"
	domains: [{id: foundational, name: Foundational}]
	categories: [{id: IAM, name: Identity, domain: foundational}]
	columns:
	  id: ID                 # optional; else IDs are CAT-LEVEL.N in row order
	  category: Category     # required, with level, title and question
	  category_name: Area    # optional: creates categories not listed above
	  domain: Domain         # optional: the category's domain (ID or name)
	  level: Level
	  title: Objective
	  kpi: KPI
	  question: Question
	  guidance: Guidance
	  mode: Mode             # manual, automated or either
	  threshold: Threshold   # 0.95 or 95%
	  aws: AWS               # controls; a cell lists several on separate
	  azure: Azure           # lines or separated by ';'
	  gcp: GCP
	  checks: Checks
	defaults: {mode: manual, threshold: 1}

The model is validated before it is written; every problem names the row of
the spreadsheet it comes from.
`

// importMap is the column mapping of a spreadsheet import.
type importMap struct {
	Sheet     string `yaml:"sheet"`
	HeaderRow int    `yaml:"header_row"`
	Model     struct {
		ID          string `yaml:"id"`
		Version     string `yaml:"version"`
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
	} `yaml:"model"`
	Levels     []model.Level    `yaml:"levels"`
	Domains    []model.Domain   `yaml:"domains"`
	Categories []model.Category `yaml:"categories"`
	Columns    importColumns    `yaml:"columns"`
	Defaults   struct {
		Mode      model.Mode `yaml:"mode"`
		Threshold float64    `yaml:"threshold"`
	} `yaml:"defaults"`
}

type importColumns struct {
	ID           string `yaml:"id"`
	Category     string `yaml:"category"`
	CategoryName string `yaml:"category_name"`
	Domain       string `yaml:"domain"`
	Level        string `yaml:"level"`
	Title        string `yaml:"title"`
	KPI          string `yaml:"kpi"`
	Question     string `yaml:"question"`
	Guidance     string `yaml:"guidance"`
	Mode         string `yaml:"mode"`
	Threshold    string `yaml:"threshold"`
	AWS          string `yaml:"aws"`
	Azure        string `yaml:"azure"`
	GCP          string `yaml:"gcp"`
	Checks       string `yaml:"checks"`
}

// Run runs the command.
func (c *ModelImportCommand) Run(ctx context.Context, args []string) error {
	fs := newFlagSet("model import")
	var mapPath, out string
	var modelPath string
	fs.StringVar(&mapPath, "map", "", "column mapping `MAP.yaml` (required)")
	fs.StringVar(&out, "o", "", "write the model to `OUT.yaml` instead of standard output")
	modelFlag(fs, &modelPath)
	args, err := parseFlags(c.env, fs, modelImportUsage, args)
	if err != nil {
		return finish(err)
	}
	if err := wantArgs("model import", args, 1, "FILE.xlsx or FILE.csv"); err != nil {
		return err
	}
	if mapPath == "" {
		return usageErrorf("model import", "model import: missing --map MAP.yaml")
	}
	data, err := importModel(args[0], mapPath)
	if err != nil {
		return err
	}
	if err := writeOutput(c.env, out, data); err != nil {
		return err
	}
	if out != "" && out != "-" {
		fmt.Fprintf(c.env.Stderr, "wrote %s\n", out)
	}
	return nil
}

// readImportMap reads and checks a mapping file.
func readImportMap(path string) (*importMap, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read mapping: %w", err)
	}
	var im importMap
	if err := yamlguard.Decode(path, data, &im); err != nil {
		if ye, ok := errors.AsType[*yamlguard.Error](err); ok {
			return nil, &problemsError{problems: []string{ye.Error()}}
		}
		return nil, &problemsError{problems: yamlProblems(path, err)}
	}
	var probs []string
	for key, v := range map[string]string{"model.id": im.Model.ID, "model.version": im.Model.Version, "model.name": im.Model.Name,
		"columns.category": im.Columns.Category, "columns.level": im.Columns.Level,
		"columns.title": im.Columns.Title, "columns.question": im.Columns.Question} {
		if strings.TrimSpace(v) == "" {
			probs = append(probs, fmt.Sprintf("%s: %s: missing; the mapping needs it", path, key))
		}
	}
	if im.HeaderRow < 0 {
		probs = append(probs, fmt.Sprintf("%s: header_row: expected a row number from 1, got %d", path, im.HeaderRow))
	}
	if len(probs) > 0 {
		sort.Strings(probs)
		return nil, &problemsError{problems: probs}
	}
	if im.HeaderRow == 0 {
		im.HeaderRow = 1
	}
	if len(im.Levels) == 0 {
		for l := model.MinLevel; l <= model.MaxLevel; l++ {
			im.Levels = append(im.Levels, model.Level{Level: l, Name: fmt.Sprintf("Level %d", l)})
		}
	}
	return &im, nil
}

// yamlProblems turns a YAML decoding error into located lines.
func yamlProblems(path string, err error) []string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		out := make([]string, len(te.Errors))
		for i, e := range te.Errors {
			out[i] = path + ":" + strings.TrimPrefix(e, "line ")
		}
		return out
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := regexp.MustCompile(`^line (\d+): (.*)$`).FindStringSubmatch(msg); m != nil {
		return []string{path + ":" + m[1] + ": " + m[2]}
	}
	return []string{path + ": " + msg}
}

// readSheet reads the rows of the spreadsheet within the limits of package
// spreadsheet.
func readSheet(path, sheetName string) (*spreadsheet.Sheet, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".xlsx", ".xlsm":
		return spreadsheet.Read(path, sheetName)
	}
	return nil, usageErrorf("model import", "model import: %s: expected a .xlsx or .csv file", path)
}

// importedObjective remembers the spreadsheet row of each objective.
type importedObjective struct {
	row int
	obj model.Objective
}

// importModel reads the spreadsheet through the mapping and returns a
// validated model file.
func importModel(dataPath, mapPath string) ([]byte, error) {
	im, err := readImportMap(mapPath)
	if err != nil {
		return nil, err
	}
	sh, err := readSheet(dataPath, im.Sheet)
	if err != nil {
		return nil, err
	}
	if len(sh.Rows) < im.HeaderRow {
		return nil, fmt.Errorf("%s: header_row %d is past the last row (%d)", sh.Name, im.HeaderRow, len(sh.Rows))
	}
	header := map[string]int{}
	var headings []string
	for i, h := range sh.Rows[im.HeaderRow-1] {
		h = strings.TrimSpace(h)
		if h != "" {
			header[strings.ToLower(h)] = i
			headings = append(headings, h)
		}
	}
	col := map[string]int{}
	var probs []string
	for field, heading := range im.Columns.fields() {
		if heading == "" {
			continue
		}
		i, ok := header[strings.ToLower(strings.TrimSpace(heading))]
		if !ok {
			probs = append(probs, fmt.Sprintf("%s: columns.%s: no column headed %q in row %d of %s; the headings are %s",
				mapPath, field, heading, im.HeaderRow, sh.Name, strings.Join(headings, ", ")))
			continue
		}
		col[field] = i
	}
	if len(probs) > 0 {
		sort.Strings(probs)
		return nil, &problemsError{problems: probs}
	}

	b := &modelBuilder{im: im, mapPath: mapPath, sheet: sh.Name, perLevel: map[string]int{}}
	b.init()
	for r := im.HeaderRow; r < len(sh.Rows); r++ {
		row := sh.Rows[r]
		get := func(field string) string {
			i, ok := col[field]
			if !ok || i >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[i])
		}
		if blank(row) {
			continue
		}
		b.row(r+1, get)
	}
	if len(b.problems) > 0 {
		return nil, &problemsError{problems: b.problems}
	}
	return b.finish(dataPath)
}

func (c importColumns) fields() map[string]string {
	return map[string]string{
		"id": c.ID, "category": c.Category, "category_name": c.CategoryName, "domain": c.Domain,
		"level": c.Level, "title": c.Title, "kpi": c.KPI, "question": c.Question, "guidance": c.Guidance,
		"mode": c.Mode, "threshold": c.Threshold, "aws": c.AWS, "azure": c.Azure, "gcp": c.GCP, "checks": c.Checks,
	}
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

type modelBuilder struct {
	im         *importMap
	mapPath    string
	sheet      string
	domains    []model.Domain
	categories []model.Category
	objectives []importedObjective
	perLevel   map[string]int
	problems   []string
}

func (b *modelBuilder) init() {
	b.domains = append(b.domains, b.im.Domains...)
	b.categories = append(b.categories, b.im.Categories...)
}

func (b *modelBuilder) addf(row int, field, format string, args ...any) {
	heading := b.im.Columns.fields()[field]
	b.problems = append(b.problems, fmt.Sprintf("%s: row %d: column %s: %s", b.sheet, row, heading, fmt.Sprintf(format, args...)))
}

var firstNumber = lazyregexp.New(`[0-9]+`)

func (b *modelBuilder) row(r int, get func(string) string) {
	cat := strings.ToUpper(get("category"))
	if cat == "" {
		b.addf(r, "category", "empty; every objective needs a category ID")
		return
	}
	if !b.category(r, cat, get("category_name"), get("domain")) {
		return
	}
	lv := firstNumber.FindString(get("level"))
	level, err := strconv.Atoi(lv)
	if err != nil || level < model.MinLevel+1 || level > model.MaxLevel {
		b.addf(r, "level", "%q is not a level; expected a number from 2 to 5", get("level"))
		return
	}
	id := strings.ToUpper(get("id"))
	if id == "" {
		key := fmt.Sprintf("%s-%d", cat, level)
		b.perLevel[key]++
		id = fmt.Sprintf("%s.%d", key, b.perLevel[key])
	}
	o := model.Objective{
		ID: id, Category: cat, Level: level,
		Title: get("title"), KPI: get("kpi"), Question: get("question"), Guidance: get("guidance"),
		Mode: model.Mode(strings.ToLower(get("mode"))),
		Controls: model.Controls{
			AWS: splitCell(get("aws")), Azure: splitCell(get("azure")), GCP: splitCell(get("gcp")),
		},
		Checks: splitCell(get("checks")),
	}
	if o.Mode == "" {
		o.Mode = b.im.Defaults.Mode
	}
	if o.Mode == "" {
		o.Mode = model.ModeManual
	}
	if t := get("threshold"); t != "" {
		v, err := parseThreshold(t)
		if err != nil {
			b.addf(r, "threshold", "%v", err)
			return
		}
		o.Threshold = v
	} else {
		o.Threshold = b.im.Defaults.Threshold
	}
	b.objectives = append(b.objectives, importedObjective{row: r, obj: o})
}

// category makes sure the category exists, creating it (and its domain)
// from the row when the mapping has category_name and domain columns.
func (b *modelBuilder) category(r int, id, name, domain string) bool {
	for _, c := range b.categories {
		if c.ID == id {
			return true
		}
	}
	if name == "" {
		b.addf(r, "category", "unknown category %q; list it under categories in %s or map a category_name column", id, b.mapPath)
		return false
	}
	did := ""
	for _, d := range b.domains {
		if strings.EqualFold(d.ID, domain) || strings.EqualFold(d.Name, domain) {
			did = d.ID
		}
	}
	if did == "" {
		if domain == "" {
			b.addf(r, "domain", "category %s needs a domain; map a domain column or list the category in %s", id, b.mapPath)
			return false
		}
		did = slug(domain)
		b.domains = append(b.domains, model.Domain{ID: did, Name: domain})
	}
	b.categories = append(b.categories, model.Category{ID: id, Name: name, Domain: did})
	return true
}

var nonSlug = lazyregexp.New(`[^a-z0-9]+`)

func slug(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// splitCell splits a cell listing several items on newlines or ';'.
func splitCell(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ';' }) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseThreshold(s string) (float64, error) {
	pct := strings.HasSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a threshold; expected a share such as 0.95 or 95%%", s)
	}
	if pct || v > 1 {
		v /= 100
	}
	if v <= 0 || v > 1 {
		return 0, fmt.Errorf("%q is not a threshold; expected more than 0 and at most 1 (or 100%%)", s)
	}
	return v, nil
}

// Output shapes: the model file as written, without empty fields.
type outModel struct {
	ID          string         `yaml:"id"`
	Version     string         `yaml:"version"`
	Name        string         `yaml:"name"`
	Description string         `yaml:"description,omitempty"`
	Levels      []model.Level  `yaml:"levels"`
	Domains     []outDomain    `yaml:"domains"`
	Categories  []outCategory  `yaml:"categories"`
	Objectives  []outObjective `yaml:"objectives"`
}

type outDomain struct {
	ID          string  `yaml:"id"`
	Name        string  `yaml:"name"`
	Description string  `yaml:"description,omitempty"`
	Weight      float64 `yaml:"weight,omitempty"`
}

type outCategory struct {
	ID          string                `yaml:"id"`
	Domain      string                `yaml:"domain"`
	Name        string                `yaml:"name"`
	Description string                `yaml:"description,omitempty"`
	Weight      float64               `yaml:"weight,omitempty"`
	Levels      []model.CategoryLevel `yaml:"levels,omitempty"`
}

type outObjective struct {
	ID        string       `yaml:"id"`
	Category  string       `yaml:"category"`
	Level     int          `yaml:"level"`
	Title     string       `yaml:"title"`
	KPI       string       `yaml:"kpi,omitempty"`
	Question  string       `yaml:"question"`
	Guidance  string       `yaml:"guidance,omitempty"`
	Threshold float64      `yaml:"threshold,omitempty"`
	Mode      model.Mode   `yaml:"mode"`
	Controls  *outControls `yaml:"controls,omitempty"`
	Checks    []string     `yaml:"checks,omitempty"`
}

type outControls struct {
	AWS   []string `yaml:"aws,omitempty"`
	Azure []string `yaml:"azure,omitempty"`
	GCP   []string `yaml:"gcp,omitempty"`
}

// finish orders the objectives by category and level (keeping row order
// within a level), writes the model and validates it, mapping every problem
// of an objective back to its spreadsheet row.
func (b *modelBuilder) finish(dataPath string) ([]byte, error) {
	catOrder := map[string]int{}
	for i, c := range b.categories {
		catOrder[c.ID] = i
	}
	sort.SliceStable(b.objectives, func(i, j int) bool {
		oi, oj := b.objectives[i].obj, b.objectives[j].obj
		if catOrder[oi.Category] != catOrder[oj.Category] {
			return catOrder[oi.Category] < catOrder[oj.Category]
		}
		return oi.Level < oj.Level
	})
	om := outModel{
		ID: b.im.Model.ID, Version: b.im.Model.Version, Name: b.im.Model.Name, Description: b.im.Model.Description,
		Levels: b.im.Levels,
	}
	for _, d := range b.domains {
		om.Domains = append(om.Domains, outDomain(d))
	}
	for _, c := range b.categories {
		om.Categories = append(om.Categories, outCategory(c))
	}
	for _, imp := range b.objectives {
		o := imp.obj
		oo := outObjective{ID: o.ID, Category: o.Category, Level: o.Level, Title: o.Title, KPI: o.KPI,
			Question: o.Question, Guidance: o.Guidance, Threshold: o.Threshold, Mode: o.Mode, Checks: o.Checks}
		if len(o.Controls.AWS)+len(o.Controls.Azure)+len(o.Controls.GCP) > 0 {
			oo.Controls = &outControls{AWS: o.Controls.AWS, Azure: o.Controls.Azure, GCP: o.Controls.GCP}
		}
		om.Objectives = append(om.Objectives, oo)
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Model imported from %s with the mapping %s by csmm model import.\n",
		filepath.Base(dataPath), filepath.Base(b.mapPath))
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(om); err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	if _, err := model.Parse("imported model", buf.Bytes()); err != nil {
		var ve *model.ValidationError
		if !errors.As(err, &ve) {
			return nil, err
		}
		return nil, &problemsError{problems: b.locate(ve.Problems)}
	}
	return buf.Bytes(), nil
}

var objectivePath = lazyregexp.New(`^objectives\[(\d+)\]\.?(.*)$`)

// locate names the spreadsheet row of every problem about an objective, and
// the mapping file for the rest.
func (b *modelBuilder) locate(problems []model.Problem) []string {
	out := make([]string, 0, len(problems))
	for _, p := range problems {
		if m := objectivePath.FindStringSubmatch(p.Path); m != nil {
			i, _ := strconv.Atoi(m[1])
			if i < len(b.objectives) {
				field := m[2]
				loc := ""
				key := strings.TrimPrefix(field, "controls.")
				key = strings.SplitN(key, "[", 2)[0]
				key = strings.SplitN(key, ".", 2)[0]
				if h := b.im.Columns.fields()[key]; h != "" {
					loc = "column " + h + ": "
				} else if field != "" {
					loc = field + ": "
				}
				out = append(out, fmt.Sprintf("%s: row %d: %s%s: %s", b.sheet, b.objectives[i].row, loc, b.objectives[i].obj.ID, p.Message))
				continue
			}
		}
		path := p.Path
		if path == "" {
			path = "model"
		}
		out = append(out, fmt.Sprintf("%s: %s: %s", b.mapPath, path, p.Message))
	}
	return out
}
