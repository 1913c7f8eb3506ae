-- The initial schema. Times are Unix microseconds in UTC (INTEGER); calendar
-- dates are YYYY-MM-DD text. IDs are random text. Every table owned by an
-- organization carries org_id, and child tables reference their parent by
-- (org_id, id) so a row can never belong to another tenant than its parent.

CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL,
    email_key           TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    password_hash       TEXT NOT NULL DEFAULT '',
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER,
    disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

CREATE TABLE memberships (
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'assessor', 'viewer')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'assessor', 'viewer')),
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX api_tokens_org ON api_tokens (org_id);

CREATE TABLE signin_attempts (
    id      TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    address TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX signin_attempts_account ON signin_attempts (account, at);
CREATE INDEX signin_attempts_address ON signin_attempts (address, at);

CREATE TABLE models (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    version    TEXT NOT NULL,
    yaml       TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (org_id, name, version),
    UNIQUE (org_id, id)
);

CREATE TABLE assessments (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    model_id       TEXT,
    validity_days  INTEGER NOT NULL CHECK (validity_days > 0),
    target_default INTEGER NOT NULL DEFAULT 0 CHECK (target_default BETWEEN 0 AND 5),
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    archived_at    INTEGER,
    UNIQUE (org_id, id),
    FOREIGN KEY (org_id, model_id) REFERENCES models (org_id, id)
);
CREATE INDEX assessments_org ON assessments (org_id, created_at);

CREATE TABLE scopes (
    org_id        TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    scope         TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    weight        REAL NOT NULL CHECK (weight > 0),
    position      INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, scope),
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE
);

CREATE TABLE targets (
    org_id        TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    category      TEXT NOT NULL,
    level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    reason        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, category),
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE
);

CREATE TABLE answers (
    org_id        TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    objective     TEXT NOT NULL,
    scope         TEXT NOT NULL,
    answer        TEXT NOT NULL CHECK (answer IN ('no', 'some', 'half', 'most', 'yes', 'na')),
    note          TEXT NOT NULL DEFAULT '',
    justification TEXT NOT NULL DEFAULT '',
    answered_by   TEXT NOT NULL DEFAULT '',
    answered_at   TEXT NOT NULL,
    version       INTEGER NOT NULL CHECK (version > 0),
    updated_by    TEXT NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, objective, scope),
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (assessment_id, scope) REFERENCES scopes (assessment_id, scope) ON DELETE CASCADE
);

CREATE TABLE exemptions (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    objective     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    requested_by  TEXT NOT NULL DEFAULT '',
    requested_at  INTEGER NOT NULL,
    approver      TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'refused')),
    until         TEXT NOT NULL,
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_at    INTEGER,
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE
);
CREATE INDEX exemptions_assessment ON exemptions (assessment_id, objective);

CREATE TABLE evidence (
    org_id        TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    objective     TEXT NOT NULL,
    scope         TEXT NOT NULL,
    source        TEXT NOT NULL,
    passed        INTEGER NOT NULL CHECK (passed >= 0),
    failed        INTEGER NOT NULL CHECK (failed >= 0),
    muted         INTEGER NOT NULL CHECK (muted >= 0),
    imported_at   INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, objective, scope, source),
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (assessment_id, scope) REFERENCES scopes (assessment_id, scope) ON DELETE CASCADE
);

CREATE TABLE audit_log (
    id             TEXT PRIMARY KEY,
    org_id         TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    actor_user_id  TEXT NOT NULL DEFAULT '',
    actor_token_id TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    target_type    TEXT NOT NULL,
    target_id      TEXT NOT NULL,
    before_json    TEXT,
    after_json     TEXT,
    at             INTEGER NOT NULL,
    remote_addr    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_org ON audit_log (org_id, at, id);
