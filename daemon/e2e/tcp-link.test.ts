import { afterAll, describe, expect, test } from "bun:test";
import { tcpLink } from "./tcp-link.ts";

// An echo server behind the link: bytes pass unchanged both ways, large writes included, and a
// cut resets open connections and refuses new ones until restored.
const echo = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data: (s, b) => void s.write(b) } });
const link = tcpLink("127.0.0.1", echo.port);
afterAll(() => {
  link.stop();
  echo.stop(true);
});

function roundTrip(payload: Uint8Array): Promise<{ got: Uint8Array | null; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let n = 0;
    Bun.connect<() => void>({
      hostname: "127.0.0.1",
      port: link.port,
      socket: {
        open(s) {
          let off = 0;
          const push = () => {
            while (off < payload.length) {
              const w = s.write(payload.subarray(off));
              if (w <= 0) return;
              off += w;
            }
          };
          s.data = push;
          push();
        },
        drain: (s) => s.data(),
        data(s, b) {
          chunks.push(new Uint8Array(b));
          n += b.length;
          if (n >= payload.length) {
            s.end();
            resolve({ got: Buffer.concat(chunks), closed: false });
          }
        },
        close: () => resolve({ got: n >= payload.length ? Buffer.concat(chunks) : null, closed: true }),
      },
    }).catch(() => resolve({ got: null, closed: true }));
  });
}

describe("tcpLink", () => {
  test("relays 8 MiB unchanged", async () => {
    const payload = new Uint8Array(8 << 20).map((_, i) => (i * 31) & 0xff);
    const r = await roundTrip(payload);
    expect(r.got && Buffer.compare(r.got, payload)).toBe(0);
  });

  test("cut refuses new connections; restore lets them through", async () => {
    link.cut();
    expect((await roundTrip(new Uint8Array([1, 2, 3]))).got).toBeNull();
    link.restore();
    expect((await roundTrip(new Uint8Array([1, 2, 3]))).got).toEqual(new Uint8Array([1, 2, 3]));
  });
});
