package io.cairn.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StoreLocationTest {

  @Test
  void directories() {
    assertThat(StoreLocation.parse("/srv/backup/repo")).isEqualTo(new StoreLocation.Directory(Path.of("/srv/backup/repo")));
    assertThat(StoreLocation.parse("relative/repo")).isEqualTo(new StoreLocation.Directory(Path.of("relative/repo")));
    assertThat(StoreLocation.parse("file:///srv/repo")).isEqualTo(new StoreLocation.Directory(Path.of("/srv/repo")));
    // A colon in a directory name is a directory name.
    assertThat(StoreLocation.parse("/mnt/c:/repo")).isInstanceOf(StoreLocation.Directory.class);
  }

  @Test
  void bucketsInResticsSyntax() {
    assertThat(StoreLocation.parse("s3:https://rgw.example.net:7480/backups/tenants/acme"))
        .isEqualTo(new StoreLocation.Bucket(URI.create("https://rgw.example.net:7480"), "backups", "tenants/acme/"));
    assertThat(StoreLocation.parse("s3:http://127.0.0.1:9000/bucket"))
        .isEqualTo(new StoreLocation.Bucket(URI.create("http://127.0.0.1:9000"), "bucket", ""));
    assertThat(StoreLocation.parse("s3:http://127.0.0.1:9000/bucket/"))
        .isEqualTo(new StoreLocation.Bucket(URI.create("http://127.0.0.1:9000"), "bucket", ""));
    // Without a scheme, https.
    assertThat(StoreLocation.parse("s3:s3.eu-west-1.amazonaws.com/my-backups/host1"))
        .isEqualTo(new StoreLocation.Bucket(URI.create("https://s3.eu-west-1.amazonaws.com"), "my-backups", "host1/"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"s3:https://h:1/bkt/p/q", "s3:http://127.0.0.1:9000/bucket", "/srv/repo",
      "https://vault:8443/repos/acme/main"})
  void textParsesBackToTheSameLocation(String text) {
    StoreLocation l = StoreLocation.parse(text);
    assertThat(StoreLocation.parse(l.text())).isEqualTo(l);
  }

  @Test
  void serverUrls() {
    assertThat(StoreLocation.parse("https://vault:8443/repos/acme/main"))
        .isEqualTo(new StoreLocation.Server("https://vault:8443/repos/acme/main"));
  }

  /** Each malformed bucket location is refused with the message for what is wrong with it. */
  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "s3:                         | s3:https://HOST",
      "s3:https://host             | s3:https://HOST",
      "s3:https://host/            | s3:https://HOST",
      "s3:https://host/Bucket      | bucket name",
      "s3:https://host/ab          | bucket name",
      "s3:https://host/b..c        | bucket name",
      "s3:https://host/bucket/../x | prefix",
      "s3:https://host/bucket/a b  | prefix",
      "s3:ftp://host/bucket        | s3:https://HOST"})
  void malformedBucketsAreRefusedSayingWhatIsExpected(String text, String expected) {
    assertThatThrownBy(() -> StoreLocation.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sftp:user@host:/srv/repo", "rest:https://host/", "b2:bucket:path"})
  void otherToolsBackEndsAreNamedNotTakenForDirectories(String text) {
    assertThatThrownBy(() -> StoreLocation.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not supported");
  }

  @Test
  void emptyIsRefused() {
    assertThatThrownBy(() -> StoreLocation.parse(" ")).hasMessageContaining("no repository location");
  }
}
