// A node's config follows the database: every upstream/key edit bumps the cluster's config version
// and notifies; on a notification, on every (re)connection of the listener (one may have been missed
// while it was down) and on a slow poll (the safety net), the node compares the version with the one
// it last applied and, when they differ, re-reads upstreams and keys. Re-reads never overlap: one
// runs at a time and triggers arriving meanwhile fold into one more. A failed re-read is logged and
// counted, and the next trigger retries it; nothing here throws into the daemon.
import type { Logger } from "../log.ts";
import type { ClusterStore } from "../store/types.ts";

export type ListenerState = "connecting" | "connected" | "down";

export interface FollowDeps {
  cluster: ClusterStore;
  /** Re-reads upstreams and keys from the store (pool, runtime, metrics, key registry). */
  apply: () => Promise<void>;
  log: Logger;
  /** The safety-net poll of configVersion() (default 30 s). */
  pollMs?: number;
  /** A re-read or a version check failed (a metric). */
  onFailure?: () => void;
}

export const DEFAULT_POLL_MS = 30_000;

export function createConfigFollower(deps: FollowDeps) {
  const { cluster, log } = deps;
  let applied: number | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  let listener: ListenerState = "connecting";
  let unwatch: (() => Promise<void>) | null = null;
  let watching: Promise<void> | null = null;
  let timer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;
  let reloads = 0;

  /** One check: the version first, so an edit landing during the re-read is caught by the next one. */
  async function check(): Promise<void> {
    try {
      const version = await cluster.configVersion();
      if (listener === "down" && unwatch) listener = "connected"; // the database answers again
      if (version === applied) return;
      await deps.apply();
      applied = version;
      reloads++;
    } catch (err) {
      listener = listener === "connected" ? "down" : listener; // the database is not answering
      deps.onFailure?.();
      log.warn("cluster config not re-read; retrying on the next notification or poll", { err });
    }
  }

  /** Runs a check now, or once more after the one under way (bursts fold into one). */
  function trigger(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await check();
      } while (again && !stopped);
      running = null;
    })();
    return running;
  }

  function onChange(version: number | null) {
    if (version === null) listener = "connected"; // (re)connected: a notification may be lost
    else if (version === applied && !running) return; // our own edit, already applied
    void trigger();
  }

  /** Starts LISTENing; a failure leaves it to the poll to try again. */
  function watch(): Promise<void> {
    watching ??= cluster.watchConfig(onChange).then(
      (stop) => {
        if (stopped) return void stop();
        unwatch = stop;
        listener = "connected";
      },
      (err) => {
        watching = null;
        listener = "down";
        deps.onFailure?.();
        log.warn("cannot listen for cluster config changes; polling meanwhile", { err });
      },
    );
    return watching;
  }

  return {
    /** The version the config now in force was read at (call before the first load). */
    async prime(): Promise<void> {
      applied = await cluster.configVersion();
    },
    async start(): Promise<void> {
      await watch();
      timer = setInterval(() => {
        if (!unwatch) void watch();
        void trigger();
      }, deps.pollMs ?? DEFAULT_POLL_MS);
      timer.unref();
    },
    trigger,
    /** Resolves when no re-read is under way (tests wait on it). */
    idle: async () => {
      while (running) await running;
    },
    state: () => ({ appliedVersion: applied, listener, reloads }),
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await running;
      await unwatch?.();
    },
  };
}

export type ConfigFollower = ReturnType<typeof createConfigFollower>;
