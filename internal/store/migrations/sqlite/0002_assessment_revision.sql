-- The revision of an assessment counts its changes: every write to the
-- assessment, its scopes, targets, answers, exemptions or evidence adds one
-- in the same transaction, so a cached report built at one revision is
-- known to be current while the revision is unchanged.
ALTER TABLE assessments ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
