// Holds N streaming chat requests open at once, over raw TCP sockets so the client itself stays small.
// Prints one JSON line when every stream has its first content event (or failed), and another when
// all have ended (after the upstream is released); a stream counts as complete only with its [DONE]
// and the end of the chunked body. Usage: bun streams-client.ts <url> <key> <n> <deadline-seconds>
import type { Socket } from "bun";

const [url = "", key = "", nText = "1000", deadlineText = "120"] = process.argv.slice(2);
const n = Number(nText);
const { hostname, port, pathname } = new URL(url);
const RAMP = 256; // sockets opening at once; more would overflow the listen backlog into SYN retries
const body = JSON.stringify({ model: "gpt-4o-mini", stream: true, messages: [{ role: "user", content: "Hello" }] });
const request = Buffer.from(
  `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${key}\r\n` +
    `Content-Type: application/json\r\nx-bench-hold: 1\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
);

interface State {
  status: boolean;
  first: boolean;
  sawDone: boolean;
  ended: boolean;
  tail: string;
}
let started = 0;
let open = 0;
let complete = 0;
let failed = 0;
const statuses: Record<string, number> = {};
let openReported = false;
const t0 = performance.now();

const report = (o: object) => process.stdout.write(JSON.stringify({ ...o, open, complete, failed, statuses, ms: Math.round(performance.now() - t0) }) + "\n");

function progress() {
  if (!openReported && open + failed === n) {
    openReported = true;
    report({ phase: "open" });
  }
  if (complete + failed === n) {
    report({ phase: "done" });
    process.exit(0);
  }
  while (started < n && started - open - failed < RAMP) connect();
}

function end(s: State, ok: boolean) {
  if (s.ended) return;
  s.ended = true;
  if (ok) complete++;
  else {
    failed++;
    if (s.first) open--; // it was open, and then broke
  }
  progress();
}

function connect() {
  started++;
  const s: State = { status: false, first: false, sawDone: false, ended: false, tail: "" };
  Bun.connect<State>({
    hostname,
    port: Number(port),
    data: s,
    socket: {
      open(sock) {
        sock.write(request);
      },
      data(sock: Socket<State>, chunk) {
        const text = s.tail + chunk.toString("latin1");
        if (!s.status) {
          s.status = true;
          const status = text.slice(9, 12);
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status !== "200") return sock.end(), end(s, false);
        }
        if (!s.first && text.includes('"content":"w')) {
          s.first = true;
          open++;
          progress();
        }
        if (text.includes("data: [DONE]")) s.sawDone = true;
        if (s.sawDone && text.endsWith("\r\n0\r\n\r\n")) {
          sock.end();
          end(s, true);
        }
        s.tail = text.slice(-64);
      },
      close() {
        end(s, s.sawDone);
      },
      error() {
        end(s, false);
      },
      connectError() {
        statuses.connect_error = (statuses.connect_error ?? 0) + 1;
        end(s, false);
      },
    },
  }).catch(() => end(s, false));
}

setTimeout(() => {
  report({ phase: "deadline" });
  process.exit(1);
}, Number(deadlineText) * 1000).unref();
progress();
