package io.cairn.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-then-write transactions on many connections at once (as concurrent enrollments on one
 * token run) all succeed and lose no update: none fails with "database is locked".
 */
class DatabaseTest {
  @TempDir Path tmp;

  @Test
  void concurrentReadThenWriteTransactionsAllCommit() throws Exception {
    Database db = Database.open(tmp.resolve("vault.db"));
    db.jdbi().useHandle(h -> {
      h.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
      h.execute("INSERT INTO counter (id, n) VALUES (1, 0)");
    });
    int threads = 8;
    int each = 40;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            db.jdbi().useTransaction(h -> {
              int n = h.createQuery("SELECT n FROM counter WHERE id = 1").mapTo(Integer.class).one();
              Thread.onSpinWait();
              h.createUpdate("UPDATE counter SET n = ? WHERE id = 1").bind(0, n + 1).execute();
            });
          }
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    int total = db.jdbi().withHandle(h -> h.createQuery("SELECT n FROM counter WHERE id = 1").mapTo(Integer.class).one());
    assertThat(total).isEqualTo(threads * each);
  }
}
