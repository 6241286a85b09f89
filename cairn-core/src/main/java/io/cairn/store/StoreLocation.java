package io.cairn.store;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a repository lives, parsed once from the string a user, a config file or the server
 * gives (docs/design.md, "Locations"); {@link Stores#open} turns it into a store.
 *
 * <ul>
 *   <li>a directory: {@code /srv/backup/repo}, {@code relative/dir} or {@code file:///srv/repo};
 *   <li>an S3 bucket, in restic's syntax: {@code s3:https://HOST[:PORT]/BUCKET[/PREFIX]}, or
 *       {@code s3:HOST/BUCKET[/PREFIX]} for https;
 *   <li>a repository on a Cairn vault server: {@code https://HOST[:PORT]/repos/TENANT/REPOSITORY}.
 * </ul>
 */
public sealed interface StoreLocation {

  /** The location as it would be written: parsing it again gives an equal value. */
  String text();

  /** A directory on a local or mounted file system. */
  record Directory(Path path) implements StoreLocation {
    @Override
    public String text() {
      return path.toString();
    }
  }

  /**
   * A bucket on an S3-compatible object store, addressed by path (HOST/BUCKET/KEY), with every
   * object under {@code prefix} ("" or segments each ending in '/').
   */
  record Bucket(URI endpoint, String bucket, String prefix) implements StoreLocation {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9._-]+/)*");

    public Bucket {
      if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
        throw new IllegalArgumentException("'" + bucket + "' is not a valid S3 bucket name (3 to 63 lowercase "
            + "letters, digits, dots and hyphens)");
      }
      if (!PREFIX.matcher(prefix).matches() || prefix.contains("/./") || prefix.startsWith("./")
          || prefix.contains("../")) {
        throw new IllegalArgumentException("'" + prefix + "' is not a valid prefix within a bucket (segments of "
            + "letters, digits, '.', '_' and '-', each ending in '/')");
      }
      if (endpoint.getHost() == null || !(endpoint.getScheme().equals("https") || endpoint.getScheme().equals("http"))
          || !endpoint.getPath().isEmpty() || endpoint.getQuery() != null) {
        throw new IllegalArgumentException("an S3 endpoint is http(s)://HOST[:PORT], not '" + endpoint + "'");
      }
    }

    /** The same bucket with {@code more} (segments, no leading or trailing '/') added to the prefix. */
    public Bucket under(String more) {
      return new Bucket(endpoint, bucket, prefix + more + "/");
    }

    @Override
    public String text() {
      String p = prefix.isEmpty() ? "" : "/" + prefix.substring(0, prefix.length() - 1);
      return "s3:" + endpoint + "/" + bucket + p;
    }
  }

  /** A repository on a Cairn vault server, reached over its object API with an agent credential. */
  record Server(String url) implements StoreLocation {
    @Override
    public String text() {
      return url;
    }
  }

  /** Other tools' back ends, named so that a restic user is told rather than given a directory of that name. */
  Pattern OTHER = Pattern.compile("(sftp|rest|b2|azure|gs|swift|rclone|smb):");

  Pattern S3 = Pattern.compile("s3:(?:(https?)://)?([^/?#]+)/([^/?#]+)(?:/([^?#]*?))?/?");

  /**
   * Parses a location.
   *
   * @throws IllegalArgumentException when it is empty, or an {@code s3:} location is malformed
   */
  static StoreLocation parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("no repository location given");
    }
    if (text.startsWith("s3:")) {
      Matcher m = S3.matcher(text);
      if (!m.matches()) {
        throw new IllegalArgumentException("an S3 repository is s3:https://HOST[:PORT]/BUCKET[/PREFIX], not '"
            + text + "'");
      }
      URI endpoint = URI.create((m.group(1) == null ? "https" : m.group(1)) + "://" + m.group(2));
      String prefix = m.group(4) == null || m.group(4).isEmpty() ? "" : m.group(4) + "/";
      return new Bucket(endpoint, m.group(3), prefix);
    }
    if (text.startsWith("https://") || text.startsWith("http://")) {
      return new Server(text);
    }
    if (text.startsWith("file://")) {
      return new Directory(Path.of(text.substring("file://".length())));
    }
    if (OTHER.matcher(text).lookingAt()) {
      throw new IllegalArgumentException("'" + text.substring(0, text.indexOf(':') + 1) + "' locations are not "
          + "supported: give a directory, s3:https://HOST/BUCKET[/PREFIX] or a server's https:// URL");
    }
    return new Directory(Path.of(text));
  }
}
