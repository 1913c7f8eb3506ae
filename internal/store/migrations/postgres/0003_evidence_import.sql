-- Evidence records name the scanner file they were imported from (its file
-- name and format) and who imported it, so that an assessment lists its
-- imports and each import can be replaced or removed on its own.
ALTER TABLE evidence ADD COLUMN file_name TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN format TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN imported_by TEXT NOT NULL DEFAULT '';
