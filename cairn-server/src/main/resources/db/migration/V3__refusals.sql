-- The last upload the server refused a machine in a way that ends a backup (a full quota, a
-- scope that does not allow it, an object that is not valid), so that the tenant and the
-- provider see a backup that failed before any snapshot could be committed.

ALTER TABLE agents ADD COLUMN last_refusal_at TEXT;
ALTER TABLE agents ADD COLUMN last_refusal_code TEXT;
ALTER TABLE agents ADD COLUMN last_refusal_message TEXT;
