import { describe, expect, test } from "bun:test";
import { defaultSocketPath, socketPathProblem } from "./paths.ts";

describe("socket path", () => {
  test("ROUTE_SOCKET, else XDG_RUNTIME_DIR, else a per-user directory under /tmp", () => {
    expect(defaultSocketPath({ ROUTE_SOCKET: "/s/r.sock", XDG_RUNTIME_DIR: "/run/user/7" }, 7)).toBe("/s/r.sock");
    expect(defaultSocketPath({ XDG_RUNTIME_DIR: "/run/user/7" }, 7)).toBe("/run/user/7/routed.sock");
    expect(defaultSocketPath({}, 7)).toBe("/tmp/routed-7/routed.sock");
  });

  test("an over-long path is refused with a fix", () => {
    expect(socketPathProblem("/tmp/routed-7/routed.sock", 7)).toBeNull();
    const msg = socketPathProblem(`/tmp/${"x".repeat(120)}/routed.sock`, 7)!;
    expect(msg).toContain("unix sockets allow at most");
    expect(msg).toContain("--socket");
  });
});
