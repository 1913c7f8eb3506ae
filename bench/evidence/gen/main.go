// Command gen writes a large scanner file for the evidence benchmark, built
// from the real samples of $CSMM_SAMPLES (or -samples): each record is a
// sample record with its account, region, resource, status and (for AWS)
// check varied, so that the file looks like the output of a scan over an
// organization. The output is deterministic for a given size and format.
//
//	go run ./bench/evidence/gen -format ocsf|csv|asff -size 200MB -o FILE
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	format := flag.String("format", "ocsf", "ocsf, csv or asff")
	size := flag.String("size", "10MB", "approximate output size (KB, MB, GB suffixes)")
	out := flag.String("o", "", "output file (stdout when empty)")
	samples := flag.String("samples", os.Getenv("CSMM_SAMPLES"), "the samples folder")
	flag.Parse()
	if *samples == "" {
		fail(fmt.Errorf("set CSMM_SAMPLES or -samples"))
	}
	n, err := parseSize(*size)
	if err != nil {
		fail(err)
	}
	var w io.Writer = os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	g := &gen{dir: *samples, rng: rand.New(rand.NewPCG(1, 2)), limit: n, w: bw}
	g.checks = g.awsChecks()
	switch *format {
	case "ocsf":
		err = g.ocsf()
	case "csv":
		err = g.csv()
	case "asff":
		err = g.asff()
	default:
		err = fmt.Errorf("unknown format %q", *format)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	u := strings.ToUpper(s)
	for suffix, m := range map[string]int64{"KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30} {
		if strings.HasSuffix(u, suffix) {
			mult, u = m, strings.TrimSuffix(u, suffix)
		}
	}
	v, err := strconv.ParseFloat(u, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: expected a number with KB, MB or GB", s)
	}
	return int64(v * float64(mult)), nil
}

type gen struct {
	dir     string
	rng     *rand.Rand
	limit   int64
	written int64
	w       *bufio.Writer
	checks  []string
}

var regions = []string{"us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "eu-north-1", "ap-southeast-1", "ap-northeast-1", "sa-east-1", "ca-central-1"}

// awsChecks lists the current AWS check IDs of Prowler, from the samples' table.
func (g *gen) awsChecks() []string {
	data, err := os.ReadFile(filepath.Join(g.dir, "prowler-compliance", "prowler_aws_checks_at_3e000faa.tsv"))
	if err != nil {
		fail(err)
	}
	var out []string
	for i, line := range strings.Split(string(data), "\n") {
		if i == 0 || line == "" {
			continue
		}
		out = append(out, strings.SplitN(line, "\t", 2)[0])
	}
	return out
}

func (g *gen) account() string { return fmt.Sprintf("%012d", 100000000000+g.rng.IntN(300)*7919) }
func (g *gen) region() string  { return regions[g.rng.IntN(len(regions))] }
func (g *gen) check() string   { return g.checks[g.rng.IntN(len(g.checks))] }
func (g *gen) resource(i int) string {
	return fmt.Sprintf("arn:aws:s3:::bucket-%d-%x", i, g.rng.Uint32())
}

// outcome picks a status: mostly pass and fail, some manual, a few muted.
func (g *gen) outcome() (status string, muted bool) {
	r := g.rng.IntN(100)
	muted = g.rng.IntN(100) < 3
	switch {
	case r < 55:
		return "PASS", muted
	case r < 93:
		return "FAIL", muted
	}
	return "MANUAL", muted
}

func (g *gen) write(b []byte) error {
	n, err := g.w.Write(b)
	g.written += int64(n)
	return err
}

func (g *gen) jsonRecords(paths ...string) []map[string]any {
	var out []map[string]any
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(g.dir, p))
		if err != nil {
			fail(err)
		}
		var list []map[string]any
		if err := json.Unmarshal(data, &list); err != nil {
			var obj struct{ Findings []map[string]any }
			if err2 := json.Unmarshal(data, &obj); err2 != nil {
				fail(fmt.Errorf("%s: %v", p, err))
			}
			list = obj.Findings
		}
		out = append(out, list...)
	}
	return out
}

func obj(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	if v == nil {
		v = map[string]any{}
		m[key] = v
	}
	return v
}

// list writes a JSON list of records made by next until the size is reached.
func (g *gen) list(open, close string, next func(i int) any) error {
	if err := g.write([]byte(open)); err != nil {
		return err
	}
	for i := 0; g.written < g.limit; i++ {
		b, err := json.MarshalIndent(next(i), "  ", "  ")
		if err != nil {
			return err
		}
		if i > 0 {
			g.write([]byte(",\n  "))
		} else {
			g.write([]byte("\n  "))
		}
		if err := g.write(b); err != nil {
			return err
		}
	}
	return g.write([]byte(close))
}

func (g *gen) ocsf() error {
	recs := g.jsonRecords("prowler-ocsf-v5/example_output_aws.ocsf.json", "prowler-ocsf-v5/example_output_azure.ocsf.json",
		"prowler-ocsf-v5/example_output_gcp.ocsf.json", "prowler-ocsf-v5/example_output_kubernetes.ocsf.json", "prowler-ocsf-v4/prowler-4.2.1-many_vuln.ocsf.json")
	return g.list("[", "\n]\n", func(i int) any {
		r := recs[i%len(recs)]
		st, muted := g.outcome()
		r["status_code"] = st
		r["status"] = "New"
		if muted {
			r["status"] = "Suppressed"
		}
		md := obj(r, "metadata")
		cloud, _ := r["cloud"].(map[string]any)
		region, res := g.region(), g.resource(i)
		if cloud != nil {
			obj(cloud, "account")["uid"] = g.account()
			cloud["region"] = region
			if cloud["provider"] == "aws" {
				md["event_code"] = g.check()
			}
		}
		obj(r, "finding_info")["uid"] = fmt.Sprintf("prowler-%v-%v-%d", cloud["provider"], md["event_code"], i)
		if rs, _ := r["resources"].([]any); len(rs) > 0 {
			if r0, _ := rs[0].(map[string]any); r0 != nil {
				r0["uid"], r0["region"] = res, region
			}
		}
		return r
	})
}

func (g *gen) asff() error {
	recs := g.jsonRecords("prowler-asff/prowler-3.3.0-output.asff.first60.json", "securityhub-asff/awsdocs-sample-control-findings.valid.json",
		"securityhub-asff/defectdojo-config_many_findings.json")
	return g.list("{\"Findings\": [", "\n]}\n", func(i int) any {
		r := recs[i%len(recs)]
		st, muted := g.outcome()
		comp := map[string]string{"PASS": "PASSED", "FAIL": "FAILED", "MANUAL": "WARNING"}[st]
		obj(r, "Compliance")["Status"] = comp
		obj(r, "Workflow")["Status"] = map[bool]string{true: "SUPPRESSED", false: "NEW"}[muted]
		r["RecordState"] = "ACTIVE"
		if g.rng.IntN(100) < 2 {
			r["RecordState"] = "ARCHIVED"
		}
		acct, region := g.account(), g.region()
		r["AwsAccountId"], r["Region"] = acct, region
		if gen, _ := r["GeneratorId"].(string); strings.HasPrefix(gen, "prowler-") {
			r["GeneratorId"] = "prowler-" + g.check()
		}
		r["Id"] = fmt.Sprintf("finding-%d", i)
		if rs, _ := r["Resources"].([]any); len(rs) > 0 {
			if r0, _ := rs[0].(map[string]any); r0 != nil {
				r0["Id"], r0["Region"] = g.resource(i), region
			}
		}
		return r
	})
}

func (g *gen) csv() error {
	var header []string
	var rows [][]string
	for _, p := range []string{"example_output_aws.csv", "example_output_azure.csv", "example_output_gcp.csv", "example_output_kubernetes.csv"} {
		f, err := os.Open(filepath.Join(g.dir, "prowler-csv", p))
		if err != nil {
			return err
		}
		r := csv.NewReader(f)
		r.Comma = ';'
		all, err := r.ReadAll()
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %v", p, err)
		}
		if header == nil {
			header = all[0]
		} else if strings.Join(header, ";") != strings.Join(all[0], ";") {
			continue
		}
		rows = append(rows, all[1:]...)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	cw := csv.NewWriter(countWriter{g})
	cw.Comma = ';'
	if err := cw.Write(header); err != nil {
		return err
	}
	row := make([]string, len(header))
	for i := 0; g.written < g.limit; i++ {
		copy(row, rows[i%len(rows)])
		st, muted := g.outcome()
		row[col["STATUS"]] = st
		row[col["MUTED"]] = map[bool]string{true: "True", false: "False"}[muted]
		row[col["ACCOUNT_UID"]] = g.account()
		row[col["REGION"]] = g.region()
		row[col["RESOURCE_UID"]] = g.resource(i)
		if row[col["PROVIDER"]] == "aws" {
			row[col["CHECK_ID"]] = g.check()
		}
		row[col["FINDING_UID"]] = fmt.Sprintf("prowler-%s-%s-%d", row[col["PROVIDER"]], row[col["CHECK_ID"]], i)
		if err := cw.Write(row); err != nil {
			return err
		}
		if i%1000 == 0 {
			cw.Flush()
		}
	}
	cw.Flush()
	return cw.Error()
}

type countWriter struct{ g *gen }

func (c countWriter) Write(b []byte) (int, error) {
	n, err := c.g.w.Write(b)
	c.g.written += int64(n)
	return n, err
}
