-- Plans (templates for tenants), machines' expected backup interval, two-factor secrets.

CREATE TABLE plans (
  id                 INTEGER PRIMARY KEY,
  name               TEXT NOT NULL UNIQUE,
  soft_quota_bytes   INTEGER,
  hard_quota_bytes   INTEGER,
  -- Prices are decimal strings (exact), per GB (10^9 bytes).
  price_per_gb_month TEXT NOT NULL,
  price_per_gb_egress TEXT NOT NULL,
  currency           TEXT NOT NULL,
  retention          TEXT,
  immutability_days  INTEGER NOT NULL DEFAULT 0,
  created_at         TEXT NOT NULL
);

ALTER TABLE tenants ADD COLUMN plan_id INTEGER REFERENCES plans(id);
ALTER TABLE agents ADD COLUMN expected_interval_hours INTEGER NOT NULL DEFAULT 24;
-- A secret being set up; it becomes totp_secret once a code from it is confirmed.
ALTER TABLE users ADD COLUMN totp_pending TEXT;
