package io.cairn.text;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file operation failed, in words: the JDK's exceptions for a missing file or a refused
 * permission carry only the path as their message, which printed after the path says nothing.
 */
public final class IoErrors {
  private IoErrors() {}

  /** The reason, without the path: "not found", "permission denied", or the system's own words. */
  public static String reason(IOException e) {
    return switch (e) {
      case NoSuchFileException n -> "not found";
      case AccessDeniedException a -> "permission denied";
      case NotDirectoryException d -> "not a directory";
      case FileSystemException f when f.getReason() != null -> f.getReason();
      default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    };
  }

  /** The file the failure names, if any, and the reason: "/srv/x: permission denied". */
  public static String describe(IOException e) {
    return e instanceof FileSystemException f && f.getFile() != null ? f.getFile() + ": " + reason(e) : reason(e);
  }
}
