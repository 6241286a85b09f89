package io.cairn.server;

import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.CaseStrategy;
import org.jdbi.v3.core.mapper.MapMappers;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The server's SQLite database: tenancy, accounts, metering, jobs and the audit log. It holds
 * nothing needed to restore a backup. Migrations live in {@code db/migration} and run at start.
 */
public final class Database {
  private final Jdbi jdbi;
  private Database(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public static Database open(Path file) {
    SQLiteConfig c = new SQLiteConfig();
    c.setJournalMode(SQLiteConfig.JournalMode.WAL);
    c.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    c.enforceForeignKeys(true);
    c.setBusyTimeout(30_000);
    // Transactions read and then write (an enrollment reads its token, then counts a use). Begun
    // deferred, such a transaction takes its read snapshot first and fails at once with
    // SQLITE_BUSY when another connection has written since, whatever the busy timeout; begun
    // immediate, it takes the write lock first and waits its turn for up to the timeout.
    c.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource ds = new SQLiteDataSource(c);
    ds.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    Jdbi jdbi = Jdbi.create(ds);
    // Keep column aliases as written (camelCase in JSON answers).
    jdbi.getConfig(MapMappers.class).setCaseChange(CaseStrategy.NOP);
    return new Database(jdbi);
  }

  public Jdbi jdbi() {
    return jdbi;
  }
}
