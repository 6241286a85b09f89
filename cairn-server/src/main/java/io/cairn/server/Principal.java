package io.cairn.server;

/** Who is making a request, as established by its bearer token. */
public sealed interface Principal {

  /** A short description for the audit log. */
  String describe();

  /** A person: the provider's administrator or a user of one tenant. */
  record User(long id, Long tenantId, String username, Role role, long tokenId) implements Principal {
    @Override
    public String describe() {
      return "user " + username;
    }
  }

  /** An enrolled machine, bound to one repository with one scope. */
  record Agent(long id, long tenantId, long repositoryId, String name, Scope scope) implements Principal {
    @Override
    public String describe() {
      return "agent " + name + " (#" + id + ")";
    }
  }

  /** Metrics scrapers holding the configured metrics token. */
  record MetricsScraper() implements Principal {
    @Override
    public String describe() {
      return "metrics scraper";
    }
  }

  record Anonymous() implements Principal {
    @Override
    public String describe() {
      return "anonymous";
    }
  }

  /** Roles of users. */
  enum Role {
    PROVIDER_ADMIN("provider_admin"), TENANT_ADMIN("tenant_admin"), TENANT_VIEWER("tenant_viewer");

    public final String dbName;

    Role(String dbName) {
      this.dbName = dbName;
    }

    public static Role of(String s) {
      for (Role r : values()) {
        if (r.dbName.equals(s)) {
          return r;
        }
      }
      throw ApiException.badRequest("role must be provider_admin, tenant_admin or tenant_viewer, not '" + s + "'");
    }
  }

  /** What an agent may do with its repository (docs/security.md, "Agent scopes"). */
  enum Scope {
    /** Read everything, add objects, never delete or replace anything. */
    APPEND("append"),
    /** Add objects and read only what a backup needs: no file contents. */
    WRITE_ONLY("write-only"),
    /** Read everything, write nothing. */
    RESTORE("restore");

    public final String dbName;

    Scope(String dbName) {
      this.dbName = dbName;
    }

    public static Scope of(String s) {
      for (Scope r : values()) {
        if (r.dbName.equals(s)) {
          return r;
        }
      }
      throw ApiException.badRequest("scope must be append, write-only or restore, not '" + s + "'");
    }
  }
}
