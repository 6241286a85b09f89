package io.cairn.cli;

import io.cairn.repository.KeyInfo;
import io.cairn.repository.Repository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "key", mixinStandardHelpOptions = true,
    description = "Manage the repository's passwords (key files): list, add, remove.")
final class KeyCommand extends RepoCommand {
  @Parameters(index = "0", paramLabel = "ACTION", description = "list | add | remove")
  String action;

  @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "Key id (prefix) for remove.")
  String id;

  @Option(names = "--new-password-file", paramLabel = "FILE", description = "The new password for 'add' (default: prompt or $CAIRN_NEW_PASSWORD).")
  Path newPasswordFile;

  static Map<String, Object> toJson(KeyInfo k) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", k.id().hex());
    m.put("current", k.current());
    m.put("created", k.created().toString());
    m.put("host", k.host());
    m.put("username", k.username());
    return m;
  }

  @Override
  public Integer call() {
    try (Repository repo = open()) {
      switch (action) {
        case "list" -> {
          List<KeyInfo> keys = repo.listKeys();
          if (json()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (KeyInfo k : keys) {
              rows.add(toJson(k));
            }
            printJson(rows);
          } else {
            out().printf(" %-8s  %-12s  %-16s  %s%n", "ID", "User", "Host", "Created");
            for (KeyInfo k : keys) {
              out().printf("%s%-8s  %-12s  %-16s  %s%n", k.current() ? "*" : " ", k.id().shortHex(), k.username(),
                  k.host(), SnapshotsCommand.TIME.format(k.created()));
            }
          }
        }
        case "add" -> {
          char[] pw;
          if (newPasswordFile != null) {
            pw = readPasswordFile(newPasswordFile);
          } else if (System.getenv("CAIRN_NEW_PASSWORD") != null) {
            pw = System.getenv("CAIRN_NEW_PASSWORD").toCharArray();
          } else if (System.console() != null && System.console().isTerminal()) {
            pw = System.console().readPassword("enter the new password: ");
          } else {
            throw new IllegalArgumentException("key add needs the new password: --new-password-file FILE, "
                + "CAIRN_NEW_PASSWORD, or a terminal to be asked on");
          }
          var k = repo.addKey(pw);
          if (json()) {
            printJson(Map.of("id", k.hex()));
          } else {
            out().println("added key " + k.shortHex());
          }
        }
        case "remove" -> {
          refuseOnServer(false, "agents may add to a server repository but never remove anything: ask the "
              + "provider's operator to remove the key file (keys/ID) from the repository directory");
          if (id == null) {
            throw new IllegalArgumentException("key remove needs the ID of the key to remove");
          }
          var k = repo.findKey(id);
          repo.removeKey(k);
          if (json()) {
            printJson(Map.of("removed", k.hex()));
          } else {
            out().println("removed key " + k.shortHex());
          }
        }
        default -> throw new IllegalArgumentException("unknown action '" + action + "'; use list, add or remove");
      }
    }
    return ExitCodes.OK;
  }
}
