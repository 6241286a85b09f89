package io.cairn.agent;

/** The program version written into snapshots. */
public final class Version {
  public static final String VERSION = "0.1.0";

  private Version() {}
}
