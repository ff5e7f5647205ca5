import { describe, expect, test } from "bun:test";
import { answerHeaders } from "./headers.ts";

describe("answerHeaders", () => {
  test("one pass gives the client's headers, the content type and length, and the upstream's request id by preference", () => {
    const h = new Headers({
      "content-type": "text/event-stream",
      "content-length": "42",
      "request-id": "req_second_choice",
      "x-ms-request-id": "req_last_choice",
      "x-request-id": "req_first_choice",
      server: "upstream/1.0",
      connection: "x-secret-hop",
      "x-secret-hop": "1",
      "proxy-thing": "1",
      "x-kept": "yes",
    });
    const a = answerHeaders(h);
    expect(a.contentType).toBe("text/event-stream");
    expect(a.contentLength).toBe(42);
    expect(a.requestId).toBe("req_first_choice");
    expect(a.forClient).toEqual({ "content-type": "text/event-stream", "request-id": "req_second_choice", "x-ms-request-id": "req_last_choice", "x-kept": "yes" });
  });

  test("absent headers read as empty; an empty id is skipped; a long one is capped", () => {
    expect(answerHeaders(new Headers())).toEqual({ forClient: {}, contentType: "", contentLength: 0, requestId: null });
    const a = answerHeaders(new Headers({ "x-request-id": "", "apim-request-id": "a".repeat(500) }));
    expect(a.requestId).toBe("a".repeat(200));
  });
});
