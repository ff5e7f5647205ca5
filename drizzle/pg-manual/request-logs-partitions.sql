-- Hand-written, applied by daemon/store/pg/migrate.ts after drizzle-kit's migrations, on every
-- start, under the migration lock; it does nothing once request_logs is partitioned. drizzle-kit
-- cannot express partitioning, so this stays outside drizzle/pg (a regenerated migration keeps it).
--
-- request_logs becomes a table partitioned by RANGE (ts) on UTC days: the retention job drops a
-- whole day when it is older than log.retention (after folding its key spend into key_spend_days)
-- and creates the partitions ahead of time; a DEFAULT partition catches any row outside them. The
-- primary key must include the partition key: (id, ts). The log insert's ON CONFLICT (id, ts) keeps
-- replays idempotent (a replayed row has the same id and ts).
DO $$
DECLARE
  day_ms constant bigint := 86400000;
  lo bigint;
  hi bigint;
  d bigint;
BEGIN
  IF (SELECT relkind FROM pg_class WHERE oid = 'request_logs'::regclass) <> 'r' THEN
    RETURN;
  END IF;
  ALTER TABLE request_logs RENAME TO request_logs_unpartitioned;
  ALTER TABLE request_logs_unpartitioned RENAME CONSTRAINT request_logs_pkey TO request_logs_unpartitioned_pkey;
  ALTER INDEX request_logs_ts RENAME TO request_logs_unpartitioned_ts;
  ALTER INDEX request_logs_key RENAME TO request_logs_unpartitioned_key;
  ALTER INDEX request_logs_upstream RENAME TO request_logs_unpartitioned_upstream;
  ALTER INDEX request_logs_status RENAME TO request_logs_unpartitioned_status;
  ALTER INDEX IF EXISTS request_logs_search RENAME TO request_logs_unpartitioned_search;
  CREATE TABLE request_logs (LIKE request_logs_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (ts);
  ALTER TABLE request_logs ADD CONSTRAINT request_logs_pkey PRIMARY KEY (id, ts);
  CREATE INDEX request_logs_ts ON request_logs (ts);
  CREATE INDEX request_logs_key ON request_logs (key_id, ts) WHERE key_id IS NOT NULL;
  CREATE INDEX request_logs_upstream ON request_logs (upstream_id, ts);
  CREATE INDEX request_logs_status ON request_logs (status, ts);
  -- The full-text index (schema-logs.ts SEARCH_VECTOR; the expression must stay identical to it,
  -- pg-search.test.ts checks the partitioned table has it, with that expression).
  CREATE INDEX request_logs_search ON request_logs USING gin (to_tsvector('simple'::regconfig, right(coalesce(request_body, ''), 4096) || ' ' || left(coalesce(reply_text, ''), 16384)));
  CREATE TABLE request_logs_default PARTITION OF request_logs DEFAULT;
  -- A partition per UTC day the existing rows cover, so they land in day partitions, not the default.
  SELECT min(ts) / day_ms * day_ms, max(ts) / day_ms * day_ms INTO lo, hi FROM request_logs_unpartitioned;
  IF lo IS NOT NULL THEN
    d := lo;
    WHILE d <= hi LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF request_logs FOR VALUES FROM (%s) TO (%s)',
        'request_logs_p' || to_char(to_timestamp(d / 1000) AT TIME ZONE 'UTC', 'YYYYMMDD'), d, d + day_ms);
      d := d + day_ms;
    END LOOP;
  END IF;
  INSERT INTO request_logs SELECT * FROM request_logs_unpartitioned;
  DROP TABLE request_logs_unpartitioned;
END $$;
