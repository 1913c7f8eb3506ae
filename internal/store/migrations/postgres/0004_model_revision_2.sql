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
-- for a measured one.
ALTER TABLE answers DROP CONSTRAINT answers_answer_check;
ALTER TABLE answers ADD CONSTRAINT answers_answer_check CHECK (answer IN ('', 'no', 'some', 'half', 'most', 'yes', 'na'));
ALTER TABLE answers ADD COLUMN measured DOUBLE PRECISION;
ALTER TABLE answers ADD COLUMN measure_of DOUBLE PRECISION;
ALTER TABLE answers ADD COLUMN measure_percent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE answers ADD CONSTRAINT answers_measure_check CHECK ((answer = '') = (measured IS NOT NULL));
ALTER TABLE answers ADD CONSTRAINT answers_measure_range CHECK (measured IS NULL OR (measure_of > 0 AND measured >= 0 AND measured <= measure_of));

-- Evidence keeps its counts per check and scan date (JSON, the engine's
-- checks list), so that stale evidence and contradictions can be judged.
ALTER TABLE evidence ADD COLUMN checks_json TEXT NOT NULL DEFAULT '';
