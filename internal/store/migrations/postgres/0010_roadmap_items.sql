-- Roadmap items: the work on one objective of an assessment's roadmap, with
-- its owner (a member), due date (YYYY-MM-DD or ''), status (planned,
-- in_progress, done) and an optional http(s) ticket link.
CREATE TABLE roadmap_items (
    org_id        TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    objective     TEXT NOT NULL,
    owner_id      TEXT NOT NULL DEFAULT '',
    due           TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'planned',
    ticket        TEXT NOT NULL DEFAULT '',
    updated_by    TEXT NOT NULL DEFAULT '',
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (org_id, assessment_id, objective),
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE
);
