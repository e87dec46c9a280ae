/**
 * Watermark times as the database writes them. The cursor keeps a timestamp in the database's own
 * text (or number) so that passing it back compares exactly — microseconds included — and ties
 * on one timestamp resume at the right row. Only to subtract the lookback or to cap at the run
 * start is the text read as an instant, and then written back in the same shape (separator,
 * fraction digits, offset), so that even a plain-text SQLite column still sorts it correctly.
 */
import { DateTime, FixedOffsetZone } from 'luxon';

export type DbTime = string | number;

export interface TimeShape {
  readonly kind: 'text' | 'epoch_s' | 'epoch_ms';
  /**
   * An epoch given as a string of digits (PostgreSQL bigint/numeric, MySQL BIGINT/DECIMAL):
   * written back as a string, with `fractionDigits` decimals, so the database compares it the same way.
   */
  readonly digits?: boolean;
  readonly separator: 'T' | ' ';
  readonly hasTime: boolean;
  readonly hasSeconds: boolean;
  readonly fractionDigits: number;
  /** How the offset is written: none (a local time in the configured zone), Z, +07, +0700, +07:00. */
  readonly offsetStyle: 'none' | 'Z' | 'hh' | 'hhmm' | 'hh:mm';
  readonly offsetMinutes: number;
}

export interface ParsedDbTime {
  /** The instant, to the millisecond. */
  readonly ms: number;
  /** Digits below the millisecond ("456" of .123456), so equal milliseconds still order. */
  readonly subMs: string;
  readonly shape: TimeShape;
}

/** Epoch seconds below this, milliseconds from it on (1e11 s is the year 5138; 1e11 ms is 1973). */
const EPOCH_MS_FROM = 1e11;

const DIGITS_RE = /^(-?)(\d+)(?:\.(\d+))?$/;
const TEXT_RE = /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function parseDbTime(value: unknown, timezone: string): ParsedDbTime | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const isMs = Math.abs(value) >= EPOCH_MS_FROM;
    const shape: TimeShape = { kind: isMs ? 'epoch_ms' : 'epoch_s', separator: 'T', hasTime: true, hasSeconds: true, fractionDigits: 0, offsetStyle: 'none', offsetMinutes: 0 };
    return { ms: Math.floor(isMs ? value : value * 1000), subMs: '', shape };
  }
  if (typeof value !== 'string') return undefined;
  const digits = DIGITS_RE.exec(value.trim());
  if (digits) return parseEpochDigits(digits);
  const m = TEXT_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, sep, h, mi, s, frac = '', off] = m;
  let offsetStyle: TimeShape['offsetStyle'] = 'none';
  let offsetMinutes = 0;
  if (off) {
    if (off.toUpperCase() === 'Z') offsetStyle = 'Z';
    else {
      const digits = off.slice(1).replace(':', '');
      offsetStyle = off.length === 3 ? 'hh' : off.includes(':') ? 'hh:mm' : 'hhmm';
      offsetMinutes = (off.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
    }
  }
  const zone = offsetStyle === 'none' ? timezone : FixedOffsetZone.instance(offsetMinutes);
  const dt = DateTime.fromObject(
    { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h ?? 0), minute: Number(mi ?? 0), second: Number(s ?? 0), millisecond: Number(frac.slice(0, 3).padEnd(3, '0')) },
    { zone },
  );
  if (!dt.isValid) return undefined;
  const shape: TimeShape = { kind: 'text', separator: (sep as 'T' | ' ' | undefined) ?? 'T', hasTime: h !== undefined, hasSeconds: s !== undefined, fractionDigits: frac.length, offsetStyle, offsetMinutes };
  return { ms: dt.toMillis(), subMs: frac.slice(3).replace(/0+$/, ''), shape };
}

/**
 * An epoch written as digits, read the way a number is (seconds below 1e11, milliseconds from
 * it on), exactly: the decimals are cut as text, never through a binary fraction.
 */
function parseEpochDigits([, sign, whole, frac = '']: RegExpExecArray): ParsedDbTime | undefined {
  const n = Number(whole);
  if (!Number.isSafeInteger(n)) return undefined;
  const isMs = n >= EPOCH_MS_FROM;
  const shape: TimeShape = { kind: isMs ? 'epoch_ms' : 'epoch_s', digits: true, separator: 'T', hasTime: true, hasSeconds: true, fractionDigits: frac.length, offsetStyle: 'none', offsetMinutes: 0 };
  // the milliseconds and what lies below them, of the absolute value
  const ms = isMs ? n : n * 1000 + Number(frac.slice(0, 3).padEnd(3, '0'));
  const below = (isMs ? frac : frac.slice(3)).replace(/0+$/, '');
  // before 1970 (hardly a complaint's time): to the millisecond below, nothing finer
  return sign === '-' ? { ms: below ? -ms - 1 : -ms, subMs: '', shape } : { ms, subMs: below, shape };
}

/** Writes an instant in `shape`, rounding down (a lower bound that is a little early is safe). */
export function formatDbTime(ms: number, shape: TimeShape, timezone: string): DbTime {
  if (shape.kind === 'epoch_ms' || shape.kind === 'epoch_s') {
    const value = shape.kind === 'epoch_ms' ? Math.floor(ms) : Math.floor(ms / 1000);
    if (!shape.digits) return value;
    if (shape.fractionDigits === 0 || value < 0) return String(value);
    // decimals of epoch seconds, from the milliseconds (epoch milliseconds keep whole ones)
    const rest = shape.kind === 'epoch_s' ? String(Math.floor(ms) - value * 1000).padStart(3, '0') : '';
    return `${value}.${rest.padEnd(shape.fractionDigits, '0').slice(0, shape.fractionDigits)}`;
  }
  const zone = shape.offsetStyle === 'none' ? timezone : FixedOffsetZone.instance(shape.offsetMinutes);
  const dt = DateTime.fromMillis(ms, { zone });
  let text = dt.toFormat('yyyy-MM-dd');
  if (!shape.hasTime) return text;
  text += shape.separator + dt.toFormat('HH:mm');
  if (shape.hasSeconds) text += dt.toFormat(':ss');
  if (shape.fractionDigits > 0) text += `.${dt.toFormat('SSS').padEnd(shape.fractionDigits, '0').slice(0, shape.fractionDigits)}`;
  switch (shape.offsetStyle) {
    case 'Z':
      return `${text}Z`;
    case 'hh':
      return text + dt.toFormat('ZZ').slice(0, 3);
    case 'hhmm':
      return text + dt.toFormat('ZZZ');
    case 'hh:mm':
      return text + dt.toFormat('ZZ');
    default:
      return text;
  }
}

/** Orders two database times: by instant, then by the digits below the millisecond. */
export function compareDbTime(a: ParsedDbTime, b: ParsedDbTime): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  const len = Math.max(a.subMs.length, b.subMs.length);
  const x = a.subMs.padEnd(len, '0');
  const y = b.subMs.padEnd(len, '0');
  return x === y ? 0 : x < y ? -1 : 1;
}

/** ISO 8601 with offset (a local time gets the configured zone's), for the record's `raw`. */
export function dbTimeToIso(value: unknown, timezone: string): string | undefined {
  const t = parseDbTime(value, timezone);
  if (!t || t.shape.kind !== 'text' || !t.shape.hasTime) return undefined;
  const zone = t.shape.offsetStyle === 'none' ? timezone : FixedOffsetZone.instance(t.shape.offsetMinutes);
  return DateTime.fromMillis(t.ms, { zone }).toISO({ suppressMilliseconds: true }) ?? undefined;
}
