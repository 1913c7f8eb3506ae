package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/collect"
	"github.com/csmm/csmm/internal/collect/aws"
	"github.com/csmm/csmm/internal/collect/aws/awsapi"
)

// CollectCommand reads evidence straight from a cloud with read-only calls
// and writes it as a csmm-collect/1 document, which every evidence input
// (csmm evidence, --evidence, the server's import) takes like a scanner file.
type CollectCommand struct {
	env *Env
	// awsConfig, when set, replaces the shared AWS configuration (tests).
	awsConfig *awsapi.Config
	// httpClient posts to the server; nil for a default client.
	httpClient *http.Client
	// maxAttempts and maxBackoff configure the retryer; zero for the
	// collector's defaults (tests make them short).
	maxAttempts int
	maxBackoff  time.Duration
}

const collectUsage = `
Usage: csmm collect aws [--profile P] [--role-arn ARN] [--regions all|LIST]
                        [--org [--member-role NAME]] [--format json] [-o FILE]
                        [--scope S | --scope-map FILE]
                        [--server URL --token T --assessment [ORG/]ID] [--quiet]

Reads the csmm:aws:* facts from AWS with read-only calls (the IAM policy it
needs ships as internal/collect/aws/policy.json) and writes them as evidence: per
resource a pass or a fail with its account and region, per-scope pass
ratios, the scan time and the provenance (format csmm-collect/1, see
docs/formats-collect.md).

With --org, run from the management account or a delegated administrator:
every active account of AWS Organizations is read through the role
--member-role. An account, region or call that cannot be read (the role
cannot be assumed, access denied, an opt-in region not enabled, throttling
after every retry) is reported as not evaluated, never as a pass or a fail,
and listed at the end.

--scope puts everything in one assessment scope; --scope-map FILE puts
accounts in scopes by account ID, OU ID or OU path:

	scopes:
	  production: [ou-ab12-prod0001, "Root/Workloads/Prod", "111122223333"]
	  development: ["Workloads/Dev"]
	default: development

The document goes to -o FILE, else to standard output; with --server it is
sent to the assessment's evidence import (POST /api/v1/orgs/ORG/assessments/
ID/evidence) with the API token T, and printed only when -o is given.
`

// Run runs the command.
func (c *CollectCommand) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprint(c.env.Stdout, strings.TrimLeft(collectUsage, "\n"))
			return nil
		}
		return usageErrorf("collect", "collect: missing provider; expected aws")
	}
	if args[0] != "aws" {
		return usageErrorf("collect", "collect: unknown provider %q; expected aws (azure and gcp are planned)", args[0])
	}
	fs := newFlagSet("collect aws")
	var (
		o                                     aws.Options
		format, out, scope, scopeMap, regions string
		server, token, assessment             string
		quiet                                 bool
	)
	fs.StringVar(&o.Profile, "profile", "", "shared configuration `PROFILE`")
	fs.StringVar(&o.RoleARN, "role-arn", "", "`ARN` of a role to assume first")
	fs.StringVar(&regions, "regions", "all", "regions to read: all (every region of each account) or a comma-separated `LIST`")
	fs.StringVar(&o.HomeRegion, "home-region", "", "`REGION` of the global calls (default: the profile's, else us-east-1)")
	fs.BoolVar(&o.Org, "org", false, "read every account of the organization")
	fs.StringVar(&o.MemberRole, "member-role", "OrganizationAccountAccessRole", "role `NAME` assumed in each member account with --org")
	fs.IntVar(&o.Concurrency, "concurrency", 16, "calls in flight at most, across accounts and regions")
	formatFlag(fs, &format, "json", "json")
	fs.StringVar(&out, "o", "", "write the document to `FILE`")
	fs.StringVar(&scope, "scope", "", "assessment `SCOPE` of everything collected")
	fs.StringVar(&scopeMap, "scope-map", "", "YAML `FILE` mapping accounts and OUs to scopes")
	fs.StringVar(&server, "server", "", "csmm server `URL` to send the evidence to")
	fs.StringVar(&token, "token", "", "API `TOKEN` for --server (default $CSMM_TOKEN)")
	fs.StringVar(&assessment, "assessment", "", "assessment `[ORG/]ID` for --server")
	fs.BoolVar(&quiet, "quiet", false, "no progress bar and no summary")
	rest, err := parseFlags(c.env, fs, collectUsage, args[1:])
	if err != nil {
		return finish(err)
	}
	if len(rest) > 0 {
		return usageErrorf("collect", "collect aws: unexpected argument %q", rest[0])
	}
	if token == "" {
		token = c.env.getenv("CSMM_TOKEN")
	}
	switch {
	case scope != "" && scopeMap != "":
		return usageErrorf("collect", "collect aws: give --scope or --scope-map, not both")
	case server != "" && (token == "" || assessment == ""):
		return usageErrorf("collect", "collect aws: --server needs --token (or $CSMM_TOKEN) and --assessment")
	case server == "" && assessment != "":
		return usageErrorf("collect", "collect aws: --assessment needs --server")
	}
	if regions != "all" && regions != "" {
		for _, r := range strings.Split(regions, ",") {
			if r = strings.TrimSpace(r); r != "" {
				o.Regions = append(o.Regions, r)
			}
		}
	}
	switch {
	case scope != "":
		o.Scopes = collect.Single(scope)
	case scopeMap != "":
		if o.Scopes, err = collect.ReadScopeMap(scopeMap); err != nil {
			return err
		}
	}
	o.Version = toolVersion()
	o.Config = c.awsConfig
	o.Getenv = c.env.getenv
	o.MaxAttempts, o.MaxBackoff = c.maxAttempts, c.maxBackoff
	o.Now = c.env.Now

	// The document goes to a file (-o, or a temporary one to send), else
	// straight to standard output: never held in memory.
	var dst io.Writer = c.env.Stdout
	var file *os.File
	path := out
	if out == "" && server != "" {
		file, err = os.CreateTemp("", "csmm-collect-*.json")
		if err == nil {
			path = file.Name()
			defer os.Remove(path)
		}
	} else if out != "" {
		file, err = os.Create(out)
	}
	if err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	if file != nil {
		defer file.Close()
		dst = file
	}

	var progress *collect.Progress
	if !quiet && isTerminal(c.env.Stderr) {
		progress = collect.NewProgress(c.env.Stderr)
		o.Progress = progress.Update
	}
	w := collect.NewWriter(dst, aws.Provider, c.env.now(), func(collect.Gap) { progress.Gap() })
	res, err := aws.Collect(ctx, o, w)
	progress.Done()
	if err != nil {
		return err
	}
	sum, err := w.Close(res.Provenance, res.Scopes)
	if err != nil {
		return fmt.Errorf("collect: write the document: %w", err)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return fmt.Errorf("collect: %w", err)
		}
	}
	if !quiet {
		c.printSummary(res.Provenance, sum, w.Gaps(), path)
	}
	if server != "" {
		return c.send(ctx, server, token, assessment, path)
	}
	return nil
}

// printSummary tells, on standard error, what was collected and what could
// not be read.
func (c *CollectCommand) printSummary(p collect.Provenance, s collect.Summary, gaps []collect.Gap, path string) {
	w := c.env.Stderr
	fmt.Fprintf(w, "collected %d results (%d passed, %d failed) from %d accounts and %d regions as %s in %s\n",
		s.Results, s.Passed, s.Failed, p.Accounts, len(p.Regions), p.Caller, p.Finished.Sub(p.Started).Round(time.Millisecond))
	if s.NotEvaluated == 0 {
		return
	}
	var parts []string
	for _, r := range slices.Sorted(func(yield func(collect.Reason) bool) {
		for k := range s.ByReason {
			if !yield(k) {
				return
			}
		}
	}) {
		parts = append(parts, fmt.Sprintf("%d %s", s.ByReason[r], r))
	}
	where := "not_evaluated in the document"
	if path != "" {
		where = "not_evaluated in " + path
	}
	fmt.Fprintf(w, "not evaluated (could not be read): %d parts: %s; see %s\n", s.NotEvaluated, strings.Join(parts, ", "), where)
	const shown = 20
	for i, g := range gaps {
		if i == shown {
			fmt.Fprintf(w, "  ... and %d more\n", len(gaps)-shown)
			break
		}
		at := "account " + g.Account
		if g.Region != "" {
			at += " " + g.Region
		}
		op := ""
		if g.Operation != "" {
			op = " (" + g.Operation + ")"
		}
		fmt.Fprintf(w, "  %s: %s%s, %d checks not evaluated\n", at, g.Reason, op, len(g.Checks))
	}
}

// send posts the document to the server's evidence import.
func (c *CollectCommand) send(ctx context.Context, server, token, assessment, path string) error {
	client := c.httpClient
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Minute}
	}
	base := strings.TrimRight(server, "/") + "/api/v1"
	org, id, ok := strings.Cut(assessment, "/")
	if !ok {
		id = assessment
		var err error
		if org, err = onlyOrg(ctx, client, base, token); err != nil {
			return err
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	defer f.Close()
	u := fmt.Sprintf("%s/orgs/%s/assessments/%s/evidence?name=%s", base, url.PathEscape(org), url.PathEscape(id), url.QueryEscape("csmm-collect-aws.json"))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, f)
	if err != nil {
		return fmt.Errorf("collect: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("collect: send to %s: %w", server, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("collect: the server refused the evidence: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(c.env.Stderr, "sent to assessment %s of organization %s\n", id, org)
	return nil
}

// onlyOrg returns the organization of the token when it has exactly one.
func onlyOrg(ctx context.Context, client *http.Client, base, token string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/orgs", nil)
	if err != nil {
		return "", fmt.Errorf("collect: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("collect: ask the server for the token's organization: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		Items []struct {
			Organization struct {
				ID string `json:"id"`
			} `json:"organization"`
		} `json:"items"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("collect: the server answered %s to GET /api/v1/orgs", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return "", fmt.Errorf("collect: read the server's organizations: %w", err)
	}
	if len(body.Items) != 1 {
		return "", fmt.Errorf("collect: the token reaches %d organizations; give --assessment ORG/ID", len(body.Items))
	}
	return body.Items[0].Organization.ID, nil
}

// toolVersion is the module version of the csmm binary.
func toolVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "devel"
}
