-- Links and files that back the answer to an objective, added on the
-- answering page or through the API, with who added them and when. A
-- file's bytes are kept here (at most 10 MiB each, checked by the store);
-- a link has an http or https URL and no content.
CREATE TABLE attachments (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    objective     TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('link', 'file')),
    title         TEXT NOT NULL,
    url           TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT '',
    size          INTEGER NOT NULL DEFAULT 0,
    content       BLOB NOT NULL DEFAULT x'',
    added_by      TEXT NOT NULL DEFAULT '',
    added_by_name TEXT NOT NULL DEFAULT '',
    added_at      INTEGER NOT NULL,
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE
);
CREATE INDEX attachments_objective ON attachments (org_id, assessment_id, objective, added_at);

-- A reviewer's mark on the answer to an objective in a scope: the answer's
-- version and save time when it was reviewed, so that a later change shows
-- as "changed since review".
CREATE TABLE answer_reviews (
    org_id            TEXT NOT NULL,
    assessment_id     TEXT NOT NULL,
    objective         TEXT NOT NULL,
    scope             TEXT NOT NULL,
    answer_version    INTEGER NOT NULL,
    answer_updated_at INTEGER NOT NULL,
    reviewed_by       TEXT NOT NULL DEFAULT '',
    reviewer_name     TEXT NOT NULL DEFAULT '',
    reviewed_at       INTEGER NOT NULL,
    PRIMARY KEY (org_id, assessment_id, objective, scope),
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE
);
