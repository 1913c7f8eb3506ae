-- Model revision 2.
-- An assessment on a built-in model records the version it was made with
-- (model_version, "csmm@2.0.0"), and keeps scoring on it until it is moved
-- to another version; assessments made before this change were made on
-- csmm@2.0.0. It may also set its own evidence validity (days; 0 is the
-- default of 90).
ALTER TABLE assessments ADD COLUMN model_version TEXT;
UPDATE assessments SET model_version = 'csmm@2.0.0' WHERE model_id IS NULL;
ALTER TABLE assessments ADD COLUMN evidence_validity_days INTEGER NOT NULL DEFAULT 0 CHECK (evidence_validity_days >= 0);

-- A manual answer is a word of the scale or a measured figure (measured of
-- measure_of, or a percentage when measure_percent is set); answer is ''
-- for a measured one. SQLite cannot change a CHECK, so the table is rebuilt.
CREATE TABLE answers_v4 (
    org_id          TEXT NOT NULL,
    assessment_id   TEXT NOT NULL,
    objective       TEXT NOT NULL,
    scope           TEXT NOT NULL,
    answer          TEXT NOT NULL CHECK (answer IN ('', 'no', 'some', 'half', 'most', 'yes', 'na')),
    note            TEXT NOT NULL DEFAULT '',
    justification   TEXT NOT NULL DEFAULT '',
    answered_by     TEXT NOT NULL DEFAULT '',
    answered_at     TEXT NOT NULL,
    version         INTEGER NOT NULL CHECK (version > 0),
    updated_by      TEXT NOT NULL DEFAULT '',
    updated_at      INTEGER NOT NULL,
    measured        REAL,
    measure_of      REAL,
    measure_percent INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (assessment_id, objective, scope),
    CHECK ((answer = '') = (measured IS NOT NULL)),
    CHECK (measured IS NULL OR (measure_of > 0 AND measured >= 0 AND measured <= measure_of)),
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (assessment_id, scope) REFERENCES scopes (assessment_id, scope) ON DELETE CASCADE
);
INSERT INTO answers_v4 (org_id, assessment_id, objective, scope, answer, note, justification, answered_by, answered_at, version, updated_by, updated_at)
    SELECT org_id, assessment_id, objective, scope, answer, note, justification, answered_by, answered_at, version, updated_by, updated_at FROM answers;
DROP TABLE answers;
ALTER TABLE answers_v4 RENAME TO answers;

-- Evidence keeps its counts per check and scan date (JSON, the engine's
-- checks list), so that stale evidence and contradictions can be judged.
ALTER TABLE evidence ADD COLUMN checks_json TEXT NOT NULL DEFAULT '';
