import { describe, expect, test } from "bun:test";
import { endpointSchema } from "./upstream-fields.ts";
import { credentialProblem, linkLocalProblem } from "./endpoint-policy.ts";

describe("link-local and cloud-metadata endpoints", () => {
  test.each([
    "http://169.254.169.254/latest",
    "http://169.254.0.1:8080/v1",
    "http://2852039166/", // decimal 169.254.169.254
    "http://0xa9.0xfe.0xa9.0xfe/", // hex
    "http://0251.0376.0251.0376/", // octal
    "http://0xa9fea9fe/",
    "http://169.254.43518/", // a.b.c with a 16-bit tail
    "http://[::ffff:169.254.169.254]/", // IPv4-mapped IPv6
    "http://[::ffff:a9fe:a9fe]/",
    "http://[::169.254.169.254]/", // IPv4-compatible
    "http://[64:ff9b::169.254.169.254]/", // NAT64
    "http://[fe80::1]/v1",
    "http://[FEBF:ffff::1]/",
    "http://[fd00:ec2::254]/",
    "http://[fd00:0ec2:0:0:0:0:0:0254]/",
    "http://metadata.google.internal/computeMetadata/v1",
    "http://METADATA.google.internal./",
    "http://metadata/",
    "http://100.100.100.200/latest/meta-data",
  ])("%s is refused", (url) => {
    expect(linkLocalProblem(url)).toContain("allow_link_local");
  });

  test.each([
    "https://api.openai.com/v1",
    "http://127.0.0.1:8080/v1",
    "http://10.0.0.5/v1",
    "http://169.253.255.255/",
    "http://169.255.0.1/",
    "http://[fec0::1]/",
    "http://[fd00:ec2::253]/",
    "http://[::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://metadata.example.com/",
    "http://100.100.100.201/",
  ])("%s is accepted", (url) => {
    expect(linkLocalProblem(url)).toBeNull();
  });

  test("an allowed host passes, in any spelling; others stay refused", () => {
    expect(linkLocalProblem("http://2852039166/v1", ["169.254.169.254"])).toBeNull();
    expect(linkLocalProblem("http://169.254.169.254/v1", ["0xa9fea9fe"])).toBeNull();
    expect(linkLocalProblem("http://[fe80::1]/v1", ["[FE80:0::1]"])).toBeNull();
    expect(linkLocalProblem("http://metadata.google.internal/v1", ["Metadata.Google.Internal"])).toBeNull();
    expect(linkLocalProblem("http://169.254.1.1/v1", ["169.254.169.254"])).toContain("169.254.1.1");
  });
});

describe("credentials in the endpoint URL", () => {
  test.each([
    ["https://user:hunter2@api.example.com/v1", "user:password@"],
    ["https://:hunter2@api.example.com/v1", "user:password@"],
    ["https://api.example.com/v1?api_key=hunter2", '"api_key"'],
    ["https://api.example.com/v1?x=1&API-KEY=hunter2", '"API-KEY"'],
    ["https://api.example.com/v1?access_token=hunter2", '"access_token"'],
    ["https://api.example.com/v1?sig=hunter2", '"sig"'],
    ["https://api.example.com/v1?key=hunter2", '"key"'],
    ["https://api.example.com/v1?foo=hunter2", "query string"],
  ])("%s is refused without echoing the secret", (url, says) => {
    const problem = credentialProblem(url)!;
    expect(problem).toContain(says);
    expect(problem).toContain("`sk`");
    expect(problem).not.toContain("hunter2");
  });

  test("the endpoint schema (file, socket, admin API, routectl) applies it", () => {
    expect(credentialProblem("https://api.openai.com/v1")).toBeNull();
    expect(endpointSchema.parse("https://api.openai.com/v1/")).toBe("https://api.openai.com/v1");
    const refused = endpointSchema.safeParse("https://u:hunter2@api.example.com/v1");
    expect(refused.error!.issues.map((i) => i.message)).toEqual([expect.stringContaining("must not contain credentials")]);
    expect(JSON.stringify(refused.error)).not.toContain("hunter2");
  });
});
