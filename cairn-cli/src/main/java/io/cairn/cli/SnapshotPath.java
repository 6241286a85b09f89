package io.cairn.cli;

/** "SNAPSHOT[:PATH]" as restic users write it. */
record SnapshotPath(String snapshot, String path) {
  static SnapshotPath parse(String arg) {
    int colon = arg.indexOf(':');
    if (colon < 0) {
      return new SnapshotPath(arg, "/");
    }
    String p = arg.substring(colon + 1);
    return new SnapshotPath(arg.substring(0, colon), p.isEmpty() ? "/" : p);
  }
}
