import { describe, expect, test } from "bun:test";
import { createClientIpResolver, parseCidr } from "./client-ip.ts";

describe("client IP", () => {
  test("no trusted proxies: always the peer", () => {
    expect(createClientIpResolver([])("10.0.0.1", "1.2.3.4")).toBe("10.0.0.1");
  });
  test("trusted peer: the rightmost untrusted hop", () => {
    const r = createClientIpResolver(["10.0.0.0/8", "::1"]);
    expect(r("10.1.2.3", "6.6.6.6, 1.2.3.4, 10.9.9.9")).toBe("1.2.3.4");
    expect(r("::1", "2001:db8::7")).toBe("2001:db8::7");
    expect(r("::ffff:10.0.0.1", "5.5.5.5")).toBe("5.5.5.5");
    expect(r("8.8.8.8", "1.2.3.4")).toBe("8.8.8.8"); // untrusted peer: its header is ignored
    expect(r("10.0.0.1", null)).toBe("10.0.0.1");
  });
  test("CIDR parsing", () => {
    expect(parseCidr("192.168.0.0/16")).not.toBeNull();
    expect(parseCidr("fe80::/10")).not.toBeNull();
    expect(parseCidr("1.2.3.4/33")).toBeNull();
    expect(parseCidr("nope")).toBeNull();
    expect(() => createClientIpResolver(["bad"])).toThrow("--trust-proxy");
  });
});
