package io.cairn.agent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Random;
import java.util.stream.Stream;

/** Builds a directory holding every kind of entry a backup must round-trip. */
final class Fixtures {
  static final byte[] BAD_UTF8_NAME = {'b', 'a', 'd', '-', (byte) 0xff, (byte) 0xfe, '.', 't', 'x', 't'};
  static final byte[] WEIRD_TARGET = {(byte) 0xc3, (byte) 0x28, '/', '.', '.', '/', 'n', 'o', 'w', 'h', 'e', 'r', 'e'};

  private Fixtures() {}

  static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Creates the tree under {@code root}; returns the size of the sparse file's hole. */
  static void everyKind(Path root, boolean asRoot) throws IOException {
    Files.createDirectories(root);
    Files.write(root.resolve("empty.txt"), new byte[0]);
    Files.writeString(root.resolve("small.txt"), "hello, cairn\n");
    Files.write(root.resolve("big.bin"), random(1, 5 << 20));
    Path a = Files.createDirectories(root.resolve("dirA"));
    Path b = Files.createDirectories(root.resolve("dirB/deeper"));
    byte[] same = random(2, 3 << 20);
    Files.write(a.resolve("same.bin"), same);
    Files.write(b.resolve("same.bin"), same);
    Files.createDirectories(root.resolve("emptydir"));
    Path suid = root.resolve("setuid.sh");
    Files.writeString(suid, "#!/bin/sh\necho hi\n");
    Files.setAttribute(suid, "unix:mode", 04755);
    Path sgid = root.resolve("setgid.bin");
    Files.writeString(sgid, "g");
    Files.setAttribute(sgid, "unix:mode", 02751);
    Path sticky = Files.createDirectories(root.resolve("sticky"));
    Files.setAttribute(sticky, "unix:mode", 01777);
    Path ro = root.resolve("readonly.txt");
    Files.writeString(ro, "read only");
    Files.setAttribute(ro, "unix:mode", 0444);
    Files.createSymbolicLink(root.resolve("link-rel"), Path.of("small.txt"));
    Files.createSymbolicLink(root.resolve("link-abs"), Path.of("/etc/hostname"));
    Files.createSymbolicLink(root.resolve("link-weird"), RawPaths.of(WEIRD_TARGET));
    Files.createSymbolicLink(root.resolve("link-dangling"), Path.of("does/not/exist"));
    Path h1 = root.resolve("hard1.txt");
    Files.writeString(h1, "hard linked content");
    Files.createLink(root.resolve("dirB/hard2.txt"), h1);
    Posix.mkfifo(root.resolve("fifo"), 0640);
    Files.writeString(RawPaths.resolve(root, BAD_UTF8_NAME), "not utf-8 name");
    Path x = root.resolve("xattrs.txt");
    Files.writeString(x, "with extended attributes");
    UserDefinedFileAttributeView v = Files.getFileAttributeView(x, UserDefinedFileAttributeView.class);
    v.write("comment", ByteBuffer.wrap("hello".getBytes()));
    byte[] all = new byte[256];
    for (int i = 0; i < 256; i++) {
      all[i] = (byte) i;
    }
    v.write("binary", ByteBuffer.wrap(all));
    Files.getFileAttributeView(a, UserDefinedFileAttributeView.class).write("dirattr", ByteBuffer.wrap(new byte[] {1}));
    Path sparse = root.resolve("sparse.img");
    try (RandomAccessFile raf = new RandomAccessFile(sparse.toFile(), "rw")) {
      raf.setLength(64L << 20);
      raf.seek(32L << 20);
      raf.write(random(3, 1 << 20));
    }
    if (asRoot) {
      Path owned = root.resolve("owned.txt");
      Files.writeString(owned, "owned by someone else");
      Files.setAttribute(owned, "unix:uid", 1234);
      Files.setAttribute(owned, "unix:gid", 4321);
      Posix.mknod(root.resolve("null-dev"), Posix.S_IFCHR, 0666, (1L << 8) | 3);
      Files.setAttribute(root.resolve("link-rel"), "unix:uid", 1234, LinkOption.NOFOLLOW_LINKS);
    }
    // Nanosecond mtimes everywhere, children before parents.
    long[] n = {0};
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted((p, q) -> q.getNameCount() - p.getNameCount()).forEach(p -> {
        try {
          n[0]++;
          Posix.setTimes(p, 1_600_000_000L + n[0] * 1000, (int) (123_456_789L - n[0] * 7),
              1_600_000_000L + n[0] * 1000, 5);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    }
  }
}
