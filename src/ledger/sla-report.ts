/**
 * The SLA report (issue #7 item 6): which complaints followed at LAPOR! are overdue or at risk
 * as of a given time, grouped by agency (disposition) and by source. Used by
 * `ledger report --sla`, the `ledger report` breach counts, `/metrics` and the dashboard, so
 * they all give the same numbers.
 *
 * Pure over a better-sqlite3 connection (SELECTs only, so a read-only connection is enough):
 * the SLA is recomputed for `asOf` from the `follow` timestamps, never read from the `sla_*`
 * cache, so a report "as of" a past or fixed time is reproducible.
 *
 * A followed complaint is a record with a `follow` row, or a delivered one (state `delivered`
 * or `update_pending`, with a LAPOR! id) not yet checked: that one is in stage `received`,
 * submitted at its delivery time.
 */
import type Database from 'better-sqlite3';
import { followSla } from '../follow/follow-sla.js';
import { writeBackStates } from '../follow/follow-store.js';
import { followStages } from '../status/lapor-status.js';
import type { SlaResult, SlaStage } from '../sla/sla-rules.js';
import { DEFAULT_SLA_RULES } from '../sla/sla-rules.js';
import type { SlaSetup } from '../sla/sla-setup.js';
import { loadWorkingDayCalendar } from '../sla/working-days.js';

/** Shown (and grouped) for a complaint LAPOR! has not disposed to any agency yet. */
export const NO_AGENCY = '(belum didisposisi)';

export const slaStages: readonly SlaStage[] = ['verification', 'first_followup', 'closure', 'done'];

export interface SlaReportOptions {
  /** The time the SLA is evaluated at. */
  readonly asOf: Date;
  /** Submission (delivery to LAPOR!) at or after this instant (ISO). */
  readonly from?: string;
  /** Submission before this instant (ISO). */
  readonly to?: string;
  readonly sourceId?: string;
}

/** One overdue or at-risk complaint. */
export interface SlaComplaint {
  readonly sla_state: 'overdue' | 'at_risk';
  readonly agency: string;
  /** LAPOR! disposition id (null when not disposed). */
  readonly agency_id: string | null;
  readonly source: string;
  readonly ref: string;
  readonly ticket: string | null;
  readonly lapor_id: string;
  /** SLA stage: verification | first_followup | closure. */
  readonly sla_stage: SlaStage;
  /** Follow-through stage: received | verified | disposed | in_progress | ... */
  readonly follow_stage: string;
  /** The deadline that counts: the stage's, or the outer limit when that comes first (ISO, +07:00). */
  readonly deadline: string | null;
  readonly stage_deadline: string | null;
  readonly outer_deadline: string;
  readonly overdue_reason: SlaResult['overdue_reason'];
  /** Working days from submission to `asOf` (the submission day not counted). */
  readonly age_working_days: number;
  readonly working_days_elapsed: number;
  readonly working_days_budget: number;
  /** LAPOR!'s latest raw status name (null when not checked yet). */
  readonly status_name: string | null;
  readonly submitted_at: string;
  readonly last_checked_at: string | null;
}

export interface SlaCounts {
  /** Complaints followed (all stages, closed ones included). */
  followed: number;
  overdue: number;
  at_risk: number;
}

export interface SlaAgencyGroup extends SlaCounts {
  readonly agency: string;
  readonly agency_id: string | null;
}

export interface SlaSourceGroup extends SlaCounts {
  readonly source: string;
}

export interface SlaReport {
  readonly as_of: string;
  readonly period: { from: string | null; to: string | null };
  readonly source: string | null;
  readonly rules: SlaSetup['rules'];
  readonly totals: SlaCounts & { done: number };
  /** Counts per SLA stage (`done` is never overdue or at risk). */
  readonly by_stage: Record<SlaStage, SlaCounts>;
  /** Counts per follow-through stage (`received` for delivered complaints not checked yet). */
  readonly by_follow_stage: Record<string, number>;
  readonly by_agency: SlaAgencyGroup[];
  readonly by_source: SlaSourceGroup[];
  /** Overdue and at-risk complaints: by agency, overdue first, earliest deadline first. */
  readonly complaints: SlaComplaint[];
  /** Overdue and at-risk complaints per source and agency (for /metrics). */
  readonly by_source_agency: (SlaCounts & { source: string; agency: string })[];
}

interface FollowedRow {
  source_id: string;
  external_id: string;
  ticket: string | null;
  lapor_id: string;
  submitted_at: string;
  stage: string;
  status_name: string | null;
  disposition_id: string | null;
  disposition_name: string | null;
  verified_at: string | null;
  disposed_at: string | null;
  last_followup_at: string | null;
  closed_at: string | null;
  last_checked_at: string | null;
}

/**
 * Every followed complaint, with the follow columns (defaults for the not-yet-checked ones).
 * The period applies to the submission time (julianday compares instants whatever the offset).
 */
const FOLLOWED_SQL = `
  SELECT r.source_id, r.external_id, r.ticket,
         coalesce(f.lapor_id, r.lapor_id) AS lapor_id,
         coalesce(f.submitted_at, r.delivered_at, r.updated_at) AS submitted_at,
         coalesce(f.stage, 'received') AS stage,
         f.status_name, f.disposition_id, f.disposition_name, f.verified_at, f.disposed_at,
         f.last_followup_at, f.closed_at, f.last_checked_at
  FROM records r LEFT JOIN follow f ON f.record_id = r.id
  WHERE (f.record_id IS NOT NULL OR (r.state IN ('delivered', 'update_pending') AND r.lapor_id IS NOT NULL))
    AND (@source IS NULL OR r.source_id = @source)
    AND (@from IS NULL OR julianday(coalesce(f.submitted_at, r.delivered_at, r.updated_at)) >= julianday(@from))
    AND (@to IS NULL OR julianday(coalesce(f.submitted_at, r.delivered_at, r.updated_at)) < julianday(@to))
  ORDER BY r.id`;


/** Followed complaints per follow-through stage (unknown stages included as stored). */
export function followedByStage(db: Database.Database): Record<string, number> {
  const rows = db
    .prepare(
      `SELECT coalesce(f.stage, 'received') AS stage, count(*) AS n
       FROM records r LEFT JOIN follow f ON f.record_id = r.id
       WHERE f.record_id IS NOT NULL OR (r.state IN ('delivered', 'update_pending') AND r.lapor_id IS NOT NULL)
       GROUP BY 1`,
    )
    .all() as { stage: string; n: number }[];
  return Object.fromEntries([...followStages.map((st) => [st, 0] as const), ...rows.map((r) => [r.stage, r.n] as const)]);
}

/** Write-backs per state. */
export function writeBacksByState(db: Database.Database): Record<string, number> {
  const rows = db.prepare('SELECT state, count(*) AS n FROM write_backs GROUP BY state').all() as { state: string; n: number }[];
  return Object.fromEntries([...writeBackStates.map((st) => [st, 0] as const), ...rows.map((r) => [r.state, r.n] as const)]);
}

const zero = (): SlaCounts => ({ followed: 0, overdue: 0, at_risk: 0 });

function agencyOf(r: Pick<FollowedRow, 'disposition_id' | 'disposition_name'>): string {
  return r.disposition_name?.trim() || r.disposition_id?.trim() || NO_AGENCY;
}

/** Sorts agencies by name, the "not disposed" group last. */
function byAgencyName(a: string, b: string): number {
  if (a === b) return 0;
  if (a === NO_AGENCY) return 1;
  if (b === NO_AGENCY) return -1;
  return a.localeCompare(b, 'id');
}

export function slaReport(db: Database.Database, setup: SlaSetup, o: SlaReportOptions): SlaReport {
  const rows = db.prepare(FOLLOWED_SQL).all({ source: o.sourceId ?? null, from: o.from ?? null, to: o.to ?? null }) as FollowedRow[];
  const totals = { ...zero(), done: 0 };
  const byStage = Object.fromEntries(slaStages.map((s) => [s, zero()])) as Record<SlaStage, SlaCounts>;
  const byFollowStage: Record<string, number> = {};
  const agencies = new Map<string, SlaAgencyGroup>();
  const sources = new Map<string, SlaSourceGroup>();
  const sourceAgency = new Map<string, SlaCounts & { source: string; agency: string }>();
  const complaints: SlaComplaint[] = [];

  for (const r of rows) {
    // a closed or rejected complaint is done: nothing to compute (most of a long-running ledger)
    const done = r.closed_at !== null || r.stage === 'closed' || r.stage === 'rejected';
    const sla = done ? undefined : followSla(r, setup, o.asOf);
    const slaStage: SlaStage = sla?.stage ?? 'done';
    const agency = agencyOf(r);
    const a = agencies.get(agency) ?? { agency, agency_id: r.disposition_id ?? null, ...zero() };
    agencies.set(agency, a);
    const s = sources.get(r.source_id) ?? { source: r.source_id, ...zero() };
    sources.set(r.source_id, s);
    const saKey = `${r.source_id}\u0000${agency}`;
    const sa = sourceAgency.get(saKey) ?? { source: r.source_id, agency, ...zero() };
    sourceAgency.set(saKey, sa);
    const counters = [totals, byStage[slaStage], a, s, sa];
    for (const c of counters) c.followed++;
    byFollowStage[r.stage] = (byFollowStage[r.stage] ?? 0) + 1;
    if (slaStage === 'done') totals.done++;

    const state = sla?.overdue ? 'overdue' : sla?.at_risk ? 'at_risk' : null;
    if (!state || !sla) continue;
    for (const c of counters) c[state]++;
    complaints.push({
      sla_state: state,
      agency,
      agency_id: r.disposition_id ?? null,
      source: r.source_id,
      ref: `${r.source_id}/${r.external_id}`,
      ticket: r.ticket,
      lapor_id: r.lapor_id,
      sla_stage: sla.stage,
      follow_stage: r.stage,
      deadline: sla.next_deadline,
      stage_deadline: sla.deadline,
      outer_deadline: sla.outer_deadline,
      overdue_reason: sla.overdue_reason,
      age_working_days: Math.max(0, setup.calendar.workingDaysBetween(r.submitted_at, o.asOf)),
      working_days_elapsed: sla.working_days_elapsed,
      working_days_budget: sla.working_days_budget,
      status_name: r.status_name,
      submitted_at: r.submitted_at,
      last_checked_at: r.last_checked_at,
    });
  }

  const time = (t: string | null) => (t ? Date.parse(t) : Infinity);
  complaints.sort(
    (x, y) =>
      byAgencyName(x.agency, y.agency) ||
      (x.sla_state === y.sla_state ? 0 : x.sla_state === 'overdue' ? -1 : 1) ||
      time(x.deadline) - time(y.deadline) ||
      x.ref.localeCompare(y.ref),
  );
  return {
    as_of: o.asOf.toISOString(),
    period: { from: o.from ?? null, to: o.to ?? null },
    source: o.sourceId ?? null,
    rules: setup.rules,
    totals,
    by_stage: byStage,
    by_follow_stage: byFollowStage,
    by_agency: [...agencies.values()].sort((x, y) => byAgencyName(x.agency, y.agency)),
    by_source: [...sources.values()].sort((x, y) => x.source.localeCompare(y.source)),
    complaints,
    by_source_agency: [...sourceAgency.values()].sort((x, y) => x.source.localeCompare(y.source) || byAgencyName(x.agency, y.agency)),
  };
}

/** Columns of the CSV form of the report (one row per overdue or at-risk complaint). */
export const slaCsvColumns = [
  'sla_state',
  'agency',
  'agency_id',
  'source',
  'ref',
  'ticket',
  'lapor_id',
  'sla_stage',
  'follow_stage',
  'deadline',
  'overdue_reason',
  'stage_deadline',
  'outer_deadline',
  'age_working_days',
  'working_days_elapsed',
  'working_days_budget',
  'status_name',
  'submitted_at',
] as const satisfies readonly (keyof SlaComplaint)[];

let defaultSetup: Promise<SlaSetup> | undefined;

/**
 * LAPOR!'s default rules with the shipped calendar, for a process that has no `sla:` section to
 * read (the standalone dashboard, a metrics registry built without one). Loaded once.
 */
export function defaultSlaSetup(): Promise<SlaSetup> {
  defaultSetup ??= loadWorkingDayCalendar().then((calendar) => ({ rules: DEFAULT_SLA_RULES, calendar }));
  return defaultSetup;
}
