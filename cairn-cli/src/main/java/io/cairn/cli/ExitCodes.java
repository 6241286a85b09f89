package io.cairn.cli;

/** Process exit codes; the non-zero ones match restic's where the meaning is the same. */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int ERROR = 1;
  public static final int USAGE = 2;
  /** The backup was written but some files could not be read. */
  public static final int PARTIAL = 3;
  public static final int NO_REPOSITORY = 10;
  public static final int WRONG_PASSWORD = 12;

  private ExitCodes() {}
}
