/**
 * `ledger report --sla` on a fixture ledger (tests/server/sla-fixture.ts): exactly the expected
 * overdue and at-risk complaints per agency, in table, JSON and CSV forms, with `--period`,
 * `--source`, `--as-of` and the config's `sla:` rules; the breach counts and first-follow-up
 * times of `ledger report`; statuses, follow-ups and write-backs in `ledger show` and
 * `ledger export`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { defaultSlaSetup, NO_AGENCY, slaReport } from '../../src/ledger/sla-report.js';
import { runCli } from '../helpers/capture.js';
import { AS_OF, DINKES, PUPR, slaFixture, type SlaFixture } from '../server/sla-fixture.js';

let fx: SlaFixture;
let noConfig: string;

beforeAll(() => {
  fx = slaFixture();
  // no bridge.yaml: LAPOR!'s default rules and the shipped calendar
  noConfig = path.join(fx.dir, 'no-bridge.yaml');
});

afterAll(() => fx?.close());

const report = (...args: string[]) => runCli('--config', noConfig, 'ledger', 'report', '--ledger', fx.ledgerPath, ...args);

/** What every form must say as of AS_OF: [agency, state, ref, SLA stage, deadline day, reason, age]. */
const EXPECTED = [
  [DINKES, 'overdue', 'sambat/12', 'closure', '2025-03-21', 'outer_limit', 49],
  [DINKES, 'at_risk', 'sambat/10', 'closure', '2025-04-15', null, 12],
  [PUPR, 'overdue', 'bebeja/2', 'first_followup', '2025-04-08', 'stage_deadline', 9],
  [NO_AGENCY, 'overdue', 'bebeja/1', 'verification', '2025-04-10', 'stage_deadline', 4],
] as const;

describe('slaReport', () => {
  it('finds exactly the overdue and at-risk complaints, grouped by agency and source', async () => {
    const db = new Database(fx.ledgerPath, { readonly: true });
    try {
      const r = slaReport(db, await defaultSlaSetup(), { asOf: new Date(AS_OF) });
      expect(r.complaints.map((c) => [c.agency, c.sla_state, c.ref, c.sla_stage, c.deadline?.slice(0, 10), c.overdue_reason, c.age_working_days])).toEqual(EXPECTED);
      expect(r.complaints.find((c) => c.ref === 'bebeja/1')).toMatchObject({ deadline: '2025-04-10T23:59:59.999+07:00', status_name: 'Belum Terverifikasi', agency_id: null, ticket: 'BEB-1', lapor_id: fx.laporIds['bebeja/1'] });
      expect(r.totals).toEqual({ followed: 6, done: 1, overdue: 3, at_risk: 1 });
      expect(r.by_agency.map((a) => [a.agency, a.overdue, a.at_risk, a.followed])).toEqual([
        [DINKES, 1, 1, 2],
        [PUPR, 1, 0, 2],
        [NO_AGENCY, 1, 0, 2],
      ]);
      expect(r.by_source.map((s) => [s.source, s.overdue, s.at_risk, s.followed])).toEqual([
        ['bebeja', 2, 0, 3],
        ['sambat', 1, 1, 3],
      ]);
      // the delivered complaint not checked yet counts as received; the pending one is not followed
      expect(r.by_follow_stage).toEqual({ received: 2, disposed: 1, closed: 1, in_progress: 2 });
    } finally {
      db.close();
    }
  });

  it('the complaint submitted on 27 March 2025 is at risk, not overdue, on 10 April (Nyepi, Idul Fitri, cuti bersama)', async () => {
    const db = new Database(fx.ledgerPath, { readonly: true });
    try {
      const r = slaReport(db, await defaultSlaSetup(), { asOf: new Date('2025-04-10T23:00:00+07:00') });
      expect(r.complaints.find((c) => c.ref === 'bebeja/1')).toMatchObject({ sla_state: 'at_risk', sla_stage: 'verification', working_days_elapsed: 3, working_days_budget: 3 });
    } finally {
      db.close();
    }
  });
});

describe('ledger report --sla', () => {
  it('table: one section per agency listing exactly its complaints', async () => {
    const r = await report('--sla', '--as-of', AS_OF);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const out = r.stdout;
    expect(out).toContain('SLA report as of 2025-04-11 09:00 WIB');
    expect(out).toContain('followed at LAPOR!: 6 (closed 1) — overdue 3, at risk 1');
    const sections = out.split(/\n(?=\S.* — \d+ overdue, \d+ at risk \(of \d+ followed\)\n)/).slice(1);
    const listed = sections.map((s) => {
      const [head, , , ...rows] = s.trim().split('\n');
      return [head?.replace(/ \[\d+\]/, '').split(' — ')[0], rows.map((row) => row.split(/\s{2,}/).slice(0, 2).join(' '))];
    });
    expect(listed).toEqual([
      [DINKES, ['OVERDUE sambat/12', 'at risk sambat/10']],
      [PUPR, ['OVERDUE bebeja/2']],
      [NO_AGENCY, ['OVERDUE bebeja/1']],
    ]);
    expect(out).toMatch(/OVERDUE\s+bebeja\/1\s+BEB-1\s+\d+\s+verification\s+2025-04-10\s+stage_deadline\s+4\s+4\/3\s+Belum Terverifikasi/);
    expect(out).not.toContain('bebeja/3');
    expect(out).not.toContain('sambat/11');
    expect(out).not.toContain('Siti'); // no personal data
  });

  it('JSON: the same complaints, groups and counts', async () => {
    const r = await runCli('--config', noConfig, '--json', 'ledger', 'report', '--ledger', fx.ledgerPath, '--sla', '--as-of', AS_OF);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { as_of: string; complaints: { agency: string; sla_state: string; ref: string; sla_stage: string; deadline: string; overdue_reason: string | null; age_working_days: number }[]; by_agency: unknown[]; totals: unknown };
    expect(j.as_of).toBe('2025-04-11T02:00:00.000Z');
    expect(j.complaints.map((c) => [c.agency, c.sla_state, c.ref, c.sla_stage, c.deadline.slice(0, 10), c.overdue_reason, c.age_working_days])).toEqual(EXPECTED);
    expect(j.totals).toEqual({ followed: 6, done: 1, overdue: 3, at_risk: 1 });
    // --format json gives the same document
    const f = await report('--sla', '--as-of', AS_OF, '--format', 'json');
    expect(JSON.parse(f.stdout)).toEqual(j);
  });

  it('CSV: UTF-8 with BOM, one row per overdue or at-risk complaint', async () => {
    const r = await report('--sla', '--as-of', AS_OF, '--format', 'csv');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = r.stdout.slice(1).trim().split('\n');
    const cols = (header as string).split(',');
    expect(cols.slice(0, 11)).toEqual(['sla_state', 'agency', 'agency_id', 'source', 'ref', 'ticket', 'lapor_id', 'sla_stage', 'follow_stage', 'deadline', 'overdue_reason']);
    const at = (name: string) => cols.indexOf(name);
    const parsed = rows.map((line) => line.split(','));
    expect(parsed.map((c) => [c[at('agency')], c[at('sla_state')], c[at('ref')], c[at('sla_stage')], c[at('deadline')]?.slice(0, 10), c[at('overdue_reason')] || null, Number(c[at('age_working_days')])])).toEqual(EXPECTED);
    expect(parsed.find((c) => c[at('ref')] === 'bebeja/2')?.[at('agency_id')]).toBe('1001');
  });

  it('--period filters on the month the complaint was submitted to LAPOR!, --source on the source', async () => {
    const march = JSON.parse((await report('--sla', '--as-of', AS_OF, '--format', 'json', '--period', '2025-03')).stdout) as { complaints: { ref: string }[]; totals: unknown };
    expect(march.complaints.map((c) => c.ref)).toEqual(['sambat/10', 'bebeja/2', 'bebeja/1']);
    expect(march.totals).toEqual({ followed: 4, done: 1, overdue: 2, at_risk: 1 });
    const sambat = JSON.parse((await report('--sla', '--as-of', AS_OF, '--format', 'json', '--source', 'sambat')).stdout) as { complaints: { ref: string }[]; by_agency: { agency: string; followed: number }[] };
    expect(sambat.complaints.map((c) => c.ref)).toEqual(['sambat/12', 'sambat/10']);
    expect(sambat.by_agency.map((a) => [a.agency, a.followed])).toEqual([
      [DINKES, 2],
      [NO_AGENCY, 1],
    ]);
  });

  it('takes the rules from the configuration\'s sla: section', async () => {
    const config = path.join(fx.dir, 'bridge.yaml');
    fs.writeFileSync(config, `ledger:\n  path: ledger.sqlite\nsla:\n  verification_days: 5\n`);
    const r = await runCli('--config', config, 'ledger', 'report', '--sla', '--as-of', AS_OF, '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { rules: { verification_days: number }; complaints: { ref: string; sla_state: string; deadline: string }[] };
    expect(j.rules.verification_days).toBe(5);
    // 5 working days after 27 March 2025: 8, 9, 10, 11, 14 April
    expect(j.complaints.find((c) => c.ref === 'bebeja/1')).toMatchObject({ sla_state: 'at_risk', deadline: '2025-04-14T23:59:59.999+07:00' });
  });

  it('refuses a bad --as-of or --period, and --source without --sla', async () => {
    expect((await report('--sla', '--as-of', 'kemarin')).code).toBe(2);
    expect((await report('--sla', '--period', '2025-13')).code).toBe(2);
    expect((await report('--source', 'bebeja')).code).toBe(2);
  });
});

describe('ledger report', () => {
  it('adds time to the first agency follow-up and the SLA breaches', async () => {
    const r = await report('--as-of', AS_OF, '--format', 'json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { receipt_to_first_followup: unknown; sla: unknown };
    // received → first follow-up: bebeja/3 (53 h), sambat/10 (75 h), sambat/12 (1922 h)
    expect(j.receipt_to_first_followup).toEqual({ count: 3, median_hours: 75, p95_hours: 1922 });
    expect(j.sla).toEqual({
      as_of: '2025-04-11T02:00:00.000Z',
      followed: 6,
      overdue: 3,
      at_risk: 1,
      by_stage: {
        verification: { followed: 2, overdue: 1, at_risk: 0 },
        first_followup: { followed: 1, overdue: 1, at_risk: 0 },
        closure: { followed: 2, overdue: 1, at_risk: 1 },
      },
    });
    const table = await report('--as-of', AS_OF);
    expect(table.stdout).toContain('receipt at the source → first agency follow-up: median 75 h, p95 1922 h (n=3)');
    expect(table.stdout).toContain('SLA as of 2025-04-11 09:00 WIB: 3 overdue, 1 at risk, of 6 followed at LAPOR! (verification 1 overdue / 0 at risk, first_followup 1 overdue / 0 at risk, closure 1 overdue / 1 at risk)');
  });
});

describe('ledger show', () => {
  it('puts every status, follow-up and write-back in the timeline, in time order', async () => {
    const r = await runCli('--config', noConfig, 'ledger', 'show', 'sambat/10', '--ledger', fx.ledgerPath);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`at LAPOR!: Dalam Proses (stage in_progress); agency ${DINKES}; follow-ups 2`);
    const timeline = r.stdout.slice(r.stdout.indexOf('\ntimeline:'));
    const types = timeline.split('\n').slice(4).map((l) => l.split(/\s{2,}/)[1]);
    expect(types).toEqual(['received', 'state_sending', 'state_delivered', 'lapor_followup', 'write_back']);
    expect(timeline).toMatch(/2025-03-21T03:00:00\.000Z\s+lapor_followup\s+Dinas Kesehatan\s+Petugas puskesmas/);
    expect(timeline).toMatch(/write_back\s+followup → sambat: retry_wait/);
  });

  it('finds a complaint by its LAPOR! id; --json carries follow, statuses and write-backs', async () => {
    const r = await runCli('--config', noConfig, '--json', 'ledger', 'show', fx.laporIds['bebeja/2'] as string, '--ledger', fx.ledgerPath);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { record: { external_id: string }; follow: { stage: string; disposition_name: string }; statuses: { kind: string; status_name: string; occurred_at: string }[]; write_backs: { state: string; sent_at: string }[] };
    expect(j.record.external_id).toBe('2');
    expect(j.follow).toMatchObject({ stage: 'disposed', disposition_name: PUPR });
    expect(j.statuses).toEqual([expect.objectContaining({ kind: 'status', status_name: 'Terverifikasi', occurred_at: '2025-03-21T09:05:00+07:00' })]);
    expect(j.write_backs).toEqual([expect.objectContaining({ state: 'sent', sent_at: '2025-03-21T03:00:02.000Z' })]);
  });
});

describe('ledger export', () => {
  it('exports statuses and write-backs as CSV, and as sheets of the XLSX', async () => {
    const statuses = await runCli('--config', noConfig, 'ledger', 'export', '--ledger', fx.ledgerPath, '--table', 'statuses');
    expect(statuses.code).toBe(0);
    const lines = statuses.stdout.slice(1).trim().split('\n');
    expect(lines[0]).toBe('id,ref,lapor_id,kind,observed_at,occurred_at,status_name,status_code,stage,disposition_id,disposition_name,followup_id,institution_name,own,content');
    expect(lines).toHaveLength(3);
    expect(statuses.stdout).toContain('Petugas puskesmas sudah meninjau lokasi; pengasapan dijadwalkan <Senin>.');
    expect(statuses.stdout).not.toContain('raw_json');

    const wb = await runCli('--config', noConfig, 'ledger', 'export', '--ledger', fx.ledgerPath, '--table', 'write_backs', '--source', 'sambat');
    const wbLines = wb.stdout.slice(1).trim().split('\n');
    expect(wbLines[0]).toBe('id,ref,status_id,kind,source,state,status_text,note,attempts,created_at,sent_at,next_attempt_at,first_failed_at,last_error');
    expect(wbLines.slice(1).map((l) => l.split(',').slice(1, 6))).toEqual([['sambat/10', '2', 'followup', 'sambat', 'retry_wait']]);

    const out = path.join(fx.dir, 'ledger.xlsx');
    expect((await runCli('--config', noConfig, 'ledger', 'export', '--ledger', fx.ledgerPath, '--format', 'xlsx', '--out', out)).code).toBe(0);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    expect(book.worksheets.map((w) => w.name)).toEqual(['records', 'attempts', 'events', 'statuses', 'write_backs']);
    expect(book.getWorksheet('statuses')?.rowCount).toBe(3);
    expect(book.getWorksheet('write_backs')?.rowCount).toBe(3);
  });
});
