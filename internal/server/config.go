package server

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/identity"
)

// Config is everything the server needs to start. Build it with
// DefaultConfig or ConfigFromEnv, let RegisterFlags override it from the
// command line, then call Validate (Run does).
type Config struct {
	// Addr is the host:port to listen on.
	Addr string
	// DatabaseURL is a file path or sqlite: URL for SQLite, or a postgres:// URL.
	DatabaseURL string
	// BaseURL is the public URL of the server (https://csmm.example.com),
	// used for OIDC redirects, trusted origins and the Secure cookie flag.
	BaseURL string
	// TLSCert and TLSKey are PEM files; both set means serve HTTPS.
	TLSCert, TLSKey string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// LogFormat is text or json.
	LogFormat string
	// OIDC configures single sign-on; disabled when Issuer is empty.
	OIDC OIDCConfig

	// SessionIdle ends a session not used for this long.
	SessionIdle time.Duration
	// SessionMax ends a session this long after sign-in, used or not.
	SessionMax time.Duration
	// PasswordParams are the argon2id costs of new password hashes.
	PasswordParams identity.PasswordParams
	// Limits bound failed sign-in attempts.
	Limits SignInLimits
	// MetricsToken, when set, is the bearer token /metrics requires.
	MetricsToken string
	// MetricsAddr, when set, is a separate host:port that serves /metrics
	// (and nothing else); the main address then does not serve it.
	MetricsAddr string
}

// OIDCConfig configures single sign-on with an OpenID Connect provider.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL, from which discovery starts.
	Issuer string
	// ClientID and ClientSecret are the credentials of this server at the provider.
	ClientID, ClientSecret string
	// JITCreate creates a user on first sign-in when no user has the
	// provider's verified email, as a member of DefaultOrg with DefaultRole.
	JITCreate bool
	// DefaultOrg is the name of the organization new users join.
	DefaultOrg string
	// DefaultRole is the role new users get in DefaultOrg.
	DefaultRole string
}

// SignInLimits bound failed sign-in attempts within a sliding window, per
// account and per remote address.
type SignInLimits struct {
	Window     time.Duration
	PerAccount int
	PerAddress int
}

// DefaultConfig returns the configuration used when nothing is set.
func DefaultConfig() Config {
	return Config{
		Addr:           "127.0.0.1:8080",
		DatabaseURL:    "./csmm-data/csmm.db",
		LogLevel:       "info",
		LogFormat:      "text",
		OIDC:           OIDCConfig{DefaultRole: string(identity.Viewer)},
		SessionIdle:    12 * time.Hour,
		SessionMax:     7 * 24 * time.Hour,
		PasswordParams: identity.DefaultPasswordParams,
		Limits:         SignInLimits{Window: 15 * time.Minute, PerAccount: 5, PerAddress: 20},
	}
}

// The environment variables ConfigFromEnv reads, each overriding the default.
const (
	EnvAddr             = "CSMM_ADDR"
	EnvDatabaseURL      = "CSMM_DATABASE_URL"
	EnvBaseURL          = "CSMM_BASE_URL"
	EnvTLSCert          = "CSMM_TLS_CERT"
	EnvTLSKey           = "CSMM_TLS_KEY"
	EnvLogLevel         = "CSMM_LOG_LEVEL"
	EnvLogFormat        = "CSMM_LOG_FORMAT"
	EnvOIDCIssuer       = "CSMM_OIDC_ISSUER"
	EnvOIDCClientID     = "CSMM_OIDC_CLIENT_ID"
	EnvOIDCClientSecret = "CSMM_OIDC_CLIENT_SECRET"
	EnvOIDCJITCreate    = "CSMM_OIDC_JIT_CREATE"
	EnvOIDCDefaultOrg   = "CSMM_OIDC_DEFAULT_ORG"
	EnvOIDCDefaultRole  = "CSMM_OIDC_DEFAULT_ROLE"
	EnvSessionIdle      = "CSMM_SESSION_IDLE"
	EnvSessionMax       = "CSMM_SESSION_MAX"
	EnvMetricsToken     = "CSMM_METRICS_TOKEN"
	EnvMetricsAddr      = "CSMM_METRICS_ADDR"
)

// ConfigFromEnv returns DefaultConfig overridden by the CSMM_* variables
// that getenv (os.Getenv in production) returns non-empty.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := DefaultConfig()
	str := map[string]*string{
		EnvAddr: &c.Addr, EnvDatabaseURL: &c.DatabaseURL, EnvBaseURL: &c.BaseURL,
		EnvTLSCert: &c.TLSCert, EnvTLSKey: &c.TLSKey, EnvLogLevel: &c.LogLevel, EnvLogFormat: &c.LogFormat,
		EnvOIDCIssuer: &c.OIDC.Issuer, EnvOIDCClientID: &c.OIDC.ClientID, EnvOIDCClientSecret: &c.OIDC.ClientSecret,
		EnvOIDCDefaultOrg: &c.OIDC.DefaultOrg, EnvOIDCDefaultRole: &c.OIDC.DefaultRole,
		EnvMetricsToken: &c.MetricsToken, EnvMetricsAddr: &c.MetricsAddr,
	}
	for k, p := range str {
		if v := getenv(k); v != "" {
			*p = v
		}
	}
	var errs []error
	if v := getenv(EnvOIDCJITCreate); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: expected true or false", EnvOIDCJITCreate, v))
		}
		c.OIDC.JITCreate = b
	}
	for k, p := range map[string]*time.Duration{EnvSessionIdle: &c.SessionIdle, EnvSessionMax: &c.SessionMax} {
		if v := getenv(k); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: expected a duration such as 12h", k, v))
			}
			*p = d
		}
	}
	return c, errors.Join(errs...)
}

// RegisterFlags adds the server's flags to fs, each defaulting to the value
// already in cfg (so flags override the environment) and writing into cfg.
func RegisterFlags(fs *flag.FlagSet, cfg *Config) {
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "`host:port` to listen on ("+EnvAddr+")")
	fs.StringVar(&cfg.DatabaseURL, "db", cfg.DatabaseURL, "database: a SQLite file path or a postgres:// `URL` ("+EnvDatabaseURL+")")
	fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "public `URL` of the server, e.g. https://csmm.example.com ("+EnvBaseURL+")")
	fs.StringVar(&cfg.TLSCert, "tls-cert", cfg.TLSCert, "TLS certificate PEM `file` ("+EnvTLSCert+")")
	fs.StringVar(&cfg.TLSKey, "tls-key", cfg.TLSKey, "TLS private key PEM `file` ("+EnvTLSKey+")")
	fs.StringVar(&cfg.LogLevel, "log-level", cfg.LogLevel, "log `level`: debug, info, warn or error ("+EnvLogLevel+")")
	fs.StringVar(&cfg.LogFormat, "log-format", cfg.LogFormat, "log `format`: text or json ("+EnvLogFormat+")")
	fs.StringVar(&cfg.OIDC.Issuer, "oidc-issuer", cfg.OIDC.Issuer, "OpenID Connect issuer `URL`; enables single sign-on ("+EnvOIDCIssuer+")")
	fs.StringVar(&cfg.OIDC.ClientID, "oidc-client-id", cfg.OIDC.ClientID, "OpenID Connect client `id` ("+EnvOIDCClientID+")")
	fs.StringVar(&cfg.OIDC.ClientSecret, "oidc-client-secret", cfg.OIDC.ClientSecret, "OpenID Connect client `secret`; prefer "+EnvOIDCClientSecret)
	fs.BoolVar(&cfg.OIDC.JITCreate, "oidc-jit", cfg.OIDC.JITCreate, "create unknown single sign-on users on first sign-in ("+EnvOIDCJITCreate+")")
	fs.StringVar(&cfg.OIDC.DefaultOrg, "oidc-default-org", cfg.OIDC.DefaultOrg, "`organization` that users created at sign-on join ("+EnvOIDCDefaultOrg+")")
	fs.StringVar(&cfg.OIDC.DefaultRole, "oidc-default-role", cfg.OIDC.DefaultRole, "`role` of users created at sign-on ("+EnvOIDCDefaultRole+")")
	fs.DurationVar(&cfg.SessionIdle, "session-idle", cfg.SessionIdle, "end sessions unused for this `duration` ("+EnvSessionIdle+")")
	fs.DurationVar(&cfg.SessionMax, "session-max", cfg.SessionMax, "end sessions this `duration` after sign-in ("+EnvSessionMax+")")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", cfg.MetricsToken, "require this bearer `token` for /metrics; prefer "+EnvMetricsToken)
	fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr, "serve /metrics on this separate `host:port` only ("+EnvMetricsAddr+")")
}

// Validate reports every setting that cannot work, naming the setting.
func (c *Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: expected host:port: %w", c.Addr, err))
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			errs = append(errs, fmt.Errorf("metrics-addr %q: expected host:port: %w", c.MetricsAddr, err))
		} else if c.MetricsAddr == c.Addr {
			errs = append(errs, fmt.Errorf("metrics-addr %q: expected another address than addr", c.MetricsAddr))
		}
	}
	if c.MetricsToken != "" && (len(c.MetricsToken) < 16 || strings.ContainsAny(c.MetricsToken, " \t\r\n")) {
		errs = append(errs, errors.New("metrics-token: expected at least 16 characters without spaces"))
	}
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("db: a database is required"))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("base-url %q: expected an absolute http or https URL", c.BaseURL))
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("tls-cert and tls-key: set both or neither"))
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log-format %q: expected text or json", c.LogFormat))
	}
	if c.OIDC.Issuer != "" {
		if c.OIDC.ClientID == "" {
			errs = append(errs, errors.New("oidc-client-id: required with oidc-issuer"))
		}
		if c.BaseURL == "" {
			errs = append(errs, errors.New("base-url: required with oidc-issuer, for the redirect URL"))
		}
		if c.OIDC.JITCreate {
			if strings.TrimSpace(c.OIDC.DefaultOrg) == "" {
				errs = append(errs, errors.New("oidc-default-org: required with oidc-jit"))
			}
			if _, err := identity.ParseRole(c.OIDC.DefaultRole); err != nil {
				errs = append(errs, fmt.Errorf("oidc-default-role: %w", err))
			} else if c.OIDC.DefaultRole == string(identity.Owner) {
				errs = append(errs, errors.New("oidc-default-role: owner may not be granted automatically"))
			}
		}
	}
	if c.SessionIdle <= 0 || c.SessionMax <= 0 || c.SessionIdle > c.SessionMax {
		errs = append(errs, fmt.Errorf("session-idle %s and session-max %s: expected 0 < idle <= max", c.SessionIdle, c.SessionMax))
	}
	return errors.Join(errs...)
}

// secureCookies reports whether cookies must carry the Secure flag: when the
// server terminates TLS or its public URL is https.
func (c *Config) secureCookies() bool {
	return c.TLSCert != "" || strings.HasPrefix(c.BaseURL, "https://")
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("log-level %q: expected debug, info, warn or error", s)
	}
	return l, nil
}

// NewLogger returns the logger cfg asks for (LogLevel, LogFormat), writing to w.
func NewLogger(w io.Writer, cfg Config) (*slog.Logger, error) {
	level, err := parseLevel(cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: level}
	switch cfg.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log-format %q: expected text or json", cfg.LogFormat)
}
