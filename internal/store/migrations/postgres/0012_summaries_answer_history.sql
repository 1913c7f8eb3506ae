-- Each snapshot's program, domain and category scores in one summary row,
-- written once at finalize time and never changed: trends and benchmarks
-- read these rows (one per snapshot) instead of the score rows.
CREATE TABLE snapshot_summaries (
    snapshot_id     TEXT PRIMARY KEY REFERENCES snapshots(id) ON DELETE CASCADE,
    org_id          TEXT NOT NULL,
    assessment_id   TEXT NOT NULL,
    assessment_name TEXT NOT NULL,
    finalized_at    BIGINT NOT NULL,
    as_of           TEXT NOT NULL,
    model_id        TEXT NOT NULL,
    model_version   TEXT NOT NULL,
    scores          TEXT NOT NULL
);
CREATE INDEX snapshot_summaries_org ON snapshot_summaries (org_id, finalized_at, snapshot_id);
CREATE INDEX snapshot_summaries_assessment ON snapshot_summaries (org_id, assessment_id, finalized_at, snapshot_id);

INSERT INTO snapshot_summaries (snapshot_id, org_id, assessment_id, assessment_name, finalized_at, as_of, model_id, model_version, scores)
SELECT s.id, s.org_id, s.assessment_id, s.assessment_name, s.finalized_at, s.as_of, s.model_id, s.model_version,
    COALESCE((SELECT json_agg(json_build_object('kind', c.kind, 'id', c.ref, 'score', c.score, 'level', c.level, 'target', c.target) ORDER BY c.pos)
              FROM snapshot_scores c WHERE c.snapshot_id = s.id)::text, '[]')
FROM snapshots s;

-- Benchmarks read the opted-in organizations' latest snapshots.
CREATE INDEX organizations_benchmark ON organizations (benchmark_opt_in, id);

-- Every change to a manual answer, appended in the transaction that makes
-- it and never updated: who saved it, when, and the answer (or its
-- deletion), numbered by seq from 1 for each objective and scope. Scoring
-- the live assessment as of a past date reads the answer known that day
-- from here.
CREATE TABLE answer_history (
    org_id          TEXT NOT NULL,
    assessment_id   TEXT NOT NULL,
    objective       TEXT NOT NULL,
    scope           TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    deleted         BOOLEAN NOT NULL DEFAULT FALSE,
    answer          TEXT NOT NULL DEFAULT '',
    measured        DOUBLE PRECISION,
    measure_of      DOUBLE PRECISION,
    measure_percent BOOLEAN NOT NULL DEFAULT FALSE,
    note            TEXT NOT NULL DEFAULT '',
    justification   TEXT NOT NULL DEFAULT '',
    answered_by     TEXT NOT NULL DEFAULT '',
    answered_at     TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL,
    changed_by      TEXT NOT NULL DEFAULT '',
    changed_at      BIGINT NOT NULL,
    PRIMARY KEY (org_id, assessment_id, objective, scope, seq),
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE
);

CREATE FUNCTION answer_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'answer_history is append-only';
END;
$$;
CREATE TRIGGER answer_history_append_only BEFORE UPDATE ON answer_history
    FOR EACH ROW EXECUTE FUNCTION answer_history_append_only();

-- The answers saved before the history began: one row each, as last saved.
INSERT INTO answer_history (org_id, assessment_id, objective, scope, seq, answer, measured, measure_of, measure_percent,
    note, justification, answered_by, answered_at, version, changed_by, changed_at)
SELECT org_id, assessment_id, objective, scope, 1, answer, measured, measure_of, measure_percent,
    note, justification, answered_by, answered_at, version, updated_by, updated_at
FROM answers;
