-- An admin assigns a category or an objective of an assessment to a member,
-- who then finds it under "mine"; one owner per category or objective.
CREATE TABLE assignments (
    org_id        TEXT NOT NULL,
    assessment_id TEXT NOT NULL,
    target        TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    assigned_by   TEXT NOT NULL DEFAULT '',
    assigned_at   INTEGER NOT NULL,
    PRIMARY KEY (org_id, assessment_id, target),
    FOREIGN KEY (org_id, assessment_id) REFERENCES assessments (org_id, id) ON DELETE CASCADE
);
CREATE INDEX assignments_user ON assignments (org_id, user_id);
