// Composition root: builds the store, pool, metrics, log writer and proxy from options, and owns
// the graceful stop. Both `routed start` and the end-to-end tests start Route through here.
import type { Server } from "bun";
import pkg from "../package.json" with { type: "json" };
import { createClusterNode, statsForBeat, type ClusterOptions } from "./cluster/index.ts";
import { createConfigReloader, timeoutsOf } from "./config/reload.ts";
import { watchConfigFile } from "./config/watch.ts";
import type { ConfigFile } from "./config/schema.ts";
import { startControl, type Control } from "./control/index.ts";
import { claimSocketPath } from "./control/socket-file.ts";
import { assertAddressFree, bindOrUndo } from "./listen.ts";
import { silentLogger, type Logger } from "./log.ts";
import { createMetrics } from "./metrics/registry.ts";
import { createAccess } from "./proxy/access.ts";
import { createKeyChecker } from "./proxy/auth.ts";
import type { AdmissionSettings } from "./keys/admission.ts";
import { createAuthenticator } from "./keys/authenticate.ts";
import { chargeLost, chargeRow, type Coster } from "./keys/charge.ts";
import { createKeyRegistry } from "./keys/registry.ts";
import { createBillingRoutes } from "./keys/billing-routes.ts";
import { createKeyWatch } from "./keys/watch.ts";
import { createSharedBudget, sharedLedgerHooks } from "./keys/shared-budget.ts";
import { createClientIpResolver } from "./proxy/client-ip.ts";
import type { RequestContext } from "./proxy/context.ts";
import { createLocalRoutes } from "./proxy/local.ts";
import { dropBodies, heldBytes, receiptOf, toLogRow } from "./proxy/log-entry.ts";
import { startCrashJournal } from "./store/crash-journal.ts";
import { createPipeline } from "./proxy/pipeline.ts";
import { fetchConcurrencyCap } from "./proxy/forward.ts";
import { notifierFromConfig } from "./notify/build.ts";
import { eventsFromRequest } from "./notify/request-events.ts";
import { createPool } from "./routing/pool.ts";
import { isUp } from "./routing/live.ts";
import { createUpstreamRuntime } from "./routing/runtime.ts";
import { createRouter, routingSettings } from "./routing/router.ts";
import { livePricer } from "./billing/prices.ts";
import { createStoreFailureLog } from "./store/failure-log.ts";
import { createLogWriter } from "./store/log-writer.ts";
import { openLogSpool } from "./store/log-spool.ts";
import { dirname, resolve } from "node:path";
import { createStatsCollector } from "./stats/collector.ts";
import { openStore } from "./store/open.ts";
import { createLogLifecycle } from "./store/log-lifecycle.ts";
import type { FreeSpace } from "./store/disk-guard.ts";
import type { Store } from "./store/types.ts";
import { createUpstreamService } from "./upstreams/service.ts";
import { createKeyService } from "./keys/service.ts";
import { standingAtRest } from "./keys/view.ts";

export interface DaemonOptions {
  hostname?: string;
  port?: number;
  /** SQLite file or postgres:// URL (default ./db.sqlite); ignored when `store` is given. */
  dbPath?: string;
  store?: Store;
  config?: ConfigFile;
  /** The file `config` came from: config.reload / SIGHUP re-read it, edits of its upstreams are written back. */
  upstreamsFile?: string;
  /** Control socket path; no socket when absent. */
  socketPath?: string;
  /** Interval of stats.tick notifications (tests shorten it). */
  statsTickMs?: number;
  noauth?: boolean;
  /** Admin key from --admin-key-file, beside the config's `admin_authorization`. */
  adminKey?: string;
  maxBodyBytes?: number;
  trustProxy?: string[];
  drainTimeoutMs?: number;
  logFlushMs?: number;
  /** Body bytes the request-log queue may hold before new rows lose their bodies (default 64 MiB). */
  logQueueMaxBytes?: number;
  /** Where a failing store's log backlog is spooled; default beside the SQLite file (none for :memory:); null: no spool. */
  spoolDir?: string | null;
  /**
   * Append each finished request's receipt to a local journal before its answer ends, so a killed
   * process loses no row (store/crash-journal.ts). Default: on with a Postgres store (needs the spool).
   */
  crashJournal?: boolean;
  /** Size bound of the spool file (default 1 GiB). */
  spoolMaxBytes?: number;
  /** Seconds a client connection may sit idle while sending headers and body (Bun's idleTimeout). */
  clientIdleTimeoutS?: number;
  logger?: Logger;
  /** Apply edits of `upstreamsFile` on their own (hot reload); routed turns it on. */
  watchConfig?: boolean;
  /** Random source for the strategies (tests pass a seeded one). */
  random?: () => number;
  /** Clock of the limits and the health breakers (tests pass a fake one). */
  now?: () => number;
  /** How often changed limit counters are written to the store (default 5 s; always on stop). */
  limitFlushMs?: number;
  /** Prices rows (tests pass a fixed rate); default: none until daemon/billing's pricer. */
  coster?: Coster;
  /** Redis shared by several nodes (--redis): limits and health decided there. Absent: this node alone. */
  redisUrl?: string;
  /** Prefix of every Redis key (tests: testRedis().prefix); default "route:". */
  redisPrefix?: string;
  /** Config poll and heartbeat intervals when the store is shared (tests shorten them). */
  cluster?: ClusterOptions;
  /** Request-log retention: how often a full pass and a size-cap check run (tests shorten or stretch them). */
  retention?: { intervalMs?: number; checkMs?: number };
  /** Free space of the database's file system (tests inject it); default statfs beside the SQLite file. */
  freeSpace?: FreeSpace;
}

export const DEFAULT_MAX_BODY = 32 << 20;

/** Beside the SQLite file (none for an in-memory one); for a database elsewhere, the state directory. */
function defaultSpoolDir(store: Store): string | null {
  if (store.kind === "postgres") return process.env.STATE_DIRECTORY ?? process.cwd();
  return store.location === ":memory:" ? null : dirname(resolve(store.location));
}
const DEFAULT_METRICS_MAX_KEYS = 100;

export async function startDaemon(opts: DaemonOptions) {
  const log = opts.logger ?? silentLogger;
  const config = opts.config ?? {};
  let current = config; // as last applied: export reads the global timeouts from it
  const startedAt = Date.now();
  // A second routed on the same socket stops here, before it touches the database or binds a port.
  if (opts.socketPath) await claimSocketPath(opts.socketPath);
  const hostname = opts.hostname ?? "0.0.0.0";
  const port = opts.port ?? 8888;
  assertAddressFree(hostname, port); // so does a second routed on the same address (without a socket)
  const store = opts.store ?? (await openStore(opts.dbPath ?? "./db.sqlite", { convert: { onVacuum: (bytes) => log.info("converting the database to incremental vacuum so retention passes shrink the file: one VACUUM rewrites it now, once", { bytes }) } }));

  const spoolDir = opts.spoolDir === undefined ? defaultSpoolDir(store) : opts.spoolDir;
  const spool = spoolDir === null ? null : await openLogSpool(spoolDir, opts.spoolMaxBytes).catch(async (err) => {
    await store.close();
    throw new Error(`cannot open the request-log spool in ${spoolDir}: ${(err as Error).message}`);
  });
  const journaled = spool && (opts.crashJournal ?? store.kind === "postgres") ? await startCrashJournal(spoolDir!, spool) : null;
  if (journaled && journaled.recovered > 0) log.warn("receipts of requests answered before an unclean stop were found; their rows are written from the spool", { rows: journaled.recovered });
  const journal = journaled?.journal ?? null;
  if (spool && spool.rows > 0) log.warn("request-log spool found from the last run; replaying it into the store", { file: spool.file, rows: spool.rows });

  const now = opts.now ?? Date.now;
  // This process's mark on what it forwards (loop guard), its name among the nodes and its holds in a shared budget: random, so two Routes never share it.
  const nodeId = `route-${Bun.randomUUIDv7("hex").slice(-12)}`;
  // Loaded only with --redis: ioredis alone adds ~18 MB of resident memory to a node that never uses it.
  const redisShare = opts.redisUrl
    ? await (await import("./redis/index.ts")).startRedisSharing({ url: opts.redisUrl, prefix: opts.redisPrefix, nodeId,
        // Share mode's divisor: the heartbeats in the shared database when there is one (they outlive Redis).
        liveNodes: store.cluster ? () => cluster.liveNodes() : undefined, mode: () => current.redis_outage ?? "share", timeZone: () => current.timezone ?? "UTC", emit: (e) => notifier.emit(e), log, now })
    : null;
  const pool = createPool(timeoutsOf(config));
  // Limits and health beside the pool; the guard (max_inflight, limits, health) is asked by the
  // router and claimed by forward right before each attempt.
  const runtime = createUpstreamRuntime({ pool, config, now, log, emit: (e) => notifier.emit(e), shared: redisShare?.upstreams });
  const { limits, health, guard } = runtime;
  redisShare?.health(health, () => pool.all().map((u) => u.id), () => health.policy.maxCooldownMs);
  const live = { limits, health };
  const metrics = createMetrics(() => pool.all().map((u) => ({ label: u.label, up: isUp(u, live), remaining: limits.remaining(u.id) })));
  const router = createRouter({ pool, random: opts.random, gate: runtime.planGate, onAffinity: metrics.affinity }, routingSettings(config));
  metrics.watchSessions(router.sessions);
  redisShare?.register(metrics.registry);
  const pricer = livePricer(config, now); // prices follow config reloads (applyConfig)
  const reload = async () => {
    const records = await store.listUpstreams();
    pool.set(records);
    runtime.sync(records);
    redisShare?.resyncHealth();
    metrics.setModels(pool.all());
  };
  // Several nodes on one database: the config follows it, the file is imported only when it changed.
  const cluster = createClusterNode(store, { id: nodeId, version: pkg.version, startedAt }, log, opts.cluster);
  await cluster.prime();
  const upstreams = createUpstreamService({ store, onChange: reload, file: cluster.file(opts.upstreamsFile), allowLinkLocal: () => current.allow_link_local ?? [] });
  const importUpstreams = cluster.importer(upstreams);
  await importUpstreams(config.upstreams);
  await runtime.load(store); // limit counters survive a restart
  const flushLimits = () => limits.flush(store).catch((err) => log.warn("limit counters not saved; retrying", { err }));
  const limitTimer = setInterval(flushLimits, opts.limitFlushMs ?? 5000);
  limitTimer.unref(); // the server keeps routed alive; a failed start must not be held open by this
  const stats = createStatsCollector({ sessions: router.sessions });
  let control: Control | null = null;

  const makeNotifier = (c: ConfigFile) =>
    notifierFromConfig(c.notify, {
      onOutcome(channel, outcome, detail) {
        metrics.notification(channel, outcome);
        if (outcome !== "sent") log.warn("notification not delivered", { channel, outcome, detail });
      },
    });
  // Replaced on config reload; messages already queued on the old one still go out.
  let notifier = makeNotifier(config);
  redisShare?.started();
  let includeExcerpt = config.notify?.include_excerpt ?? false;
  const logLife = createLogLifecycle({ store, log, now, config: () => current, emit: (e) => notifier.emit(e), freeSpace: opts.freeSpace, ...opts.retention });
  let rowsWritten = 0; // daemon.status's logged count between recounts
  const writer = createLogWriter<RequestContext>({
    store,
    flushMs: opts.logFlushMs,
    maxQueueBytes: opts.logQueueMaxBytes,
    sizeOf: heldBytes,
    dropBodies,
    toRow(ctx) {
      const row = toLogRow(ctx);
      chargeRow(row, ctx, opts.coster ?? pricer);
      logLife.capture(row, ctx.key?.record.logCapture); // after pricing: what is kept, never what is charged
      if (ctx.key) keyWatch.settled(ctx.key, row);
      // TPM: the estimate made at admission becomes the real usage (kept when the reply was dropped).
      if (!row.bodiesDropped) ctx.limitCorrect?.(row.totalTokens ?? 0);
      if (row.upstreamName) metrics.tokens(row.upstreamName, row.model, row.promptTokens, row.completionTokens, row.cachedTokens);
      return row;
    },
    onWritten(rows) {
      rowsWritten += rows.length;
      metrics.logWritten.inc(rows.length);
      for (const row of rows) stats.record(row);
      control?.publishRows(rows);
    },
    onDrop(ctx) {
      metrics.logDropped.inc();
      chargeLost(ctx);
    },
    onBodiesDropped() {
      metrics.logBodiesDropped.inc();
      storeLog.bodiesDropped();
    },
    onError(err, queued) {
      metrics.logErrors.inc();
      notifier.emit({ type: "log_store_failing", summary: `request-log rows cannot be written (${(err as Error).message}); ${queued} rows queued for retry`, at: Date.now() });
      storeLog.failed(err);
    },
    onRecovered: () => storeLog.recovered(),
    spool,
    onSpooling(rows, bytes) {
      notifier.emit({ type: "log_spooling", summary: `the request-log store is still failing; ${rows} rows (${bytes} bytes) spooled to ${spool!.file}`, at: Date.now() });
      storeLog.spooling(rows, bytes, spool!.file);
    },
    onSpoolReplayed(rows) {
      notifier.emit({ type: "log_spool_replayed", summary: `${rows} spooled request-log rows are in the store; the spool file is removed`, at: Date.now() });
      storeLog.spoolReplayed(rows);
    },
    onRowsLost: (n) => metrics.logDropped.inc(n),
  });
  const storeLog = createStoreFailureLog(log, () => writer.state());
  metrics.watchLogQueue(() => ({ rows: writer.queued, bytes: writer.queuedBytes }));
  if (spool) metrics.watchLogSpool(() => ({ rows: spool.rows, bytes: spool.bytes }));

  const shared = store.budget
    ? createSharedBudget({ budget: store.budget, nodeId, onRetry: (err) => (metrics.budgetSettleRetries.inc(), log.warn("budget settlement not written to the database; retrying in order", { err })), onUnavailable: (err) => log.warn("a budgeted request was refused: the budget database cannot be asked", { err }) })
    : null;
  if (shared) metrics.watchBudgetSettlements(() => shared.pending);
  const keys = createKeyChecker(config.authorization ?? []);
  const registry = createKeyRegistry({ store, now: opts.now, timeZone: config.timezone });
  const keyWatch = createKeyWatch({ registry, metrics, emit: (e) => notifier.emit(e), now });
  metrics.setMaxKeys(config.metrics_max_keys ?? DEFAULT_METRICS_MAX_KEYS);
  const reloadKeys = async () => {
    await registry.load(await store.listKeys());
    keyWatch.checkExpiry();
  };
  await reloadKeys();
  const clientKeys = createKeyService({
    store,
    now,
    standing: (id) => registry.standing(id) ?? standingAtRest(undefined, now()),
    onChange: reloadKeys, // awaited: the next request sees the change
    onAdjust: (id, micros) => registry.adjust(id, micros),
    ...(shared ? sharedLedgerHooks(shared, registry) : {}),
  });
  const auth = opts.noauth ? null : createAuthenticator(keys, registry);
  const access = createAccess(config, opts.adminKey ?? null);
  if (auth && !keys.configured && registry.size === 0) {
    log.warn("no client key configured: every /v1 request is refused (fail closed); set `authorization` in the upstreams file, create one with `routectl keys add`, or use --noauth");
  }
  // Output tokens a budget reservation assumes when a request names no max_tokens.
  // Read by every keyed request: built once per config, not per request.
  const admissionOf = (c: ConfigFile): AdmissionSettings => ({ unknownPrice: pricer.unknownPrice, reserveTokens: c.reserve_tokens ?? 4096 });
  let admissionNow = admissionOf(current);
  const admission = () => admissionNow;
  if (fetchConcurrencyCap() <= 256) {
    log.warn("at most 256 upstream requests at once (Bun's fetch limit): more wait, and streams among them time out; start routed with BUN_CONFIG_MAX_HTTP_REQUESTS=65535 in its environment (npm start and the systemd unit do)");
  }
  let draining = false;
  const idleTimeoutS = opts.clientIdleTimeoutS ?? 30;
  const billing = createBillingRoutes({ auth, registry, store, pinnable: (ref) => pool.find(ref) !== undefined, timeZone: () => current.timezone ?? "UTC", rejected: (code) => metrics.rejected(code) });
  const pipeline = createPipeline({
    pool,
    router,
    guard,
    verdict: runtime.verdict,
    metrics,
    auth,
    registry,
    estimator: () => pricer,
    admission,
    shared: shared || redisShare ? { budget: shared, keys: redisShare?.keys(registry) ?? null } : null,
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY,
    clientIp: createClientIpResolver(opts.trustProxy ?? []),
    enqueueLog(ctx) {
      // Events first: the writer may release the bodies (an alert's excerpt comes from them).
      if (ctx.errorCode !== null || ctx.status >= 400) for (const e of eventsFromRequest(ctx, includeExcerpt)) notifier.emit(e);
      if (journal) {
        journal.record(receiptOf(ctx)); // before the answer's end reaches the client (see crash-journal.ts)
        journal.settle(writer.settled);
      }
      writer.enqueue(ctx);
    },
    isDraining: () => draining,
    via: `1.1 ${nodeId}`,
    idleTimeoutS,
    local: createLocalRoutes({ pool, live, gate: guard.gate, metrics, auth, access, upstreams, startedAt, logStore: () => writer.state(), logDisk: logLife.diskLowReason, hasSpool: spool !== null, isDraining: () => draining, billing, redis: redisShare?.state, cluster: () => cluster.health() }),
  });
  function applyConfig(c: ConfigFile) {
    current = c;
    access.apply(c);
    registry.setTimeZone(c.timezone ?? "UTC");
    metrics.setMaxKeys(c.metrics_max_keys ?? DEFAULT_METRICS_MAX_KEYS);
    router.configure(routingSettings(c));
    pricer.configure(c);
    admissionNow = admissionOf(c);
    runtime.configure(c);
    const old = notifier;
    notifier = makeNotifier(c);
    includeExcerpt = c.notify?.include_excerpt ?? false;
    void old.close();
  }
  const applyFile = createConfigReloader({ file: opts.upstreamsFile ?? null, upstreams, importUpstreams, keys, pool, onApplied: applyConfig });
  // Every reload path (file watch, SIGHUP, config.reload) goes through here, so a refused edit is
  // remembered for daemon.status until a later one succeeds; the running config stays.
  let lastReloadError: { at: number; message: string } | null = null;
  const reloadConfig = async () => {
    try {
      const r = await applyFile();
      lastReloadError = null;
      return r;
    } catch (err) {
      lastReloadError = { at: Date.now(), message: (err as Error).message };
      throw err;
    }
  };
  const watcher =
    opts.watchConfig && opts.upstreamsFile
      ? watchConfigFile(opts.upstreamsFile, () => {
          if (draining) return;
          reloadConfig().then(
            (r) => log.info("config file changed; reloaded", { ...r }),
            (err) => log.error("config file changed but was not applied; the previous config stays in force", { err }),
          );
        })
      : null;

  /** A start that failed after the store opened: undo what was started, in reverse. */
  const abandonStart = async () => {
    watcher?.close();
    clearInterval(limitTimer);
    await logLife.stop();
    await runtime.stop();
    await redisShare?.close();
    await store.close();
    await notifier.close();
  };
  // The address was free a moment ago; if another process took it since, the bind says so.
  const server: Server<undefined> = await bindOrUndo(hostname, port, abandonStart, () => Bun.serve({
    hostname,
    port,
    reusePort: false, // see listen.ts: a second daemon must fail to bind, not share the port
    // Guards slow clients while headers and body arrive; proxied requests switch to Route's own clocks.
    idleTimeout: idleTimeoutS,
    // Route enforces --max-body itself, so an oversized request gets an OpenAI error, not Bun's bare 413.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    development: false,
    fetch: (req, srv) => pipeline.handle(req, srv),
    error(err) {
      log.error("unhandled error in request handler", { err });
      return new Response(JSON.stringify({ error: { message: "internal error", type: "server_error", param: null, code: "internal_error" } }), {
        status: 500,
        headers: { "content-type": "application/json" },
      });
    },
  }));
  notifier.emit({ type: "daemon_started", summary: `listening on ${server.hostname}:${server.port} with ${pool.all().length} upstreams`, at: Date.now() });
  keyWatch.start(); // expiring keys: now, hourly and after each reload of keys
  log.info("listening", { addr: `${server.hostname}:${server.port}`, db: store.location, upstreams: pool.all().length, auth: auth ? "on" : "off" });
  logLife.start(); // prints the request log's settings; the first retention pass runs now
  if (opts.socketPath) {
    try {
      control = await startControl({
        path: opts.socketPath,
        log,
        store,
        pool,
        upstreams,
        keys: clientKeys,
        stats,
        live,
        reload: reloadConfig,
        notifier: () => notifier,
        cluster,
        statsTickMs: opts.statsTickMs,
        info: {
          version: pkg.version,
          startedAt,
          addr: `${server.hostname}:${server.port}`,
          upstreamsFile: opts.upstreamsFile ?? null,
          socket: opts.socketPath,
          inflight: () => pipeline.inflight,
          draining: () => draining,
          config: () => current,
          lastReloadError: () => lastReloadError,
          logStore: () => writer.state(),
          rowsWritten: () => rowsWritten,
          retention: logLife.status,
          cluster: () => cluster.status(),
        },
      });
    } catch (err) {
      await server.stop(true);
      await abandonStart();
      throw err;
    }
  }

  await cluster.start({
    hostname: server.hostname!,
    port: server.port!,
    inflight: () => pipeline.inflight,
    stats: () => statsForBeat(stats.snapshot(pool, pipeline.inflight, live)),
    apply: async () => (await upstreams.refresh(), await clientKeys.refresh()),
    metrics,
  });

  let stopping: Promise<void> | null = null;
  /** Graceful stop: refuse new work, let in-flight requests and streams finish (deadline), flush the log. */
  function stop(): Promise<void> {
    if (stopping) return stopping;
    draining = true;
    watcher?.close();
    keyWatch.stop();
    notifier.emit({ type: "daemon_stopping", summary: `draining ${pipeline.inflight} in-flight requests`, at: Date.now() });
    stopping = (async () => {
      const deadline = opts.drainTimeoutMs ?? 30_000;
      log.info("draining", { inflight: pipeline.inflight, deadline_ms: deadline });
      const closed = server.stop(false);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        pipeline.idle().then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), deadline))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        // End what is left in Route's words (an in-band error on streams, 503 before an answer),
        // give those last bytes a moment to leave, then close whatever remains.
        log.warn("drain deadline passed; ending remaining requests", { inflight: pipeline.inflight, upstream_calls: pipeline.cutAll() });
        for (const until = performance.now() + 1000; server.pendingRequests > 0 && performance.now() < until; ) await Bun.sleep(10);
      }
      await server.stop(true);
      await closed;
      const lost = await writer.drain(); // after the drain: every finished request corrected its tokens
      if (lost > 0) log.error("request log rows could not be written before exit", { lost });
      if (lost === 0) journal?.closeClean();
      else journal?.closeKeep(); // their receipts are written at the next start
      const unsettled = (await shared?.close()) ?? 0; // after the log drain: every row's cost is settled
      if (unsettled > 0) log.error("budget settlements could not be written to the database before exit; this node's holds stay until it is released as dead", { unsettled });
      clearInterval(limitTimer);
      await logLife.stop();
      await runtime.stop();
      await flushLimits();
      await redisShare?.close();
      await control?.close(); // after the drain: `logs -f` sees the last rows, status shows draining
      await cluster.stop(); // leaves the cluster's node list
      await store.close();
      await notifier.close();
      log.info("stopped");
    })();
    return stopping;
  }

  return { logLife, redis: redisShare, keys: clientKeys, registry, reloadKeys, router, pricer, limits, health, guard, runtime, lastReloadError: () => lastReloadError, cluster, server, url: `http://${server.hostname === "0.0.0.0" ? "127.0.0.1" : server.hostname}:${server.port}`, port: server.port!, store, pool, metrics, writer, pipeline, notifier: () => notifier, reload, upstreams, stats, control, reloadConfig, stop };
}

export type Daemon = Awaited<ReturnType<typeof startDaemon>>;
