package io.cairn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForgetTest {
  @TempDir Path tmp;

  @Test
  void forgetIsKeylessHonoursLocksAndDryRunChangesNothing() throws Exception {
    Cli cli = new Cli(tmp);
    Path src = Files.createDirectories(tmp.resolve("src"));
    assertThat(cli.run("init").exit()).isZero();
    String[] ids = new String[4];
    for (int i = 0; i < 4; i++) {
      Files.writeString(src.resolve("f"), "version " + i);
      Cli.Result b = i == 1 ? cli.run("--json", "backup", "--lock-for", "30d", src.toString())
          : cli.run("--json", "backup", src.toString());
      assertThat(b.exit()).as(b.err()).isZero();
      ids[i] = CliEndToEndTest.json(b.out()).get("snapshot").asText();
    }
    Path wrong = tmp.resolve("no-key");
    Files.writeString(wrong, "not the password\n");

    Cli.Result dry = cli.run("--password-file", wrong.toString(), "--json", "forget", "--keep-last", "1", "--dry-run");
    assertThat(dry.exit()).as(dry.err()).isZero();
    JsonNode plan = CliEndToEndTest.json(dry.out());
    assertThat(plan.get("removed").asInt()).isZero();
    assertThat(CliEndToEndTest.json(cli.run("--json", "snapshots").out())).hasSize(4);
    int wouldGo = 0;
    for (JsonNode s : plan.get("snapshots")) {
      if (s.get("id").asText().equals(ids[1])) {
        assertThat(s.get("keep").asBoolean()).isTrue();
        assertThat(s.get("reasons").get(0).asText()).startsWith("locked until");
      }
      if (!s.get("keep").asBoolean()) {
        wouldGo++;
      }
    }
    assertThat(wouldGo).isEqualTo(2);

    // With the password at hand, groups are named by their paths; without it, by their paths' tag.
    Cli.Result named = cli.run("forget", "--keep-last", "1", "--dry-run");
    assertThat(named.out()).contains("paths " + src + ":");
    assertThat(CliEndToEndTest.json(cli.run("--json", "forget", "--keep-last", "1", "--dry-run").out())
        .get("snapshots").get(0).get("paths").get(0).asText()).isEqualTo(src.toString());
    Cli.Result tagged = cli.run("--password-file", wrong.toString(), "forget", "--keep-last", "1", "--dry-run");
    assertThat(tagged.out()).containsPattern("paths tagged [0-9a-f]{8}:").doesNotContain(src.toString());
    assertThat(tagged.err()).contains("wrong password");

    Cli.Result real = cli.run("--password-file", wrong.toString(), "forget", "--keep-last", "1");
    assertThat(real.exit()).as(real.err()).isZero();
    assertThat(real.out()).contains("2 of 4 snapshots removed");
    JsonNode left = CliEndToEndTest.json(cli.run("--json", "snapshots").out());
    assertThat(left).extracting(n -> n.get("id").asText()).containsExactlyInAnyOrder(ids[1], ids[3]);
    assertThat(left.get(0).get("locked_until").isNull()).isFalse();
    // What is left still restores.
    Cli.Result r = cli.run("restore", ids[1].substring(0, 8) + ":" + src, "--target", tmp.resolve("r").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(Files.readString(tmp.resolve("r/f"))).isEqualTo("version 1");
    // No rule, nothing removed.
    assertThat(cli.run("forget").exit()).isEqualTo(ExitCodes.ERROR);
  }
}
