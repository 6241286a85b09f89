package io.cairn.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to requests it refuses itself (a path that climbs above the root, bad
 * encodings, headers over the limit): the API's JSON error shape, never an HTML page, and
 * never an echo of the request.
 */
final class JsonErrorHandler extends ErrorHandler {
  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int status = response.getStatus() >= 400 ? response.getStatus() : 500;
    String code = switch (status) {
      case 400 -> "bad_request";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413, 414, 431 -> "too_large";
      default -> status >= 500 ? "internal_error" : "bad_request";
    };
    String message = switch (code) {
      case "too_large" -> "the request line or headers are too large";
      case "internal_error" -> "internal server error; the server's log has the details";
      case "not_found" -> "no such endpoint";
      case "method_not_allowed" -> "method not allowed here";
      default -> "the request is malformed (invalid path or encoding)";
    };
    String body = Api.JSON.createObjectNode().put("error", code).put("message", message).toString();
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    return true;
  }
}
