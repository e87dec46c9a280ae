import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { dateHolidaysFallback, loadDateHolidaysFallback, loadHolidayFile, parseHolidayFile, type DateHolidaysLike } from '../../src/sla/holidays.js';

describe('shipped config/calendar/holidays-ID.json', () => {
  const file = loadHolidayFile();

  it('names its decrees and when it was updated', () => {
    expect(file.source).toMatch(/Menteri Agama.*Menteri Ketenagakerjaan.*Menteri Pendayagunaan Aparatur Negara/);
    for (const n of ['855 Tahun 2023', '1017 Tahun 2024', '1497 Tahun 2025']) expect(file.source).toContain(n);
    expect(file.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it.each([
    // year, national holidays (incl. election days), cuti bersama
    ['2024', 19, 10],
    ['2025', 17, 11],
    ['2026', 17, 8],
  ])('%s: %i holidays, %i cuti bersama, sorted and unique', (year, holidays, cuti) => {
    const entries = file.years[year] ?? [];
    expect(entries.filter((e) => e.kind === 'holiday')).toHaveLength(holidays);
    expect(entries.filter((e) => e.kind === 'cuti_bersama')).toHaveLength(cuti);
    const dates = entries.map((e) => e.date);
    expect(new Set(dates).size).toBe(dates.length);
    expect([...dates].sort()).toEqual(dates);
  });

  it('has every cuti bersama on a weekday', () => {
    for (const entries of Object.values(file.years)) {
      for (const e of entries.filter((x) => x.kind === 'cuti_bersama')) {
        expect([e.date, DateTime.fromISO(e.date).weekday <= 5]).toEqual([e.date, true]);
      }
    }
  });

  it('rejects a date filed under the wrong year', () => {
    expect(() => parseHolidayFile({ source: 's', updated: '2025-01-01', years: { '2025': [{ date: '2024-12-25', name: 'Natal', kind: 'holiday' }] } })).toThrow(
      /filed under year 2025/,
    );
  });
});

describe('date-holidays fallback adapter', () => {
  class FakeHolidays implements DateHolidaysLike {
    constructor(readonly country: string) {}
    getHolidays(year: number) {
      if (year !== 2027) return [];
      return [
        { date: '2027-01-01 00:00:00', name: 'Hari tahun baru', type: 'public' },
        { date: '2027-03-09 00:00:00 -0600', name: 'Hari Raya Idul Fitri', type: 'public' },
        { date: '2027-03-09 00:00:00 -0600', name: 'Hari Raya Idul Fitri', type: 'public' },
        { date: '2027-04-21 00:00:00', name: 'Hari Kartini', type: 'observance' },
      ];
    }
  }

  it('keeps public holidays by local date, once each, and knows nothing of other years', () => {
    const fb = dateHolidaysFallback(FakeHolidays);
    expect(fb.holidaysFor(2027)).toEqual([
      { date: '2027-01-01', name: 'Hari tahun baru', kind: 'holiday' },
      { date: '2027-03-09', name: 'Hari Raya Idul Fitri', kind: 'holiday' },
    ]);
    expect(fb.holidaysFor(2030)).toBeUndefined();
  });

  it('loading the real package never throws (undefined when it is not installed)', async () => {
    const fb = await loadDateHolidaysFallback();
    if (fb) expect(fb.name).toBe('date-holidays');
    else expect(fb).toBeUndefined();
  });
});
