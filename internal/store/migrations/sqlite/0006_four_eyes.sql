-- Exemptions record who requested them (the user, not only the name shown),
-- so that nobody approves their own request, and the comment given with
-- the decision.
ALTER TABLE exemptions ADD COLUMN requested_by_id TEXT NOT NULL DEFAULT '';
ALTER TABLE exemptions ADD COLUMN decision_comment TEXT NOT NULL DEFAULT '';
