package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.store.S3ProxyServer;
import io.cairn.store.StoreLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn -r s3:...} straight against a bucket on a real S3 server (s3proxy), as restic
 * users expect: init, backup, snapshots, restore, forget, prune and check, with the keys from
 * the environment as a real process reads them.
 */
class BucketCliTest {
  @TempDir Path tmp;
  private static S3ProxyServer s3;

  @BeforeAll
  static void keys() {
    s3 = S3ProxyServer.sharedWithSdkKeys();
  }

  @AfterAll
  static void noKeys() {
    S3ProxyServer.clearSdkKeys();
  }

  @Test
  void theWholeCycleRunsAgainstABucket() throws Exception {
    Cli cli = new Cli(tmp);
    StoreLocation.Bucket where = s3.newLocation("cli", "hosts/web1");
    cli.location = where.text();
    Path src = Files.createDirectories(tmp.resolve("src"));
    Random r = new Random(11);
    byte[] shared = new byte[2 << 20];
    byte[] a = new byte[3 << 20];
    byte[] b = new byte[3 << 20];
    r.nextBytes(shared);
    r.nextBytes(a);
    r.nextBytes(b);
    Files.write(src.resolve("shared.bin"), shared);
    Files.write(src.resolve("a.bin"), a);
    Files.writeString(src.resolve("note.txt"), "hello\n");

    Cli.Result none = cli.run("snapshots");
    assertThat(none.exit()).as(none.err()).isNotZero();
    Cli.Result init = cli.run("--json", "init");
    assertThat(init.exit()).as(init.err()).isZero();
    assertThat(CliEndToEndTest.json(init.out()).get("location").asText()).isEqualTo(where.text());
    assertThat(cli.run("backup", src.toString()).exit()).isZero();
    Files.delete(src.resolve("a.bin"));
    Files.write(src.resolve("b.bin"), b);
    Cli.Result second = cli.run("--json", "backup", src.toString());
    assertThat(second.exit()).as(second.err()).isZero();

    // A real process, with the keys in the environment as a user would set them.
    Cli.Result listed = cli.process(List.of(), Map.of("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY), null, "--json", "snapshots");
    assertThat(listed.exit()).as(listed.err()).isZero();
    assertThat(CliEndToEndTest.json(listed.out())).hasSize(2);
    // Without keys, it says where they come from.
    Cli.Result noKeys = cli.process(List.of(), Map.of("AWS_ACCESS_KEY_ID", "", "AWS_SHARED_CREDENTIALS_FILE",
        tmp.resolve("none").toString(), "AWS_CONFIG_FILE", tmp.resolve("none").toString()), null, "snapshots");
    assertThat(noKeys.exit()).isNotZero();
    assertThat(noKeys.err()).contains("AWS_ACCESS_KEY_ID").contains("AWS_SECRET_ACCESS_KEY");

    Path first = tmp.resolve("first");
    String firstId = CliEndToEndTest.json(listed.out()).get(0).get("id").asText();
    Cli.Result restoreFirst = cli.run("restore", firstId + ":" + src, "--target", first.toString(), "--verify");
    assertThat(restoreFirst.exit()).as(restoreFirst.err()).isZero();
    assertThat(Files.readAllBytes(first.resolve("a.bin"))).isEqualTo(a);

    // Keyless maintenance on the bucket: forget the first, prune (condemn, then sweep), check.
    Path noKey = tmp.resolve("no-key");
    Files.writeString(noKey, "not the password\n");
    assertThat(cli.run("--password-file", noKey.toString(), "forget", "--keep-last", "1").exit()).isZero();
    List<String> prune = List.of("--password-file", noKey.toString(), "--json", "prune", "--grace", "0",
        "--fence-margin", "0");
    Cli.Result condemn = cli.run(prune.toArray(String[]::new));
    assertThat(condemn.exit()).as(condemn.err()).isZero();
    Cli.Result sweep = cli.run(prune.toArray(String[]::new));
    assertThat(sweep.exit()).as(sweep.err()).isZero();
    assertThat(CliEndToEndTest.json(sweep.out()).get("blobs_removed").asInt()).isGreaterThan(0);

    Cli.Result check = cli.run("check", "--read-data");
    assertThat(check.exit()).as(check.out() + check.err()).isZero();
    Path restored = tmp.resolve("restored");
    Cli.Result restore = cli.run("restore", "latest:" + src, "--target", restored.toString(), "--verify");
    assertThat(restore.exit()).as(restore.err()).isZero();
    assertThat(Files.readAllBytes(restored.resolve("b.bin"))).isEqualTo(b);
    assertThat(Files.readAllBytes(restored.resolve("shared.bin"))).isEqualTo(shared);
    assertThat(restored.resolve("a.bin")).doesNotExist();
  }
}
