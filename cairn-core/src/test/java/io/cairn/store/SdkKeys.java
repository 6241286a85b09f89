package io.cairn.store;

/**
 * Puts an access key where the AWS SDK's default chain looks in this JVM (its system
 * properties), for tests that open a bucket the way a user's command does, from the chain.
 */
public final class SdkKeys {
  private SdkKeys() {}

  public static void set(String accessKeyId, String secretAccessKey) {
    System.setProperty("aws.accessKeyId", accessKeyId);
    System.setProperty("aws.secretAccessKey", secretAccessKey);
  }

  public static void clear() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }
}
