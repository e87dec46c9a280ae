import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { loadHolidayFile, loadHolidayOverride, parseHolidayOverride, type HolidayFallback } from '../../src/sla/holidays.js';
import { WorkingDayCalendar, loadWorkingDayCalendar, toJakarta } from '../../src/sla/working-days.js';

const data = loadHolidayFile();
const calendar = new WorkingDayCalendar({ data });
const deadline = (start: string, n: number, cal = calendar) => cal.addWorkingDays(start, n).toISO();
const endOf = (date: string) => `${date}T23:59:59.999+07:00`;

describe('WorkingDayCalendar.addWorkingDays: deadline = end of the n-th working day after the start date (WIB)', () => {
  it.each([
    // [what, start, n, expected deadline date]
    ['plain week', '2025-01-06T09:00:00+07:00', 3, '2025-01-09'],
    ['across a weekend (Friday start)', '2025-01-10T10:00:00+07:00', 3, '2025-01-15'],
    ['Saturday start counts from Monday', '2025-01-11T10:00:00+07:00', 3, '2025-01-15'],
    ['Sunday late evening start', '2025-01-12T23:59:00+07:00', 1, '2025-01-13'],
    ['across Idul Fitri 2025 with cuti bersama (28 Mar, 31 Mar–1 Apr, 2–4 and 7 Apr off)', '2025-03-27T09:00:00+07:00', 3, '2025-04-10'],
    ['first follow-up budget across Idul Fitri 2025', '2025-03-26T14:00:00+07:00', 5, '2025-04-11'],
    ['year boundary: 30 Dec 2025 skips 1 Jan 2026 and the weekend', '2025-12-30T11:00:00+07:00', 3, '2026-01-05'],
    ['Natal 2024 and its cuti bersama', '2024-12-24T11:00:00+07:00', 3, '2024-12-31'],
    ['Pemilu 14 Feb 2024 and Imlek cuti bersama', '2024-02-07T11:00:00+07:00', 3, '2024-02-15'],
    ['Idul Fitri 2026 (20–24 Mar off)', '2026-03-19T08:00:00+07:00', 2, '2026-03-26'],
    ['UTC input is read as Jakarta time (18:00Z = 01:00 WIB next day)', '2025-01-09T18:00:00Z', 3, '2025-01-15'],
    ['SQL-style timestamp without offset is Jakarta local', '2025-01-10 10:00:00', 3, '2025-01-15'],
    ['n = 0 on a working day is the end of that day', '2025-01-10T10:00:00+07:00', 0, '2025-01-10'],
    ['n = 0 on a holiday moves to the next working day', '2025-04-01T10:00:00+07:00', 0, '2025-04-08'],
  ])('%s', (_what, start, n, expected) => {
    expect(deadline(start, n)).toBe(endOf(expected));
  });

  it('accepts Date and luxon DateTime too', () => {
    expect(calendar.addWorkingDays(new Date('2025-01-10T03:00:00Z'), 3).toISO()).toBe(endOf('2025-01-15'));
    expect(calendar.addWorkingDays(DateTime.fromISO('2025-01-10T10:00:00', { zone: 'Europe/Berlin' }), 3).toISO()).toBe(endOf('2025-01-15'));
  });

  it('rejects a negative or fractional count and an invalid date', () => {
    expect(() => calendar.addWorkingDays('2025-01-10', -1)).toThrow(RangeError);
    expect(() => calendar.addWorkingDays('2025-01-10', 1.5)).toThrow(RangeError);
    expect(() => toJakarta('not a date')).toThrow(RangeError);
  });
});

describe('WorkingDayCalendar.isWorkingDay', () => {
  it.each([
    ['2025-03-28', false, 'cuti bersama Nyepi'],
    ['2025-03-31', false, 'Idul Fitri'],
    ['2025-04-07', false, 'cuti bersama Idul Fitri'],
    ['2025-04-08', true, 'first working day after Lebaran'],
    ['2025-08-18', false, 'cuti bersama HUT RI ke-80'],
    ['2025-01-11', false, 'Saturday'],
    ['2025-01-12', false, 'Sunday'],
    ['2026-01-01', false, 'Tahun Baru'],
    ['2026-01-02', true, 'Friday after Tahun Baru'],
    ['2024-11-27', false, 'Pilkada 2024'],
  ])('%s → %s (%s)', (date, expected) => {
    expect(calendar.isWorkingDay(date)).toBe(expected);
  });

  it('names the holiday and its kind', () => {
    expect(calendar.holidayOn('2025-04-02')).toEqual({ date: '2025-04-02', name: 'Cuti bersama Idul Fitri 1446 H', kind: 'cuti_bersama' });
    expect(calendar.holidayOn('2025-03-31')?.kind).toBe('holiday');
    expect(calendar.holidayOn('2025-01-13')).toBeUndefined();
  });

  it('uses the Jakarta date of an instant, not the UTC one', () => {
    expect(calendar.isWorkingDay('2025-03-30T18:00:00Z')).toBe(false); // 31 Mar 01:00 WIB, Idul Fitri
    expect(calendar.isWorkingDay('2025-04-07T17:30:00Z')).toBe(true); // 8 Apr 00:30 WIB
  });
});

describe('WorkingDayCalendar.workingDaysBetween', () => {
  it.each([
    ['2025-01-10T10:00:00+07:00', '2025-01-10T23:00:00+07:00', 0],
    ['2025-01-10T10:00:00+07:00', '2025-01-13T08:00:00+07:00', 1],
    ['2025-01-10T10:00:00+07:00', '2025-01-12T08:00:00+07:00', 0],
    ['2025-03-27', '2025-04-08', 1],
    ['2025-03-27', '2025-04-10', 3],
    ['2025-04-10', '2025-03-27', -3],
    ['2025-12-30', '2026-01-05', 3],
  ])('%s → %s = %i', (a, b, n) => {
    expect(calendar.workingDaysBetween(a, b)).toBe(n);
  });

  it('inverts addWorkingDays over the whole shipped range', () => {
    const end = DateTime.fromISO('2026-12-01', { zone: 'Asia/Jakarta' }); // n = 10 from later would reach 2027
    for (let d = DateTime.fromISO('2024-01-01T10:00', { zone: 'Asia/Jakarta' }); d < end; d = d.plus({ days: 1 })) {
      for (const n of [1, 3, 5, 10]) {
        expect(calendar.workingDaysBetween(d, calendar.addWorkingDays(d, n))).toBe(n);
      }
    }
    expect(calendar.warnings).toEqual([]);
  });
});

describe('per-regency override file', () => {
  const override = parseHolidayOverride({
    region: 'Kabupaten Contoh',
    source: 'Keputusan Bupati Contoh (test fixture)',
    add: [{ date: '2025-01-14', name: 'Hari Jadi Kabupaten Contoh' }],
    remove: ['2025-01-28'],
  });
  const regional = new WorkingDayCalendar({ data, overrides: [override] });

  it('adds a regional holiday (kind defaults to regional)', () => {
    expect(regional.isWorkingDay('2025-01-14')).toBe(false);
    expect(regional.holidayOn('2025-01-14')?.kind).toBe('regional');
    expect(calendar.isWorkingDay('2025-01-14')).toBe(true);
    expect(deadline('2025-01-10T10:00:00+07:00', 3, regional)).toBe(endOf('2025-01-16'));
  });

  it('removes a national day off', () => {
    expect(regional.isWorkingDay('2025-01-28')).toBe(true);
    expect(calendar.isWorkingDay('2025-01-28')).toBe(false);
    // 27 Jan Isra Mikraj, 28 Jan now worked, 29 Jan Imlek
    expect(deadline('2025-01-24T10:00:00+07:00', 3, regional)).toBe(endOf('2025-01-31'));
    expect(deadline('2025-01-24T10:00:00+07:00', 3)).toBe(endOf('2025-02-03'));
  });

  it('loads from a file and warns when a removal matches no day off', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sla-override-'));
    const file = path.join(dir, 'holidays-contoh.json');
    fs.writeFileSync(file, JSON.stringify({ add: [{ date: '2026-03-25', name: 'Hari Jadi Kota Contoh', kind: 'regional' }], remove: ['2026-03-26'] }));
    expect(loadHolidayOverride(file).add).toHaveLength(1);
    const warnings: string[] = [];
    const cal = await loadWorkingDayCalendar({ overrideFiles: [file], fallback: 'none', onWarning: (w) => warnings.push(w) });
    // 19 Mar 2026: Nyepi; 20–24 Mar Idul Fitri + cuti bersama; 25 Mar regional; 26 Mar removal matched nothing
    expect(cal.addWorkingDays('2026-03-18T08:00:00+07:00', 1).toISODate()).toBe('2026-03-26');
    expect(warnings).toEqual([expect.stringContaining('removes 2026-03-26, which is not a day off')]);
    expect(cal.warnings).toEqual(warnings);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a malformed override', () => {
    expect(() => parseHolidayOverride({ add: [{ date: '2025-02-30', name: 'x' }] })).toThrow(/not a real calendar date/);
    expect(() => parseHolidayOverride({ remove: ['14-01-2025'] })).toThrow(/YYYY-MM-DD/);
  });
});

describe('years missing from the calendar file', () => {
  it('warns and counts only weekends when no fallback knows the year', () => {
    const cal = new WorkingDayCalendar({ data });
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // Tahun Baru 2027 is unknown without a fallback
    expect(cal.warnings).toHaveLength(1);
    expect(cal.warnings[0]).toMatch(/2027 is not in the calendar file and no fallback knows it/);
    cal.isWorkingDay('2027-05-03');
    expect(cal.warnings).toHaveLength(1); // once per year
  });

  it('uses the fallback for that year, with a warning, and never for covered years', () => {
    const asked: number[] = [];
    const fallback: HolidayFallback = {
      name: 'fake-holidays',
      holidaysFor(year) {
        asked.push(year);
        return year === 2027 ? [{ date: '2027-01-01', name: 'Tahun Baru 2027', kind: 'holiday' }] : undefined;
      },
    };
    const seen: string[] = [];
    const cal = new WorkingDayCalendar({ data, fallback, onWarning: (w) => seen.push(w) });
    expect(cal.isWorkingDay('2025-12-31')).toBe(true);
    // Thu 31 Dec 2026 → Fri 1 Jan 2027 (fallback holiday) → Mon 4 Jan
    expect(cal.addWorkingDays('2026-12-31T09:00:00+07:00', 1).toISODate()).toBe('2027-01-04');
    expect(asked).toEqual([2027]);
    expect(seen).toEqual([expect.stringMatching(/2027 is not in the calendar file; using fake-holidays .*no cuti bersama/)]);
    expect(cal.coveredYears).toEqual([2024, 2025, 2026]);
  });
});
