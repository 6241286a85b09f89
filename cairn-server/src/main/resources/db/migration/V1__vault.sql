-- Server metadata. The repositories themselves live in the data directory; losing this
-- database loses no backup (docs/design.md, "The vault server").

CREATE TABLE tenants (
  id               INTEGER PRIMARY KEY,
  slug             TEXT NOT NULL UNIQUE,
  name             TEXT NOT NULL,
  soft_quota_bytes INTEGER,
  hard_quota_bytes INTEGER,
  suspended        INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL
);

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER REFERENCES tenants(id),
  username      TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('provider_admin', 'tenant_admin', 'tenant_viewer')),
  totp_secret   TEXT,
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL,
  CHECK ((role = 'provider_admin') = (tenant_id IS NULL))
);

-- Bearer tokens of users: login sessions (kind 'session', with an expiry) and API tokens.
CREATE TABLE user_tokens (
  id           INTEGER PRIMARY KEY,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  kind         TEXT NOT NULL CHECK (kind IN ('session', 'api')),
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  created_at   TEXT NOT NULL,
  expires_at   TEXT,
  last_used_at TEXT,
  revoked_at   TEXT
);

CREATE TABLE repositories (
  id                INTEGER PRIMARY KEY,
  tenant_id         INTEGER NOT NULL REFERENCES tenants(id),
  name              TEXT NOT NULL,
  retention         TEXT,
  immutability_days INTEGER NOT NULL DEFAULT 0,
  physical_bytes    INTEGER NOT NULL DEFAULT 0,
  objects           INTEGER NOT NULL DEFAULT 0,
  created_at        TEXT NOT NULL,
  UNIQUE (tenant_id, name)
);

CREATE TABLE enrollment_tokens (
  id            INTEGER PRIMARY KEY,
  tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  scope         TEXT NOT NULL CHECK (scope IN ('append', 'write-only', 'restore')),
  token_hash    TEXT NOT NULL UNIQUE,
  note          TEXT NOT NULL DEFAULT '',
  created_by    INTEGER REFERENCES users(id),
  created_at    TEXT NOT NULL,
  expires_at    TEXT NOT NULL,
  max_uses      INTEGER NOT NULL,
  uses          INTEGER NOT NULL DEFAULT 0,
  revoked_at    TEXT
);

CREATE TABLE agents (
  id                INTEGER PRIMARY KEY,
  tenant_id         INTEGER NOT NULL REFERENCES tenants(id),
  repository_id     INTEGER NOT NULL REFERENCES repositories(id),
  enrollment_id     INTEGER REFERENCES enrollment_tokens(id),
  name              TEXT NOT NULL,
  scope             TEXT NOT NULL CHECK (scope IN ('append', 'write-only', 'restore')),
  credential_hash   TEXT NOT NULL UNIQUE,
  enrolled_at       TEXT NOT NULL,
  last_seen_at      TEXT,
  revoked_at        TEXT
);

-- Which agent announced a write session: only that agent may end (delete) it.
CREATE TABLE session_owners (
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  object_key    TEXT NOT NULL,
  agent_id      INTEGER NOT NULL REFERENCES agents(id),
  PRIMARY KEY (repository_id, object_key)
);

-- What the plaintext snapshot envelopes say, for listing and metering without a key.
CREATE TABLE snapshots (
  repository_id     INTEGER NOT NULL REFERENCES repositories(id),
  snapshot_id       TEXT NOT NULL,
  time              TEXT NOT NULL,
  host              TEXT NOT NULL,
  tags              TEXT NOT NULL,
  logical_bytes     INTEGER NOT NULL,
  new_logical_bytes INTEGER NOT NULL,
  new_stored_bytes  INTEGER NOT NULL,
  files             INTEGER NOT NULL,
  errors            INTEGER NOT NULL,
  locked_until      TEXT,
  agent_id          INTEGER,
  stored_at         TEXT NOT NULL,
  PRIMARY KEY (repository_id, snapshot_id)
);

CREATE TABLE usage_daily (
  tenant_id         INTEGER NOT NULL REFERENCES tenants(id),
  day               TEXT NOT NULL,
  ingress_bytes     INTEGER NOT NULL DEFAULT 0,
  egress_bytes      INTEGER NOT NULL DEFAULT 0,
  requests          INTEGER NOT NULL DEFAULT 0,
  snapshots_created INTEGER NOT NULL DEFAULT 0,
  physical_bytes    INTEGER NOT NULL DEFAULT 0,
  logical_bytes     INTEGER NOT NULL DEFAULT 0,
  snapshots         INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, day)
);

CREATE TABLE jobs (
  id            INTEGER PRIMARY KEY,
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  kind          TEXT NOT NULL CHECK (kind IN ('retention', 'gc', 'scrub')),
  trigger       TEXT NOT NULL,
  status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'ok', 'problems', 'failed', 'interrupted')),
  queued_at     TEXT NOT NULL,
  started_at    TEXT,
  finished_at   TEXT,
  summary       TEXT,
  error         TEXT
);
CREATE INDEX jobs_by_repository ON jobs (repository_id, kind, started_at);

CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY,
  at          TEXT NOT NULL,
  actor_kind  TEXT NOT NULL,
  actor_id    INTEGER,
  actor_name  TEXT NOT NULL,
  tenant_id   INTEGER,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  detail      TEXT NOT NULL,
  remote_addr TEXT NOT NULL
);
CREATE INDEX audit_by_tenant ON audit_log (tenant_id, id);

-- The audit log is append-only: no statement may change or remove a row.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
