package load_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/load"
	"github.com/google/go-cmp/cmp"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name string
		data string
		want evidence.Format
	}{
		{"prowler ocsf", `[{"status_code": "PASS", "finding_info": {}, "metadata": {}}]`, evidence.ProwlerOCSF},
		{"prowler ocsf with a byte order mark", "\ufeff\n [{\"status_code\": \"PASS\", \"metadata\": {}}]", evidence.ProwlerOCSF},
		{"prowler 3 json", `[{"CheckID": "a", "Status": "PASS"}]`, evidence.ProwlerJSON},
		{"prowler 2 json lines", "{\"Control ID\": \"1.1\", \"Status\": \"PASS\"}\n{\"Control ID\": \"1.2\", \"Status\": \"FAIL\"}\n", evidence.ProwlerJSON},
		{"prowler 5 csv", "PROVIDER;CHECK_ID;STATUS;MUTED\naws;a;PASS;False\n", evidence.ProwlerCSV},
		{"prowler 2 csv", "PROFILE,ACCOUNT_NUM,TITLE_ID,CHECK_RESULT\n,1,1.1,PASS\n", evidence.ProwlerCSV},
		{"asff list", `[{"SchemaVersion": "2018-10-08", "GeneratorId": "x"}]`, evidence.ASFF},
		{"asff get-findings", `{"Findings": [], "NextToken": null}`, evidence.ASFF},
		{"asff lower-case key", `{"findings": []}`, evidence.ASFF},
		{"powerpipe json", `{"group_id": "root_result_group", "groups": []}`, evidence.Powerpipe},
		{"powerpipe csv", "group_id,control_id,reason,resource,status\ng,c,r,x,ok\n", evidence.Powerpipe},
		{"generic csv", "check,status\ncustom:a,pass\n", evidence.GenericCSV},
		{"generic csv, semicolons", "Check_ID;Status;Resource\ncustom:a;pass;r\n", evidence.GenericCSV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := load.Detect("x", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("format = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDetectUnsupported(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"trivy", `{"SchemaVersion": 2, "ArtifactName": ".", "Results": []}`, "x: unsupported format (Trivy JSON report)"},
		{"checkov", `{"check_type": "terraform", "results": {}, "summary": {}}`, "x: unsupported format (Checkov report)"},
		{"checkov list", `[{"check_type": "terraform", "results": {}}]`, "x: unsupported format (Checkov report)"},
		{"prowler compliance", `{"Framework": "CIS", "Requirements": []}`, "x: unsupported format (Prowler compliance framework definition, not findings)"},
		{"other json", `{"a": 1}`, "x: unsupported format (a JSON object of unknown shape)"},
		{"other list", `[{"a": 1}]`, "x: unsupported format (a JSON list of records of unknown shape)"},
		{"tsv", "check_id\tservice\na\tb\n", "x: unsupported format (not JSON, and no CSV header with the columns check and status)"},
		{"binary", "\x00\x01\x02check,status", "x: unsupported format (neither JSON nor text)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load.Parse("x", []byte(tt.data))
			if !errors.Is(err, evidence.ErrUnsupported) {
				t.Fatalf("error = %v, want unsupported format", err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n got %s\nwant %s...", err, tt.want)
			}
			if !strings.Contains(err.Error(), "csmm reads prowler-ocsf, prowler-csv, prowler-json, asff, powerpipe, scoutsuite, generic-csv") {
				t.Errorf("error does not list the formats read: %v", err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"empty", " \n", "x: the file is empty; expected scanner findings"},
		{"empty list", "[ ]", "x:1: the file holds an empty list: no findings to read"},
		{"list of strings", `["a"]`, "x:1:2 (byte 2): record 1: expected a JSON object for each finding"},
		{"missing comma", "{\n  \"Findings\": []\n  \"x\": 1\n}", "x:3:3 (byte 22): invalid JSON: invalid character '\"' after object value (expecting ',' or '}')"},
		{"unicode line separator", "{\n \"a\": 1,\u2028}", `x:2:9 (byte 11): invalid JSON: invalid character '\u2028' at start of value`},
		{"truncated list", "[{\"CheckID\": \"a\", \"Status\": \"PASS\"},\n {\"CheckID\"", "x:2:12 (byte 49): record 2: invalid JSON: the file ends in the middle of a value"},
		{"single asff finding", `{"SchemaVersion": "2018-10-08", "GeneratorId": "x"}`, `x:1: a single ASFF finding; expected a list of findings or {"Findings": [...]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load.Parse("x", []byte(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// seeds are the hand-written fixtures of the format packages.
func seeds(t testing.TB) [][]byte {
	t.Helper()
	paths, err := filepath.Glob("../*/testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, p := range paths {
		if strings.HasSuffix(p, ".yaml") {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	if len(out) < 10 {
		t.Fatalf("only %d seed files found", len(out))
	}
	return out
}

func TestFixturesParse(t *testing.T) {
	for i, data := range seeds(t) {
		if _, err := load.Parse("seed", data); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}

// FuzzParse checks that no input makes detection or parsing panic, that an
// error names the file, and that a file read without error has findings
// with a check ID and a known outcome.
func FuzzParse(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"Findings": [{"GeneratorId": "security-control/"}]}`))
	f.Add([]byte("check;status\n\"a;pass\n"))
	f.Add(gz([]byte("check,status\ncustom:a,pass\n")))
	f.Add([]byte("scoutsuite_results =\n{\"provider_code\": \"aws\", \"services\": {\"iam\": {\"findings\": {\"r\": {\"checked_items\": 2, \"flagged_items\": 1, \"items\": [\"x\"]}}}}}"))
	f.Add([]byte(`{"group_id": "r", "groups": [{"groups": [{"controls": [{"control_id": "c", "results": [{"status": "ok"}]}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := load.Parse("fuzz.in", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.in") {
				t.Errorf("error does not start with the file name: %v", err)
			}
			return
		}
		n := 0
		for i, o := range file.Outcomes {
			if o.CheckID == "" {
				t.Errorf("outcome %d has no check ID", i)
			}
			n += o.Status.Pass + o.Status.Fail + o.Status.Manual + o.Status.Other + o.Archived
		}
		if n != file.Findings {
			t.Errorf("outcomes count %d findings, want %d", n, file.Findings)
		}
	})
}

func gz(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// TestCompressedErrors checks that corrupt or cut compressed data, and
// malformed content inside good compressed data, are errors that name the
// file and the byte, and give no file.
func TestCompressedErrors(t *testing.T) {
	good := []byte("[{\"CheckID\": \"a\", \"Status\": \"PASS\"},\n {\"CheckID\": \"b\", \"Status\": \"FAIL\"}]\n")
	big := bytes.Repeat([]byte("check,status\n"), 1)
	for i := range 20000 {
		big = fmt.Appendf(big, "custom:c%d,pass\n", i)
	}
	corrupt := gz(big)
	for i := len(corrupt) / 2; i < len(corrupt)/2+16; i++ {
		corrupt[i] ^= 0xff
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"cut gzip", gz(good)[:40], "x.gz: invalid gzip data (cut short) at byte "},
		{"corrupt gzip", corrupt, "x.gz: invalid gzip data at byte "},
		{"bad checksum", append(gz(good)[:len(gz(good))-8], 1, 2, 3, 4, 5, 6, 7, 8), "x.gz: invalid gzip data at byte "},
		{"malformed JSON inside gzip", gz([]byte("[{\"CheckID\": \"a\", \"Status\": \"PASS\"},\n {\"CheckID\": }]")), "x.gz:2:14 (byte 51): record 2: invalid JSON"},
		{"truncated JSON inside gzip", gz(good[:50]), "x.gz:2:14 (byte 51): record 2: invalid JSON: the file ends in the middle of a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := load.Parse("x.gz", tt.data)
			if err == nil || f != nil {
				t.Fatalf("file %v, error %v; want an error and no file", f, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n got %s\nwant %s...", err, tt.want)
			}
			if _, ok := errors.AsType[*evidence.ParseError](err); !ok {
				t.Errorf("error %T is not a *evidence.ParseError", err)
			}
		})
	}
}

func TestZipArchive(t *testing.T) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	add := func(name, data string) {
		f, _ := w.Create(name)
		f.Write([]byte(data))
	}
	add("output/scan.ocsf.json", `[{"status_code": "FAIL", "metadata": {"event_code": "apigateway_logging_enabled"}, "cloud": {"provider": "aws"}}]`)
	add("output/scan.csv", "PROVIDER;CHECK_ID;STATUS;MUTED\naws;s3_bucket_public_access;PASS;False\naws;s3_bucket_public_access;FAIL;True\n")
	add("output/scan.html", "<html></html>")
	add("output/compliance/cis_2.0_aws.csv", "PROVIDER;DESCRIPTION;ACCOUNTID;REQUIREMENTS_ID;STATUS;CHECKID\naws;d;1;1.1;PASS;x\n")
	w.Close()
	path := filepath.Join(t.TempDir(), "prowler-output.zip")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var skipped []string
	for _, read := range []func() ([]*evidence.File, error){
		func() ([]*evidence.File, error) {
			return load.ReadFile(path, load.Options{Skipped: func(n string, _ error) { skipped = append(skipped, filepath.Base(n)) }})
		},
		func() ([]*evidence.File, error) {
			return load.Read("upload.zip", bytes.NewReader(b.Bytes()), load.Options{TempDir: t.TempDir()})
		},
	} {
		files, err := read()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range files {
			got = append(got, fmt.Sprintf("%s %s %d", filepath.Base(f.Path), f.Format, f.Findings))
		}
		// The renamed check is read under its current ID.
		want := []string{"scan.ocsf.json prowler-ocsf 1", "scan.csv prowler-csv 2"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("files (-want +got):\n%s", diff)
		}
		if files[0].Outcomes[0].CheckID != "prowler:aws:apigateway_restapi_logging_enabled" {
			t.Errorf("check %s, want the current ID of apigateway_logging_enabled", files[0].Outcomes[0].CheckID)
		}
	}
	if diff := cmp.Diff([]string{"scan.html", "cis_2.0_aws.csv"}, skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
}
