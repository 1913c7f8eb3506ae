-- History and peer benchmarks. An organization describes itself and may opt
-- in to the installation's benchmarks. A finalized assessment is a snapshot:
-- its scoring input and result as compressed JSON, never updated, its model
-- kept by hash (shared by every snapshot of that model), and its program,
-- domain and category scores as rows indexed for trends and benchmarks.
ALTER TABLE organizations ADD COLUMN industry TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN size_band TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN regions TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN providers TEXT NOT NULL DEFAULT '';
ALTER TABLE organizations ADD COLUMN benchmark_opt_in INTEGER NOT NULL DEFAULT 0;

CREATE TABLE snapshot_models (
    sha256 TEXT PRIMARY KEY,
    yaml   TEXT NOT NULL
);

CREATE TABLE snapshots (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    assessment_id   TEXT NOT NULL,
    assessment_name TEXT NOT NULL,
    finalized_at    INTEGER NOT NULL,
    finalized_by    TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    as_of           TEXT NOT NULL,
    model_id        TEXT NOT NULL,
    model_version   TEXT NOT NULL,
    model_sha256    TEXT NOT NULL REFERENCES snapshot_models(sha256),
    program_score   REAL,
    floor           INTEGER,
    input           BLOB NOT NULL,
    result          BLOB NOT NULL
);
CREATE INDEX snapshots_org ON snapshots (org_id, finalized_at);
CREATE INDEX snapshots_assessment ON snapshots (org_id, assessment_id, finalized_at);

CREATE TABLE snapshot_scores (
    snapshot_id TEXT NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
    pos         INTEGER NOT NULL,
    org_id      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    score       REAL,
    level       INTEGER,
    target      INTEGER,
    PRIMARY KEY (snapshot_id, pos)
);

-- The latest snapshot of each organization, which benchmarks read.
CREATE TABLE benchmark_latest (
    org_id        TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
    snapshot_id   TEXT NOT NULL REFERENCES snapshots(id),
    model_id      TEXT NOT NULL,
    model_version TEXT NOT NULL,
    finalized_at  INTEGER NOT NULL
);
CREATE INDEX benchmark_latest_model ON benchmark_latest (model_id, model_version);

-- A counter that grows with every change to what benchmarks read, so a
-- computed benchmark can be kept until the next change.
CREATE TABLE benchmark_state (
    id         INTEGER PRIMARY KEY,
    generation INTEGER NOT NULL
);

CREATE TABLE external_benchmarks (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    data        TEXT NOT NULL,
    UNIQUE (org_id, name)
);
