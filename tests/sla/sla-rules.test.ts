import { describe, expect, it } from '@jest/globals';
import { loadHolidayFile } from '../../src/sla/holidays.js';
import { DEFAULT_SLA_RULES, slaFor, slaRulesSchema, type SlaState } from '../../src/sla/sla-rules.js';
import { WorkingDayCalendar } from '../../src/sla/working-days.js';

const calendar = new WorkingDayCalendar({ data: loadHolidayFile() });
const endOf = (date: string) => `${date}T23:59:59.999+07:00`;
const at = (local: string) => `${local}+07:00`;

describe('slaRulesSchema', () => {
  it("defaults to LAPOR!'s published rules", () => {
    expect(DEFAULT_SLA_RULES).toMatchObject({ verification_days: 3, first_followup_days: 5, closure_days: 10, at_risk_fraction: 0.8, outer_limit_days: 60 });
  });

  it('describes every field for the settings UI', () => {
    expect(slaRulesSchema.description).toBeTruthy();
    for (const [key, field] of Object.entries(slaRulesSchema.shape)) expect([key, Boolean(field.description)]).toEqual([key, true]);
  });

  it('rejects nonsense', () => {
    expect(slaRulesSchema.safeParse({ verification_days: 0 }).success).toBe(false);
    expect(slaRulesSchema.safeParse({ at_risk_fraction: 1.5 }).success).toBe(false);
    expect(slaRulesSchema.safeParse({ closure_days: 2.5 }).success).toBe(false);
  });

  it('is configurable', () => {
    const rules = slaRulesSchema.parse({ verification_days: 5 });
    const r = slaFor({ submitted_at: at('2025-01-10T10:00:00') }, rules, calendar, at('2025-01-10T11:00:00'));
    expect(r.deadline).toBe(endOf('2025-01-17'));
  });
});

describe('slaFor: stages and deadlines', () => {
  it.each<[string, SlaState, string, string]>([
    ['verification from submission, across a weekend', { submitted_at: at('2025-01-10T10:00:00') }, 'verification', '2025-01-15'],
    ['verification across Idul Fitri 2025 and its cuti bersama', { submitted_at: at('2025-03-27T09:00:00') }, 'verification', '2025-04-10'],
    ['verification across the 2025/2026 year boundary', { submitted_at: at('2025-12-30T11:00:00') }, 'verification', '2026-01-05'],
    [
      'first follow-up from disposition',
      { submitted_at: at('2025-03-20T09:00:00'), verified_at: at('2025-03-25T09:00:00'), disposed_at: at('2025-03-26T14:00:00') },
      'first_followup',
      '2025-04-11',
    ],
    [
      'first follow-up from verification when disposition is not recorded',
      { submitted_at: at('2025-02-03T09:00:00'), verified_at: at('2025-02-04T09:00:00') },
      'first_followup',
      '2025-02-11',
    ],
    [
      'closure 10 working days after the last follow-up',
      { submitted_at: at('2025-01-27T09:00:00'), verified_at: at('2025-01-30T09:00:00'), disposed_at: at('2025-01-30T09:00:00'), last_followup_at: at('2025-02-03T16:00:00') },
      'closure',
      '2025-02-17',
    ],
  ])('%s', (_what, state, stage, deadline) => {
    const r = slaFor(state, DEFAULT_SLA_RULES, calendar, state.submitted_at);
    expect(r.stage).toBe(stage);
    expect(r.deadline).toBe(endOf(deadline));
  });

  it('is done once closed (or in a done status), with no deadline and never overdue', () => {
    const closed = slaFor(
      { submitted_at: at('2025-01-10T10:00:00'), verified_at: at('2025-01-13T10:00:00'), closed_at: at('2025-01-20T10:00:00') },
      DEFAULT_SLA_RULES,
      calendar,
      at('2025-06-01T10:00:00'),
    );
    expect(closed).toMatchObject({ stage: 'done', deadline: null, next_deadline: null, at_risk: false, overdue: false, working_days_elapsed: 6 });
    expect(slaFor({ submitted_at: at('2025-01-10T10:00:00'), status: 'Selesai' }, DEFAULT_SLA_RULES, calendar, at('2025-06-01T10:00:00')).stage).toBe('done');
    expect(slaFor({ submitted_at: at('2025-01-10T10:00:00'), status: 'in_progress' }, DEFAULT_SLA_RULES, calendar, at('2025-01-10T11:00:00')).stage).toBe('verification');
  });

  it('treats null and empty timestamps as absent (as they come from SQLite)', () => {
    const r = slaFor({ submitted_at: '2025-01-10 10:00:00', verified_at: null, disposed_at: '', closed_at: null }, DEFAULT_SLA_RULES, calendar, '2025-01-10 11:00:00');
    expect(r.stage).toBe('verification');
    expect(r.deadline).toBe(endOf('2025-01-15'));
  });
});

describe('slaFor: at risk (≥ 80 % of the budget, the current day counting) and overdue', () => {
  const verification: SlaState = { submitted_at: at('2025-01-10T10:00:00') }; // budget 3: 13, 14, 15 Jan
  const followup: SlaState = { submitted_at: at('2025-01-31T10:00:00'), verified_at: at('2025-02-03T10:00:00'), disposed_at: at('2025-02-03T10:00:00') }; // budget 5: 4–7, 10 Feb
  const closure: SlaState = { ...followup, last_followup_at: at('2025-02-03T16:00:00') }; // budget 10: 4–7, 10–14, 17 Feb

  it.each<[string, SlaState, string, number, boolean, boolean]>([
    // what, state, now (WIB), elapsed, at_risk, overdue
    ['verification, same day', verification, '2025-01-10T15:00:00', 0, false, false],
    ['verification, weekend', verification, '2025-01-12T15:00:00', 0, false, false],
    ['verification, day 1 of 3', verification, '2025-01-13T09:00:00', 1, false, false],
    ['verification, day 2 of 3 (67 %)', verification, '2025-01-14T09:00:00', 2, false, false],
    ['verification, day 3 of 3 (100 %, last day)', verification, '2025-01-15T23:59:59', 3, true, false],
    ['verification, one second past the deadline', verification, '2025-01-16T00:00:00', 4, false, true],
    ['follow-up, day 3 of 5 (60 %)', followup, '2025-02-06T09:00:00', 3, false, false],
    ['follow-up, day 4 of 5 (80 %)', followup, '2025-02-07T09:00:00', 4, true, false],
    ['follow-up, weekend after day 4 stays at risk', followup, '2025-02-09T09:00:00', 4, true, false],
    ['follow-up, overdue', followup, '2025-02-11T09:00:00', 6, false, true],
    ['closure, day 7 of 10', closure, '2025-02-12T09:00:00', 7, false, false],
    ['closure, day 8 of 10 (80 %)', closure, '2025-02-13T09:00:00', 8, true, false],
    ['closure, overdue (should have been closed)', closure, '2025-02-18T09:00:00', 11, false, true],
  ])('%s', (_what, state, now, elapsed, atRisk, overdue) => {
    const r = slaFor(state, DEFAULT_SLA_RULES, calendar, at(now));
    expect({ elapsed: r.working_days_elapsed, at_risk: r.at_risk, overdue: r.overdue }).toEqual({ elapsed, at_risk: atRisk, overdue });
    if (overdue) expect(r.overdue_reason).toBe('stage_deadline');
  });

  it('honours a custom at-risk fraction', () => {
    const rules = slaRulesSchema.parse({ at_risk_fraction: 0.5 });
    expect(slaFor(followup, rules, calendar, at('2025-02-05T09:00:00')).at_risk).toBe(false); // 2 of 5
    expect(slaFor(followup, rules, calendar, at('2025-02-06T09:00:00')).at_risk).toBe(true); // 3 of 5
  });
});

describe('slaFor: the outer limit of 60 calendar days from submission', () => {
  // submitted 10 Jan 2025 → outer limit is the end of 11 Mar 2025 (21 + 28 + 11 days)
  const state: SlaState = {
    submitted_at: at('2025-01-10T10:00:00'),
    verified_at: at('2025-01-13T10:00:00'),
    disposed_at: at('2025-01-13T10:00:00'),
    last_followup_at: at('2025-03-10T10:00:00'),
  };

  it('is 60 calendar days whatever the holidays', () => {
    const r = slaFor(state, DEFAULT_SLA_RULES, calendar, at('2025-03-11T10:00:00'));
    expect(r.outer_deadline).toBe(endOf('2025-03-11'));
    expect(r.deadline).toBe(endOf('2025-03-24'));
    expect(r.next_deadline).toBe(endOf('2025-03-11'));
    expect(r.overdue).toBe(false);
  });

  it('makes a record overdue even when its stage deadline is still ahead', () => {
    const r = slaFor(state, DEFAULT_SLA_RULES, calendar, at('2025-03-12T08:00:00'));
    expect(r).toMatchObject({ stage: 'closure', overdue: true, overdue_reason: 'outer_limit', at_risk: false, working_days_elapsed: 2 });
  });

  it('is configurable', () => {
    const r = slaFor(state, slaRulesSchema.parse({ outer_limit_days: 90 }), calendar, at('2025-03-12T08:00:00'));
    expect(r.outer_deadline).toBe(endOf('2025-04-10'));
    expect(r.overdue).toBe(false);
  });
});
