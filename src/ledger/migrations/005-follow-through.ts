/**
 * Follow-through (issue #7): what LAPOR! did with each delivered complaint.
 *
 * - `follow`: one row per followed record (created when the record is delivered), the latest known LAPOR! status, the timestamps the
 *   SLA engine needs, when to check next, and the SLA result as last computed (a cache for the
 *   dashboard and /metrics; reports recompute it for their own "as of" time).
 * - `statuses`: the history, append-only: every status change and every follow-up, stored once
 *   (UNIQUE change_key), with LAPOR!'s raw reply kept.
 * - `write_backs`: one row per history entry that must go back to the source; sent once.
 *
 * Times: `*_at` columns are ISO 8601 (UTC `Z` for the bridge's own clock, `+07:00` for times
 * LAPOR! gave in WIB).
 */
export const sql = `
CREATE TABLE follow (
  record_id          INTEGER PRIMARY KEY REFERENCES records(id),
  lapor_id           TEXT NOT NULL,
  status_name        TEXT,
  status_code        INTEGER,
  stage              TEXT NOT NULL DEFAULT 'received',
  disposition_id     TEXT,
  disposition_name   TEXT,
  submitted_at       TEXT NOT NULL,
  verified_at        TEXT,
  disposed_at        TEXT,
  first_followup_at  TEXT,
  last_followup_at   TEXT,
  closed_at          TEXT,
  followup_count     INTEGER NOT NULL DEFAULT 0,
  log_count          INTEGER NOT NULL DEFAULT 0,   -- LAPOR! data_logs entries already stored
  final              INTEGER NOT NULL DEFAULT 0,
  last_checked_at    TEXT,
  last_change_at     TEXT,
  next_check_at      TEXT,
  check_failures     INTEGER NOT NULL DEFAULT 0,
  last_error         TEXT,
  sla_stage          TEXT,
  sla_deadline       TEXT,
  sla_next_deadline  TEXT,
  sla_at_risk        INTEGER NOT NULL DEFAULT 0,
  sla_overdue        INTEGER NOT NULL DEFAULT 0,
  sla_overdue_reason TEXT,
  sla_computed_at    TEXT
);
CREATE INDEX follow_due ON follow (final, next_check_at);
CREATE INDEX follow_sla ON follow (sla_overdue, sla_at_risk);

CREATE TABLE statuses (
  id               INTEGER PRIMARY KEY,
  record_id        INTEGER NOT NULL REFERENCES records(id),
  lapor_id         TEXT NOT NULL,
  kind             TEXT NOT NULL,             -- 'status' | 'followup'
  change_key       TEXT NOT NULL,
  observed_at      TEXT NOT NULL,             -- when the bridge saw it
  occurred_at      TEXT,                      -- when LAPOR! says it happened (WIB, +07:00)
  status_name      TEXT,
  status_code      INTEGER,
  stage            TEXT,                      -- followStages or 'unknown' (the raw name is kept)
  disposition_id   TEXT,
  disposition_name TEXT,
  followup_id      TEXT,
  institution_name TEXT,
  content          TEXT,
  own              INTEGER NOT NULL DEFAULT 0, -- a follow-up the bridge itself posted
  raw_json         TEXT NOT NULL,
  UNIQUE (record_id, change_key)
);
CREATE INDEX statuses_by_record ON statuses (record_id, id);
CREATE TRIGGER statuses_no_update BEFORE UPDATE ON statuses
  BEGIN SELECT RAISE(ABORT, 'statuses are append-only'); END;
CREATE TRIGGER statuses_no_delete BEFORE DELETE ON statuses
  BEGIN SELECT RAISE(ABORT, 'statuses are append-only'); END;

CREATE TABLE write_backs (
  id              INTEGER PRIMARY KEY,
  status_id       INTEGER NOT NULL UNIQUE REFERENCES statuses(id),
  record_id       INTEGER NOT NULL REFERENCES records(id),
  source_id       TEXT NOT NULL,
  state           TEXT NOT NULL,              -- pending | sending | retry_wait | sent | failed
  status_text     TEXT NOT NULL,
  note            TEXT NOT NULL,
  attempt_count   INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  first_failed_at TEXT,
  last_error      TEXT,
  created_at      TEXT NOT NULL,
  sent_at         TEXT
);
CREATE INDEX write_backs_due ON write_backs (state, next_attempt_at);
CREATE INDEX write_backs_by_record ON write_backs (record_id, id);

-- complaints delivered before this migration are followed too, from their delivery time
INSERT INTO follow (record_id, lapor_id, submitted_at, stage)
  SELECT id, lapor_id, COALESCE(delivered_at, updated_at), 'received' FROM records
  WHERE state IN ('delivered', 'update_pending') AND lapor_id IS NOT NULL;
`;
