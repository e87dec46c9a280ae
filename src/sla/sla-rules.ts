/**
 * SLA engine: which stage a complaint is in, its current deadline in working days (Asia/Jakarta),
 * the outer calendar-day limit, and whether it is at risk or overdue. Pure: the rules, the calendar
 * and `now` are all passed in.
 */
import type { DateTime } from 'luxon';
import { z } from 'zod';
import { JAKARTA_ZONE } from './holidays.js';
import { toJakarta, type DateInput, type WorkingDayCalendar } from './working-days.js';

export const slaRulesSchema = z
  .object({
    verification_days: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(3)
      .describe('Working days after submission within which LAPOR! must verify a complaint (LAPOR! default: 3)'),
    first_followup_days: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(5)
      .describe('Working days after disposition within which the agency must give its first follow-up (LAPOR! default: 5)'),
    closure_days: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(10)
      .describe('Working days after the last follow-up, with no reply from the reporter, after which the complaint is closed (LAPOR! default: 10)'),
    at_risk_fraction: z
      .number()
      .gt(0)
      .max(1)
      .default(0.8)
      .describe('Share of a stage\'s working-day budget used (the current day counts as used) at which a complaint is flagged at risk'),
    outer_limit_days: z
      .number()
      .int()
      .min(1)
      .max(366)
      .default(60)
      .describe('Calendar days after submission by which a complaint must be closed, whatever its stage'),
    done_statuses: z
      .array(z.string())
      .default(['closed', 'selesai', 'done', 'archived', 'rejected', 'ditolak'])
      .describe('Status values (case-insensitive) that mean the complaint needs nothing more, even without closed_at'),
  })
  .describe('SLA deadlines for complaints in SP4N-LAPOR!, counted in working days (Asia/Jakarta)');

export type SlaRules = z.output<typeof slaRulesSchema>;
export type SlaRulesInput = z.input<typeof slaRulesSchema>;

/** LAPOR!'s published defaults: verify in 3 working days, first follow-up in 5, close 10 after the last follow-up, 60 days at most. */
export const DEFAULT_SLA_RULES: SlaRules = Object.freeze(slaRulesSchema.parse({}));

export type SlaStage = 'verification' | 'first_followup' | 'closure' | 'done';

type Instant = DateInput | null | undefined;

export interface SlaState {
  readonly submitted_at: DateInput;
  readonly verified_at?: Instant;
  readonly disposed_at?: Instant;
  readonly last_followup_at?: Instant;
  readonly closed_at?: Instant;
  readonly status?: string | null;
}

export interface SlaResult {
  readonly stage: SlaStage;
  /** End (23:59:59.999 WIB) of the stage's last working day, ISO 8601 with +07:00; null when done. */
  readonly deadline: string | null;
  /** End of the outer_limit_days-th calendar day after the submission date, ISO 8601 with +07:00. */
  readonly outer_deadline: string;
  /** Whichever of deadline and outer_deadline comes first; null when done. */
  readonly next_deadline: string | null;
  /** At least at_risk_fraction of the stage's budget used, and not yet overdue. */
  readonly at_risk: boolean;
  /** Past the stage deadline or the outer limit (never when done). */
  readonly overdue: boolean;
  readonly overdue_reason: 'stage_deadline' | 'outer_limit' | null;
  /** Working days from the stage's start to now (the current day counts); for 'done', submission to closure. */
  readonly working_days_elapsed: number;
  /** The stage's working-day budget; 0 when done. */
  readonly working_days_budget: number;
}

const present = (v: Instant): v is DateInput => v !== null && v !== undefined && v !== '';

const iso = (dt: DateTime): string => dt.setZone(JAKARTA_ZONE).toISO({ includeOffset: true }) ?? '';

/**
 * The SLA position of one complaint at `now`.
 *
 * Stages: no verified_at → verification (from submitted_at); verified but no follow-up yet →
 * first_followup (from disposed_at, or verified_at when disposition is not recorded separately);
 * a follow-up given → closure (from last_followup_at); closed_at or a done status → done.
 */
export function slaFor(state: SlaState, rules: SlaRules, calendar: WorkingDayCalendar, now: DateInput): SlaResult {
  const submitted = toJakarta(state.submitted_at);
  const at = toJakarta(now);
  const outer = submitted.startOf('day').plus({ days: rules.outer_limit_days }).endOf('day');

  const status = state.status?.trim().toLowerCase();
  const isDone = present(state.closed_at) || (status !== undefined && rules.done_statuses.some((s) => s.toLowerCase() === status));
  if (isDone) {
    const end = present(state.closed_at) ? state.closed_at : at;
    return {
      stage: 'done',
      deadline: null,
      outer_deadline: iso(outer),
      next_deadline: null,
      at_risk: false,
      overdue: false,
      overdue_reason: null,
      working_days_elapsed: Math.max(0, calendar.workingDaysBetween(submitted, end)),
      working_days_budget: 0,
    };
  }

  let stage: Exclude<SlaStage, 'done'>;
  let anchor: DateInput;
  let budget: number;
  if (!present(state.verified_at)) {
    [stage, anchor, budget] = ['verification', submitted, rules.verification_days];
  } else if (!present(state.last_followup_at)) {
    [stage, anchor, budget] = ['first_followup', present(state.disposed_at) ? state.disposed_at : state.verified_at, rules.first_followup_days];
  } else {
    [stage, anchor, budget] = ['closure', state.last_followup_at, rules.closure_days];
  }

  const deadline = calendar.addWorkingDays(anchor, budget);
  const elapsed = Math.max(0, calendar.workingDaysBetween(anchor, at));
  const pastStage = at > deadline;
  const pastOuter = at > outer;
  const overdue = pastStage || pastOuter;
  const atRisk = !overdue && elapsed >= rules.at_risk_fraction * budget - 1e-9;

  return {
    stage,
    deadline: iso(deadline),
    outer_deadline: iso(outer),
    next_deadline: iso(deadline < outer ? deadline : outer),
    at_risk: atRisk,
    overdue,
    overdue_reason: pastStage ? 'stage_deadline' : pastOuter ? 'outer_limit' : null,
    working_days_elapsed: elapsed,
    working_days_budget: budget,
  };
}
