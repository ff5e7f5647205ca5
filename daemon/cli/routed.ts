#!/usr/bin/env bun
// routed: the Route daemon. `routed start` runs the proxy in the foreground (systemd-friendly).
import { Command, InvalidArgumentError, Option } from "commander";
import { ConfigError, loadConfigFile } from "../config/load.ts";
import { parseAddr, parseSize } from "../config/flags.ts";
import { parseDurationMs } from "../../shared/duration.ts";
import { defaultSocketPath } from "../../shared/paths.ts";
import { readSecretFile } from "../../shared/secret-file.ts";
import { createLogger, type Level } from "../log.ts";
import { DEFAULT_MAX_BODY, startDaemon } from "../daemon.ts";
import { DEFAULT_LOG_QUEUE_BYTES } from "../store/log-writer.ts";
import { DEFAULT_SPOOL_BYTES } from "../store/log-spool.ts";
import pkg from "../../package.json" with { type: "json" };

function addrArg(v: string) {
  const a = parseAddr(v);
  if (!a) throw new InvalidArgumentError('use host:port, ":port" or "[::1]:port", e.g. ":8888"');
  return a;
}
function sizeArg(v: string) {
  const n = parseSize(v);
  if (n === null || n <= 0) throw new InvalidArgumentError('use bytes or a size with a unit, e.g. "32MiB"');
  return n;
}
function durationArg(v: string) {
  const n = parseDurationMs(v);
  if (n === null) throw new InvalidArgumentError('use seconds or a duration with a unit, e.g. "30s"');
  return n;
}
const listArg = (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean);

const program = new Command("routed")
  .description("Route daemon: an OpenAI-compatible gateway with ordered failover, request log and metrics")
  .version(pkg.version);

program
  .command("start")
  .description("run the proxy in the foreground (logs on stderr; SIGTERM/SIGINT drain and exit 0; SIGHUP reloads the upstreams file)")
  .addOption(new Option("--addr <host:port>", "listen address").env("ROUTE_ADDR").default(addrArg(":8888"), ":8888").argParser(addrArg))
  .addOption(new Option("--db <file|url>", "SQLite database file, or a postgres:// URL for several nodes on one database (created or migrated on start; a URL with a password belongs in ROUTE_DB, not in the process arguments)").env("ROUTE_DB").default("./db.sqlite"))
  .addOption(new Option("--upstreams <file>", "config file: client keys and upstreams (a missing file is fine)").env("ROUTE_UPSTREAMS").default("./upstreams.yaml"))
  .addOption(
    new Option("--socket <path>", "control socket for routectl and route-tui")
      .env("ROUTE_SOCKET")
      .default(defaultSocketPath({ XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR }, process.getuid?.() ?? 0), "$XDG_RUNTIME_DIR/routed.sock, else /tmp/routed-<uid>/routed.sock"),
  )
  .addOption(new Option("--no-socket", "run without a control socket (benchmarks; routectl cannot reach this daemon)"))
  .addOption(new Option("--noauth", "do not check client Authorization headers").env("ROUTE_NOAUTH"))
  .addOption(new Option("--admin-key-file <file>", "file holding the HTTP admin API's key (also: admin_authorization in the upstreams file)").env("ROUTE_ADMIN_KEY_FILE"))
  .addOption(new Option("--max-body <size>", "largest request body accepted").env("ROUTE_MAX_BODY").default(DEFAULT_MAX_BODY, "32MiB").argParser(sizeArg))
  .addOption(new Option("--log-queue-max <size>", "request-log bodies held in memory while the store is slow or failing; past it rows are kept without bodies").env("ROUTE_LOG_QUEUE_MAX").default(DEFAULT_LOG_QUEUE_BYTES, "64MiB").argParser(sizeArg))
  .addOption(new Option("--spool-dir <dir>", "where a failing store's request-log backlog is spooled (replayed in order when it is back)").env("ROUTE_SPOOL_DIR").default(undefined, "beside the SQLite file"))
  .addOption(new Option("--spool-max <size>", "size bound of the spool file; past it spooled rows lose their bodies, then are dropped").env("ROUTE_SPOOL_MAX").default(DEFAULT_SPOOL_BYTES, "1GiB").argParser(sizeArg))
  .addOption(new Option("--trust-proxy <cidrs>", "comma-separated CIDRs whose X-Forwarded-For is believed").env("ROUTE_TRUST_PROXY").default([], "none").argParser(listArg))
  .addOption(new Option("--drain-timeout <duration>", "how long a graceful stop waits for in-flight requests").env("ROUTE_DRAIN_TIMEOUT").default(30_000, "30s").argParser(durationArg))
  .addOption(new Option("--redis <url>", "Redis shared by several routed nodes: limits and health decided there (redis://host:port[/db]; with a password, set ROUTE_REDIS instead: arguments are visible to every user)").env("ROUTE_REDIS"))
  .addOption(new Option("--redis-prefix <prefix>", "prefix of every Redis key (several clusters on one Redis)").env("ROUTE_REDIS_PREFIX").default("route:"))
  .addOption(new Option("--log-level <level>", "stderr log level").env("ROUTE_LOG_LEVEL").choices(["debug", "info", "warn", "error"]).default("info"))
  .action(async (o) => {
    const log = createLogger(o.logLevel as Level);
    process.umask(0o077); // the database and its WAL hold upstream keys: owner-only
    let loaded;
    try {
      loaded = loadConfigFile(o.upstreams);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) process.stderr.write(`routed: ${p}\n`);
      process.exit(1);
    }
    let adminKey: string | undefined;
    try {
      const read = o.adminKeyFile ? readSecretFile(o.adminKeyFile) : null;
      if (read?.exposed) log.warn("the admin key file is readable by group or others; chmod 600 it", { file: o.adminKeyFile });
      adminKey = read?.key;
    } catch (err) {
      process.stderr.write(`routed: --admin-key-file: ${(err as Error).message}\n`);
      process.exit(1);
    }
    if (!loaded.found) log.info("no upstreams file; starting with the upstreams in the database", { file: o.upstreams });
    let daemon;
    try {
      daemon = await startDaemon({
        hostname: o.addr.hostname,
        port: o.addr.port,
        dbPath: o.db,
        config: loaded.config,
        upstreamsFile: o.upstreams,
        watchConfig: true,
        socketPath: o.socket || undefined,
        noauth: Boolean(o.noauth),
        adminKey,
        maxBodyBytes: o.maxBody,
        logQueueMaxBytes: o.logQueueMax,
        spoolDir: o.spoolDir,
        spoolMaxBytes: o.spoolMax,
        trustProxy: o.trustProxy,
        drainTimeoutMs: o.drainTimeout,
        logger: log,
        redisUrl: o.redis || undefined,
        redisPrefix: o.redisPrefix,
      });
    } catch (err) {
      process.stderr.write(`routed: cannot start: ${(err as Error).message}\n`);
      process.exit(1);
    }
    const onSignal = (sig: string) => {
      log.info("signal received", { signal: sig });
      daemon.stop().then(() => process.exit(0));
    };
    process.on("SIGTERM", () => onSignal("SIGTERM"));
    process.on("SIGINT", () => onSignal("SIGINT"));
    // SIGHUP re-reads the upstreams file (as `routectl reload` does); a bad file changes nothing.
    process.on("SIGHUP", () => {
      daemon.reloadConfig().then(
        (r) => log.info("config reloaded", { ...r }),
        (err) => log.error("config reload failed; the previous config stays in force", { err }),
      );
    });
  });

/** Entry point; also called by the multi-call executable (main.ts) when invoked as `routed`. */
export function runRouted(argv: string[]): void {
  program.parseAsync(argv).catch((err) => {
    process.stderr.write(`routed: ${(err as Error).message}\n`);
    process.exit(1);
  });
}

if (import.meta.main) runRouted(process.argv);
