-- 0002-results.sql — results of replays and of captured kernels
-- (design.md §5).  Described in docs/schema.md.

CREATE TABLE run (
  id            INTEGER PRIMARY KEY,
  trace_id      INTEGER NOT NULL REFERENCES trace(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('simulated', 'captured')),
  kernel        TEXT NOT NULL,      -- kernel label (spec §13) or captured release
  mem_bytes     INTEGER,            -- simulated memory size
  seed          INTEGER,
  model_version TEXT,
  created       TEXT NOT NULL,
  wall_ns       INTEGER,            -- wall-clock time the run took
  events        INTEGER             -- trace events replayed
);

CREATE TABLE run_param (
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  name   TEXT NOT NULL,
  value  TEXT,
  PRIMARY KEY (run_id, name)
) WITHOUT ROWID;

CREATE TABLE run_metric (
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  name   TEXT NOT NULL,
  value  REAL,
  PRIMARY KEY (run_id, name)
) WITHOUT ROWID;

CREATE TABLE run_series (
  run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  t_ns   INTEGER NOT NULL,
  name   TEXT NOT NULL,
  value  REAL
);
CREATE INDEX run_series_run ON run_series(run_id, name, t_ns);

CREATE TABLE run_stall (
  run_id      INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
  t_ns        INTEGER NOT NULL,   -- when the allocation was asked for
  task        INTEGER,
  "order"     INTEGER,
  gfp         TEXT,
  latency_ns  INTEGER,
  pages_freed INTEGER,
  outcome     TEXT,               -- ok, failed
  path        TEXT                -- direct, kswapd-wait, failed
);
CREATE INDEX run_stall_run ON run_stall(run_id, t_ns);

-- One row per run with the headline figures as columns.
CREATE VIEW run_summary AS
SELECT r.id AS run_id, t.name AS trace, r.kind, r.kernel,
       r.mem_bytes / 1048576 AS mem_mb, r.seed,
       (SELECT value FROM run_metric WHERE run_id = r.id AND name = 'stall.count') AS stalls,
       (SELECT value / 1e6 FROM run_metric WHERE run_id = r.id AND name = 'stall.p50_ns') AS p50_stall_ms,
       (SELECT value / 1e6 FROM run_metric WHERE run_id = r.id AND name = 'stall.p99_ns') AS p99_stall_ms,
       (SELECT value / 1e6 FROM run_metric WHERE run_id = r.id AND name = 'stall.max_ns') AS max_stall_ms,
       (SELECT sum(value) FROM run_metric WHERE run_id = r.id AND name LIKE 'atomic_fail.o%') AS atomic_fail,
       (SELECT value FROM run_metric WHERE run_id = r.id AND name = 'net_rx_drop') AS net_rx_drop,
       (SELECT value FROM run_metric WHERE run_id = r.id AND name = 'kswapd.wakeups') AS kswapd_wakeups,
       (SELECT value FROM run_metric WHERE run_id = r.id AND name = 'swap.out') AS swap_out,
       (SELECT value FROM run_metric WHERE run_id = r.id AND name = 'nr_free_pages_min') AS free_pages_min
FROM run r JOIN trace t ON t.id = r.trace_id;
