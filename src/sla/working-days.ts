/**
 * Working days in Asia/Jakarta: Monday to Friday, minus national holidays and cuti bersama from the
 * calendar file, with an optional per-regency override merged in (additions and removals).
 *
 * The class is pure and injectable: the calendar data, overrides and fallback are passed in and
 * nothing reads the clock. `loadWorkingDayCalendar` is the one convenience that reads the files.
 */
import { DateTime } from 'luxon';
import {
  JAKARTA_ZONE,
  SHIPPED_HOLIDAYS_FILE,
  loadDateHolidaysFallback,
  loadHolidayFile,
  loadHolidayOverride,
  type HolidayEntry,
  type HolidayFallback,
  type HolidayFile,
  type HolidayOverride,
} from './holidays.js';

/** A point in time: a Date, a luxon DateTime, or a string (ISO 8601, SQL "YYYY-MM-DD hh:mm:ss", or a bare date). */
export type DateInput = Date | DateTime | string;

/** Interprets any DateInput in Asia/Jakarta. Strings without an offset are Jakarta local time. */
export function toJakarta(input: DateInput): DateTime {
  let dt: DateTime;
  if (input instanceof Date) dt = DateTime.fromJSDate(input, { zone: JAKARTA_ZONE });
  else if (typeof input === 'string') {
    dt = DateTime.fromISO(input, { zone: JAKARTA_ZONE });
    if (!dt.isValid) dt = DateTime.fromSQL(input, { zone: JAKARTA_ZONE });
  } else dt = input.setZone(JAKARTA_ZONE);
  if (!dt.isValid) throw new RangeError(`not a valid date/time: ${String(input instanceof Date ? input.toString() : input)}`);
  return dt;
}

export interface WorkingDayCalendarOptions {
  /** The national file (holidays-ID.json, parsed). */
  readonly data: HolidayFile;
  /** Per-regency overrides, applied in order after the national data. */
  readonly overrides?: readonly HolidayOverride[];
  /** Used for years the file does not list (e.g. `date-holidays`); without it such years are weekends only. */
  readonly fallback?: HolidayFallback;
  /** Called once for each new warning (e.g. to log it); they are also kept in `warnings`. */
  readonly onWarning?: (message: string) => void;
}

const MAX_SCAN_DAYS = 366 * 10;

export class WorkingDayCalendar {
  private readonly data: HolidayFile;
  private readonly overrides: readonly HolidayOverride[];
  private readonly fallback: HolidayFallback | undefined;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly tables = new Map<number, ReadonlyMap<string, HolidayEntry>>();
  private readonly indexes = new Map<number, { flags: Uint8Array; cumulative: Int32Array }>();
  private readonly warningList: string[] = [];

  constructor(options: WorkingDayCalendarOptions) {
    this.data = options.data;
    this.overrides = options.overrides ?? [];
    this.fallback = options.fallback;
    this.onWarning = options.onWarning;
  }

  /** Warnings so far (years not in the file, override removals that matched nothing), each once. */
  get warnings(): readonly string[] {
    return this.warningList;
  }

  /** Years the calendar file covers. */
  get coveredYears(): readonly number[] {
    return Object.keys(this.data.years)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The holiday or cuti bersama on this date (Jakarta), if any — weekends are not listed. */
  holidayOn(date: DateInput): HolidayEntry | undefined {
    const d = toJakarta(date);
    return this.tableFor(d.year).get(d.toISODate() ?? '');
  }

  isWorkingDay(date: DateInput): boolean {
    const d = toJakarta(date);
    if (d.weekday > 5) return false;
    return !this.tableFor(d.year).has(d.toISODate() ?? '');
  }

  /**
   * Deadline semantics: the end (23:59:59.999 WIB) of the n-th working day after the start's date.
   * The start day itself never counts, whatever the hour. n = 0 gives the end of the start day if it
   * is a working day, else of the next working day.
   */
  addWorkingDays(start: DateInput, n: number): DateTime {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
    const from = toJakarta(start);
    let year = from.year;
    let ordinal = from.ordinal;
    let counted = 0;
    // n = 0: the start day itself if it is a working day, else the next one
    if (n === 0 && this.workingFlags(year)[ordinal] === 1) return dayEnd(year, ordinal);
    for (let scanned = 0; ; ) {
      const flags = this.workingFlags(year);
      while (++ordinal < flags.length) {
        if (flags[ordinal] === 1 && ++counted >= Math.max(n, 1)) return dayEnd(year, ordinal);
        if (++scanned > MAX_SCAN_DAYS) throw new RangeError('no working day found within ten years');
      }
      year++;
      ordinal = 0;
    }
  }

  /**
   * Working days after a's date up to and including b's date (negative when b is before a), so that
   * `workingDaysBetween(s, addWorkingDays(s, n)) === n`. Times of day are ignored.
   */
  workingDaysBetween(a: DateInput, b: DateInput): number {
    const da = toJakarta(a);
    const db = toJakarta(b);
    const [from, to, sign] = da.year < db.year || (da.year === db.year && da.ordinal <= db.ordinal) ? [da, db, 1] : [db, da, -1];
    let count = this.cumulative(to.year)[to.ordinal] as number;
    for (let y = from.year; y < to.year; y++) count += this.yearTotal(y);
    count -= this.cumulative(from.year)[from.ordinal] as number;
    return sign * count;
  }

  /** 1 at each ordinal day (1-based) of `year` that is a working day; index 0 unused. */
  private workingFlags(year: number): Uint8Array {
    return this.yearIndex(year).flags;
  }

  /** Working days among ordinal days 1..k of `year`, at index k. */
  private cumulative(year: number): Int32Array {
    return this.yearIndex(year).cumulative;
  }

  private yearTotal(year: number): number {
    const c = this.cumulative(year);
    return c[c.length - 1] as number;
  }

  /** Built once per year from the holiday table: counting is then array lookups, not date arithmetic. */
  private yearIndex(year: number): { flags: Uint8Array; cumulative: Int32Array } {
    const cached = this.indexes.get(year);
    if (cached) return cached;
    const table = this.tableFor(year);
    const days = DateTime.fromObject({ year }, { zone: JAKARTA_ZONE }).daysInYear;
    const flags = new Uint8Array(days + 1);
    const cumulative = new Int32Array(days + 1);
    let weekday = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: JAKARTA_ZONE }).weekday; // 1 = Monday
    let date = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: JAKARTA_ZONE });
    for (let k = 1; k <= days; k++) {
      const working = weekday <= 5 && !table.has(date.toISODate() ?? '');
      flags[k] = working ? 1 : 0;
      cumulative[k] = (cumulative[k - 1] as number) + (working ? 1 : 0);
      weekday = weekday === 7 ? 1 : weekday + 1;
      date = date.plus({ days: 1 });
    }
    const index = { flags, cumulative };
    this.indexes.set(year, index);
    return index;
  }

  private warn(message: string): void {
    if (this.warningList.includes(message)) return;
    this.warningList.push(message);
    this.onWarning?.(message);
  }

  private tableFor(year: number): ReadonlyMap<string, HolidayEntry> {
    const cached = this.tables.get(year);
    if (cached) return cached;

    const table = new Map<string, HolidayEntry>();
    const fromFile = this.data.years[String(year)];
    if (fromFile) {
      for (const e of fromFile) table.set(e.date, e);
    } else {
      const fromFallback = this.fallback?.holidaysFor(year);
      if (fromFallback) {
        for (const e of fromFallback) table.set(e.date, e);
        this.warn(
          `holiday calendar: ${year} is not in the calendar file; using ${this.fallback?.name ?? 'fallback'} (national holidays only, computed dates, no cuti bersama) — add ${year} from the SKB to config/calendar/holidays-ID.json`,
        );
      } else {
        this.warn(
          `holiday calendar: ${year} is not in the calendar file and no fallback knows it; counting only weekends as days off — add ${year} from the SKB to config/calendar/holidays-ID.json`,
        );
      }
    }

    for (const o of this.overrides) {
      const label = o.region ? `override for ${o.region}` : 'override';
      for (const date of o.remove) {
        if (!date.startsWith(`${year}-`)) continue;
        if (!table.delete(date)) this.warn(`holiday calendar: ${label} removes ${date}, which is not a day off`);
      }
      for (const e of o.add) {
        if (e.date.startsWith(`${year}-`)) table.set(e.date, e);
      }
    }

    this.tables.set(year, table);
    return table;
  }
}

export interface LoadCalendarOptions {
  /** The national file; the shipped `config/calendar/holidays-ID.json` by default. */
  readonly calendarFile?: string;
  /** Per-regency override files (`{ region?, source?, add: [...], remove: [...] }`), applied in order. */
  readonly overrideFiles?: readonly string[];
  /** 'date-holidays' (if installed; the default), 'none', or a fallback of your own. */
  readonly fallback?: 'date-holidays' | 'none' | HolidayFallback;
  readonly onWarning?: (message: string) => void;
}

/** Reads the calendar file and overrides and builds the calendar. */
export async function loadWorkingDayCalendar(options: LoadCalendarOptions = {}): Promise<WorkingDayCalendar> {
  const data = loadHolidayFile(options.calendarFile ?? SHIPPED_HOLIDAYS_FILE);
  const overrides = (options.overrideFiles ?? []).map((f) => loadHolidayOverride(f));
  const choice = options.fallback ?? 'date-holidays';
  const fallback = choice === 'none' ? undefined : choice === 'date-holidays' ? await loadDateHolidaysFallback() : choice;
  return new WorkingDayCalendar({ data, overrides, fallback, onWarning: options.onWarning });
}

function dayEnd(year: number, ordinal: number): DateTime {
  return DateTime.fromObject({ year, ordinal }, { zone: JAKARTA_ZONE }).endOf('day');
}
