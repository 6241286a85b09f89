package io.cairn.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.cairn.format.Node;
import io.cairn.format.NodeKind;
import io.cairn.format.TreeCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fast stat (the JDK's own result, field by field) must record exactly what the portable way does. */
class FileMetadataTest {
  @TempDir Path tmp;

  @Test
  void fastAndPortableStatRecordTheSameNodes() throws Exception {
    assertThat(FileMetadata.fastStat()).as("tests run with --add-opens java.base/sun.nio.fs").isTrue();
    Path file = Files.writeString(tmp.resolve("file"), "content");
    Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2024-05-06T07:08:09.123456789Z")));
    Path old = Files.writeString(tmp.resolve("old"), "x".repeat(5000));
    Files.setLastModifiedTime(old, FileTime.from(Instant.parse("2001-02-03T04:05:06Z"))); // whole seconds
    Path empty = Files.createFile(tmp.resolve("empty"));
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    Path link = Files.createSymbolicLink(tmp.resolve("link"), Path.of("file"));
    Path fifo = tmp.resolve("fifo");
    Posix.mkfifo(fifo, 0640);
    Path hardlinked = Files.createLink(tmp.resolve("second-name"), file);
    FileMetadata m = new FileMetadata();
    for (Path p : List.of(file, old, empty, dir, link, fifo, hardlinked)) {
      byte[] name = p.getFileName().toString().getBytes(StandardCharsets.UTF_8);
      Node fast = complete(m.read(p, name, null));
      Node portable = complete(m.readByName(p, name, null));
      assertThat(TreeCodec.encode(List.of(fast))).as(p.toString()).isEqualTo(TreeCodec.encode(List.of(portable)));
    }
    Node f = m.read(file, "file".getBytes(StandardCharsets.UTF_8), null);
    assertThat(f.kind()).isEqualTo(NodeKind.FILE);
    assertThat(f.size()).isEqualTo(7);
    assertThat(f.mtimeNanos()).isEqualTo(123_456_789);
    assertThat(f.links()).isEqualTo(2);
    Node o = m.read(old, "old".getBytes(StandardCharsets.UTF_8), null);
    assertThat(Instant.ofEpochSecond(o.mtimeSeconds(), o.mtimeNanos())).isEqualTo(Instant.parse("2001-02-03T04:05:06Z"));
    assertThat(m.read(fifo, "fifo".getBytes(StandardCharsets.UTF_8), null).kind()).isEqualTo(NodeKind.FIFO);
    assertThat(m.read(link, "link".getBytes(StandardCharsets.UTF_8), null).linkTarget()).isEqualTo("file".getBytes(StandardCharsets.UTF_8));
  }

  /** Trees need a directory's subtree and a file's content to encode. */
  private static Node complete(Node n) {
    io.cairn.format.Id zero = io.cairn.format.Id.of(new byte[32]);
    return switch (n.kind()) {
      case DIRECTORY -> n.withSubtree(zero);
      case FILE -> n.withContent(List.of(zero), n.size());
      default -> n;
    };
  }

  @Test
  void aChangeAfterReadingIsNoticed() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "content");
    FileMetadata m = new FileMetadata();
    Node before = m.read(file, "file".getBytes(StandardCharsets.UTF_8), null);
    assertThat(FileMetadata.changedSince(file, before)).isFalse();
    Files.writeString(file, "content, longer");
    assertThat(FileMetadata.changedSince(file, before)).isTrue();
    Node again = m.read(file, "file".getBytes(StandardCharsets.UTF_8), null);
    Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(again.mtimeSeconds(), again.mtimeNanos() + 1)));
    assertThat(FileMetadata.changedSince(file, again)).isTrue();
  }

  @Test
  void extendedAttributesAreReadAgainOnlyWhenTheCtimeMoved() throws Exception {
    Path file = Files.writeString(tmp.resolve("tagged"), "content");
    java.nio.file.attribute.UserDefinedFileAttributeView v =
        Files.getFileAttributeView(file, java.nio.file.attribute.UserDefinedFileAttributeView.class);
    v.write("color", java.nio.ByteBuffer.wrap("red".getBytes(StandardCharsets.UTF_8)));
    byte[] name = "tagged".getBytes(StandardCharsets.UTF_8);
    FileMetadata m = new FileMetadata();
    Node first = m.read(file, name, null);
    assertThat(first.xattrs()).hasSize(1);
    assertThat(first.xattrs().get(0).value()).isEqualTo("red".getBytes(StandardCharsets.UTF_8));

    // Same inode and ctime: the previous entry's attributes stand (a marker proves they were not re-read).
    io.cairn.format.Xattr marker = new io.cairn.format.Xattr("user.marker".getBytes(StandardCharsets.UTF_8), new byte[] {7});
    Node f = first;
    Node previous = new Node(f.kind(), f.name(), f.mode(), f.uid(), f.gid(), f.user(), f.group(), f.mtimeSeconds(),
        f.mtimeNanos(), f.atimeSeconds(), f.atimeNanos(), f.ctimeSeconds(), f.ctimeNanos(), f.inode(), f.device(),
        f.links(), f.rdev(), f.size(), List.of(marker), f.content(), f.subtree(), f.linkTarget());
    assertThat(m.read(file, name, previous).xattrs()).containsExactly(marker);

    // Changing an attribute moves the ctime, and the attributes are read again.
    Thread.sleep(20);
    v.write("color", java.nio.ByteBuffer.wrap("blue".getBytes(StandardCharsets.UTF_8)));
    Node again = m.read(file, name, previous);
    assertThat(again.ctimeSeconds() * 1_000_000_000L + again.ctimeNanos())
        .isGreaterThan(first.ctimeSeconds() * 1_000_000_000L + first.ctimeNanos());
    assertThat(again.xattrs()).hasSize(1);
    assertThat(again.xattrs().get(0).value()).isEqualTo("blue".getBytes(StandardCharsets.UTF_8));
  }
}
