-- Write sessions the server ended because their agent made no request for jobs.gc.session-idle:
-- their markers are gone, so garbage collection no longer waits for them. Until the agent starts
-- a new session (writes a new marker), its other writes to the repository are refused, since
-- they may depend on data that collection has since removed.

CREATE TABLE expired_sessions (
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  agent_id      INTEGER NOT NULL REFERENCES agents(id),
  object_key    TEXT NOT NULL,
  expired_at    TEXT NOT NULL,
  PRIMARY KEY (repository_id, agent_id, object_key)
);
