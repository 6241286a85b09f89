package io.cairn.agent;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/** Counts files and bytes ahead of a backup so that progress can show an ETA. */
final class Scanner {
  private Scanner() {}

  static void estimate(List<Path> roots, Excludes excludes, Progress progress) {
    try {
      for (Path root : roots) {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (Thread.currentThread().isInterrupted()) {
              return FileVisitResult.TERMINATE;
            }
            return excludes.matches(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && !excludes.matches(file)) {
              progress.totalFiles.incrementAndGet();
              progress.totalBytes.addAndGet(attrs.size());
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) {
            return FileVisitResult.CONTINUE;
          }
        });
      }
      progress.totalsKnown(true);
    } catch (IOException e) {
      // The estimate is only for display; the backup reports real errors itself.
    }
  }
}
