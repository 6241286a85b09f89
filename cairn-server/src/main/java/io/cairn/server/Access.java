package io.cairn.server;

/**
 * Who may call a route. Everything not granted here is refused: routes are registered only
 * through {@link Api#route}, which needs one of these.
 */
public enum Access {
  /** Anyone, including callers without credentials (health, login, enrollment). */
  PUBLIC,
  /** Any logged-in user (their own account and tokens). */
  USER,
  /** The provider's administrators only. */
  PROVIDER,
  /** Provider administrators, and the admins and viewers of the tenant named in the path. */
  TENANT_VIEW,
  /** Provider administrators, and the admins of the tenant named in the path. */
  TENANT_ADMIN,
  /** The agent enrolled for the repository named in the path; its scope decides each operation. */
  AGENT,
  /** Provider administrators and the configured metrics token. */
  METRICS
}
