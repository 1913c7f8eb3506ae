package awsapi

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// Credentials sign requests.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	// Expires is when temporary credentials end; zero for keys that do
	// not expire.
	Expires time.Time
	// Source says where they came from (environment, a profile, a role).
	Source string
}

// setExpiry sets Expires from an RFC 3339 time ("" leaves it zero).
func (c *Credentials) setExpiry(s string) error {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("credentials from %s: expiration %q: %w", c.Source, s, err)
	}
	c.Expires = t
	return nil
}

// CredentialsProvider gives credentials, fetching or refreshing them as
// needed.
type CredentialsProvider interface {
	Retrieve(ctx context.Context) (Credentials, error)
}

// StaticCredentials are fixed keys.
type StaticCredentials Credentials

// Retrieve returns the keys.
func (s StaticCredentials) Retrieve(context.Context) (Credentials, error) {
	if s.AccessKeyID == "" || s.SecretAccessKey == "" {
		return Credentials{}, fmt.Errorf("credentials from %s: an access key ID and a secret access key are both needed", s.Source)
	}
	return Credentials(s), nil
}

// ProviderFunc adapts a function to CredentialsProvider.
type ProviderFunc func(ctx context.Context) (Credentials, error)

// Retrieve calls f.
func (f ProviderFunc) Retrieve(ctx context.Context) (Credentials, error) { return f(ctx) }

// expiryWindow is how long before they expire credentials are refreshed.
const expiryWindow = 5 * time.Minute

// CredentialsCache keeps the credentials of a provider until shortly
// before they expire; concurrent callers share one retrieval.
type CredentialsCache struct {
	p   CredentialsProvider
	now func() time.Time
	mu  sync.Mutex
	cur *Credentials
}

// NewCredentialsCache caches p's credentials.
func NewCredentialsCache(p CredentialsProvider) *CredentialsCache {
	if c, ok := p.(*CredentialsCache); ok {
		return c
	}
	return &CredentialsCache{p: p, now: time.Now}
}

// Retrieve returns the cached credentials, or fetches them when there are
// none or they expire within five minutes.
func (c *CredentialsCache) Retrieve(ctx context.Context) (Credentials, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != nil && (c.cur.Expires.IsZero() || c.now().Add(expiryWindow).Before(c.cur.Expires)) {
		return *c.cur, nil
	}
	cr, err := c.p.Retrieve(ctx)
	if err != nil {
		return Credentials{}, err
	}
	c.cur = &cr
	return cr, nil
}

// AssumeRoleProvider gives a role's credentials through sts:AssumeRole,
// called with Source's credentials.
type AssumeRoleProvider struct {
	// Config is the STS client's configuration (region, endpoints);
	// its credentials are those of the caller.
	Config Config
	AssumeRoleInput
}

// NewAssumeRoleProvider returns the cached credentials of roleARN assumed
// with cfg's credentials, session name sessionName.
func NewAssumeRoleProvider(cfg Config, roleARN, sessionName string) *CredentialsCache {
	return NewCredentialsCache(&AssumeRoleProvider{Config: cfg, AssumeRoleInput: AssumeRoleInput{RoleARN: roleARN, SessionName: sessionName}})
}

// defaultRoleDuration is the session length asked for when none is
// configured, as the AWS SDK for Go asks.
const defaultRoleDuration = 15 * time.Minute

// Retrieve assumes the role (for 15 minutes unless Duration says).
func (p *AssumeRoleProvider) Retrieve(ctx context.Context) (Credentials, error) {
	in := p.AssumeRoleInput
	if in.Duration == 0 {
		in.Duration = defaultRoleDuration
	}
	if in.SessionName == "" {
		in.SessionName = "csmm-" + strconv.FormatInt(time.Now().UnixNano(), 10)
	}
	return New(p.Config).AssumeRole(ctx, in)
}
