/**
 * The holiday calendar file (`config/calendar/holidays-ID.json`), the per-regency override file,
 * and the optional `date-holidays` fallback for years the file does not cover.
 *
 * Parsing is pure (`parseHolidayFile`, `parseHolidayOverride`); the loaders only add file reading.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DateTime, FixedOffsetZone } from 'luxon';
import { z } from 'zod';

/**
 * Western Indonesia Time (WIB, Asia/Jakarta) as a fixed UTC+07:00 zone: Jakarta has kept +07:00
 * without daylight saving since 1964, so this gives the same local times as the IANA zone for every
 * date the bridge handles, and it avoids an Intl time-zone lookup in every date operation (the SLA
 * of tens of thousands of complaints is computed at each /metrics scrape).
 */
export const JAKARTA_ZONE = FixedOffsetZone.instance(7 * 60);

/** The shipped national calendar: the same path from src/sla (tsx, jest) and dist/sla. */
export const SHIPPED_HOLIDAYS_FILE = fileURLToPath(new URL('../../config/calendar/holidays-ID.json', import.meta.url));

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((s) => DateTime.fromISO(s, { zone: JAKARTA_ZONE }).isValid, 'not a real calendar date');

export const holidayKindSchema = z
  .enum(['holiday', 'cuti_bersama', 'regional'])
  .describe('holiday = hari libur nasional; cuti_bersama = cuti bersama; regional = a regency/province holiday from an override file');

export const holidayEntrySchema = z.object({
  date: isoDate.describe('The day off, YYYY-MM-DD (Asia/Jakarta)'),
  name: z.string().min(1).describe('What the day is, as the decree names it'),
  kind: holidayKindSchema,
});

export const holidayFileSchema = z
  .object({
    source: z.string().min(1).describe('The decrees the dates come from'),
    updated: isoDate.describe('When the file was last checked against the decrees'),
    years: z.record(z.string().regex(/^\d{4}$/), z.array(holidayEntrySchema)).describe('Days off by year; a year listed here is complete'),
  })
  .superRefine((file, ctx) => {
    for (const [year, entries] of Object.entries(file.years)) {
      entries.forEach((e, i) => {
        if (!e.date.startsWith(`${year}-`)) {
          ctx.addIssue({ code: 'custom', path: ['years', year, i, 'date'], message: `${e.date} is filed under year ${year}` });
        }
      });
    }
  });

export const holidayOverrideSchema = z.object({
  region: z.string().optional().describe('Which regency/city this override is for, e.g. "Kabupaten Serang"'),
  source: z.string().optional().describe('The regional decree the changes come from'),
  updated: isoDate.optional(),
  add: z
    .array(holidayEntrySchema.extend({ kind: holidayKindSchema.default('regional') }))
    .default([])
    .describe('Extra days off (e.g. a regional anniversary or a local election day)'),
  remove: z.array(isoDate).default([]).describe('Dates from the national file that are working days in this regency'),
});

export type HolidayKind = z.infer<typeof holidayKindSchema>;
export type HolidayEntry = z.infer<typeof holidayEntrySchema>;
export type HolidayFile = z.infer<typeof holidayFileSchema>;
export type HolidayOverride = z.output<typeof holidayOverrideSchema>;

/** Days off for a year the file does not cover; `undefined` when it knows nothing about that year either. */
export interface HolidayFallback {
  readonly name: string;
  holidaysFor(year: number): readonly HolidayEntry[] | undefined;
}

export class HolidayDataError extends Error {
  override name = 'HolidayDataError';
}

function describeIssues(where: string, error: z.ZodError): string {
  return `${where}: ${error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
}

export function parseHolidayFile(json: unknown, where = 'holiday file'): HolidayFile {
  const parsed = holidayFileSchema.safeParse(json);
  if (!parsed.success) throw new HolidayDataError(describeIssues(where, parsed.error));
  return parsed.data;
}

export function parseHolidayOverride(json: unknown, where = 'holiday override'): HolidayOverride {
  const parsed = holidayOverrideSchema.safeParse(json);
  if (!parsed.success) throw new HolidayDataError(describeIssues(where, parsed.error));
  return parsed.data;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new HolidayDataError(`${file}: not found or unreadable`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new HolidayDataError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

export function loadHolidayFile(file: string = SHIPPED_HOLIDAYS_FILE): HolidayFile {
  return parseHolidayFile(readJson(file), file);
}

export function loadHolidayOverride(file: string): HolidayOverride {
  return parseHolidayOverride(readJson(file), file);
}

/** The slice of the `date-holidays` API the fallback uses. */
export interface DateHolidaysLike {
  getHolidays(year: number): ReadonlyArray<{ date: string; name: string; type: string }> | false | undefined;
}
export type DateHolidaysCtor = new (country: string) => DateHolidaysLike;

/**
 * Adapts a `date-holidays` constructor: public holidays of Indonesia only. It knows no cuti bersama
 * and its Islamic dates are computed, not decreed, so the calendar warns whenever it is used.
 */
export function dateHolidaysFallback(Holidays: DateHolidaysCtor): HolidayFallback {
  const hd = new Holidays('ID');
  return {
    name: 'date-holidays',
    holidaysFor(year) {
      const list = hd.getHolidays(year);
      if (!list || list.length === 0) return undefined;
      const seen = new Set<string>();
      const out: HolidayEntry[] = [];
      for (const h of list) {
        if (h.type !== 'public') continue;
        const date = h.date.slice(0, 10); // "YYYY-MM-DD hh:mm:ss [offset]": the local date is what counts
        if (!date.startsWith(`${year}-`) || seen.has(date)) continue;
        seen.add(date);
        out.push({ date, name: h.name, kind: 'holiday' });
      }
      return out;
    },
  };
}

/**
 * Loads `date-holidays` if it is installed (it is optional: the project does not depend on it).
 * Its data ships inside the package, so it works offline. Returns undefined when it is absent.
 */
export async function loadDateHolidaysFallback(): Promise<HolidayFallback | undefined> {
  const specifier = 'date-holidays'; // a variable, so TypeScript does not require the package to be installed
  try {
    const mod = (await import(specifier)) as { default?: DateHolidaysCtor };
    const ctor = mod.default ?? (mod as unknown as DateHolidaysCtor);
    return typeof ctor === 'function' ? dateHolidaysFallback(ctor) : undefined;
  } catch {
    return undefined;
  }
}
