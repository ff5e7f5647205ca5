// The floor: the least a Bun pass-through proxy can do (Bun.serve + fetch, no auth, no log, no
// metrics, no failover). Route is measured against this, side by side in the same run.
// Bun caps concurrent fetches at 256 unless BUN_CONFIG_MAX_HTTP_REQUESTS is set at process start;
// the bench sets it for this process.
const upstream = process.env.UPSTREAM; // e.g. http://127.0.0.1:4000 (no trailing slash)
if (!upstream) throw new Error("set UPSTREAM to the upstream's origin");
const key = process.env.UPSTREAM_KEY ?? "sk-bench-upstream";

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  idleTimeout: 0,
  async fetch(req) {
    const url = req.url;
    const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    const headers = new Headers(req.headers);
    headers.delete("host");
    headers.set("authorization", `Bearer ${key}`);
    const res = await fetch(upstream + path, {
      method: req.method,
      headers,
      body: req.body ? await req.arrayBuffer() : null,
      redirect: "manual",
    });
    return new Response(res.body, { status: res.status, headers: res.headers });
  },
});
console.log(JSON.stringify({ port: server.port }));
process.on("SIGTERM", () => process.exit(0)); // a clean exit, so --cpu-prof can write its profile

export {}; // a module, so its top-level names stay its own
