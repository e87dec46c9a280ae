/** The first ledger schema: sources, cursors, records and their versions, attempts, runs, events. */
export const sql = `
CREATE TABLE sources (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE cursors (
  source_id   TEXT PRIMARY KEY REFERENCES sources(id),
  cursor_json TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE records (
  id                INTEGER PRIMARY KEY,
  source_id         TEXT NOT NULL REFERENCES sources(id),
  external_id       TEXT NOT NULL,
  ticket            TEXT,
  state             TEXT NOT NULL,
  version           INTEGER NOT NULL DEFAULT 0,
  content_hash      TEXT,
  sending_version   INTEGER,
  sent_version      INTEGER,
  idempotency_key   TEXT,
  lapor_id          TEXT,
  attempt_count     INTEGER NOT NULL DEFAULT 0,
  next_attempt_at   TEXT,
  first_failed_at   TEXT,
  last_error        TEXT,
  quarantine_reason TEXT,
  quarantine_hash   TEXT,
  warning_count     INTEGER NOT NULL DEFAULT 0,
  received_at       TEXT,
  first_seen_at     TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  delivered_at      TEXT,
  UNIQUE (source_id, external_id)
);
CREATE INDEX records_by_state ON records (state, next_attempt_at);
CREATE INDEX records_by_lapor_id ON records (lapor_id);
CREATE INDEX records_by_ticket ON records (ticket);

-- One row per version of a record's canonical payload; the NIK is stored only as a keyed hash.
CREATE TABLE record_versions (
  record_id       INTEGER NOT NULL REFERENCES records(id),
  version         INTEGER NOT NULL,
  content_hash    TEXT NOT NULL,
  canonical_json  TEXT NOT NULL,
  warnings_json   TEXT NOT NULL,
  mapping_version TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  PRIMARY KEY (record_id, version)
);

-- One row per HTTP call to the destination.
CREATE TABLE attempts (
  id              INTEGER PRIMARY KEY,
  record_id       INTEGER NOT NULL REFERENCES records(id),
  version         INTEGER NOT NULL,
  at              TEXT NOT NULL,
  operation       TEXT NOT NULL,
  idempotency_key TEXT,
  payload_hash    TEXT,
  http_status     INTEGER,
  outcome         TEXT NOT NULL,
  latency_ms      INTEGER NOT NULL,
  reply           TEXT,
  error           TEXT
);
CREATE INDEX attempts_by_record ON attempts (record_id);

CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  source_id   TEXT,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL,
  counts_json TEXT,
  error       TEXT
);

-- Persistent destination health (a 401/403 pause survives restarts).
CREATE TABLE destinations (
  name         TEXT PRIMARY KEY,
  paused       INTEGER NOT NULL DEFAULT 0,
  pause_reason TEXT,
  paused_at    TEXT
);

-- Append-only and hash-chained: hash = SHA-256(prev_hash || canonical event content).
CREATE TABLE events (
  id         INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  record_id  INTEGER REFERENCES records(id),
  source_id  TEXT,
  run_id     INTEGER,
  type       TEXT NOT NULL,
  from_state TEXT,
  to_state   TEXT,
  actor      TEXT NOT NULL,
  reason     TEXT,
  data_json  TEXT,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE INDEX events_by_record ON events (record_id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
`;
