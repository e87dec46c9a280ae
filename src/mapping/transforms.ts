/**
 * Value transforms a mapping can chain on a field (`transforms: [trim, phone_e164]`).
 *
 * Each transform is a pure function of its input and options. A value it cannot convert raises a
 * TransformError; the field's `on_error` then decides whether the value is dropped (with a
 * warning), defaulted, or the whole record quarantined. Missing values (undefined, null, empty
 * string) never reach a transform.
 */
import { convert as htmlToText } from 'html-to-text';
import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
import phoneMetadata from 'libphonenumber-js/max/metadata';
import { DateTime } from 'luxon';

export interface TransformErrorDetails {
  /** The value the transform rejected: reported in the warning (unless personal) and hidden from personal fields' messages. */
  readonly value?: unknown;
  /** Set when a code table had no entry for the value (lookup, region_code): names the table. */
  readonly lookup?: string;
}

export class TransformError extends Error {
  readonly code = 'TRANSFORM_FAILED';
  readonly value?: unknown;
  readonly lookup?: string;
  constructor(message: string, details: TransformErrorDetails = {}) {
    super(message);
    if (details.value !== undefined) this.value = details.value;
    if (details.lookup !== undefined) this.lookup = details.lookup;
  }
}

export const DEFAULT_TIMEZONE = 'Asia/Jakarta';

/** Local formats seen in Indonesian systems, tried in order after ISO 8601. */
export const DEFAULT_DATETIME_FORMATS = [
  'yyyy-MM-dd HH:mm:ss',
  'yyyy-MM-dd HH:mm',
  'yyyy/MM/dd HH:mm:ss',
  'dd-MM-yyyy HH:mm:ss',
  'dd-MM-yyyy HH:mm',
  'dd/MM/yyyy HH:mm:ss',
  'dd/MM/yyyy HH:mm',
  'yyyy-MM-dd',
  'dd-MM-yyyy',
  'dd/MM/yyyy',
] as const;

const MIN_YEAR = 1990;
const MAX_YEAR = 2100;

function asText(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TransformError(`${name}: expected text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

export function trim(value: unknown): string {
  return asText(value, 'trim').trim();
}

export function stripHtml(value: unknown): string {
  const text = asText(value, 'strip_html');
  if (!/[<&]/.test(text)) return text;
  return htmlToText(text, {
    wordwrap: false,
    preserveNewlines: true,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'h1', options: { uppercase: false } },
      { selector: 'h2', options: { uppercase: false } },
      { selector: 'h3', options: { uppercase: false } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  });
}

/** Collapses runs of spaces and tabs, trims each line, and keeps at most one blank line. */
export function collapseWhitespace(value: unknown): string {
  return asText(value, 'collapse_whitespace')
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+/gu, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const TRUE_WORDS = new Set(['1', 'true', 'ya', 'yes', 'y', 'iya', 't', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'tidak', 'no', 'n', 'f', 'off', 'bukan']);

export function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (TRUE_WORDS.has(v)) return true;
    if (FALSE_WORDS.has(v)) return false;
  }
  throw new TransformError(`to_bool: cannot read ${JSON.stringify(value)} as yes/no`);
}

export interface DateTimeOptions {
  readonly timezone?: string;
  readonly formats?: readonly string[];
}

function parseDateTimeValue(value: unknown, options: DateTimeOptions, name: string): DateTime {
  const zone = options.timezone ?? DEFAULT_TIMEZONE;
  let dt: DateTime | undefined;
  if (value instanceof Date) dt = DateTime.fromJSDate(value, { zone });
  else if (typeof value === 'number') dt = DateTime.fromMillis(value > 1e11 ? value : value * 1000, { zone });
  else {
    const text = asText(value, name).trim();
    if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
      // ISO with an offset keeps it; without one, it is local time in the source's zone
      dt = DateTime.fromISO(text, { zone, setZone: true });
    } else {
      for (const format of options.formats ?? DEFAULT_DATETIME_FORMATS) {
        const candidate = DateTime.fromFormat(text, format, { zone });
        if (candidate.isValid) {
          dt = candidate;
          break;
        }
      }
    }
  }
  if (!dt?.isValid) throw new TransformError(`${name}: cannot read ${JSON.stringify(value)} as a date`);
  if (dt.year < MIN_YEAR || dt.year > MAX_YEAR) throw new TransformError(`${name}: ${JSON.stringify(value)} is outside ${MIN_YEAR}–${MAX_YEAR}`);
  return dt;
}

/** Reads a date-time (ISO, local formats, epoch) as local time in `timezone`; ISO 8601 with offset out. */
export function parseDatetime(value: unknown, options: DateTimeOptions = {}): string {
  const dt = parseDateTimeValue(value, options, 'parse_datetime');
  return dt.toISO({ suppressMilliseconds: true }) as string;
}

/** Reads a date (or date-time) and keeps the calendar date in `timezone`: YYYY-MM-DD. */
export function parseDate(value: unknown, options: DateTimeOptions = {}): string {
  const dt = parseDateTimeValue(value, options, 'parse_date');
  // an ISO value with its own offset (or Z) is an instant: its calendar date is the one in `timezone`
  return dt.setZone(options.timezone ?? DEFAULT_TIMEZONE).toISODate() as string;
}

/**
 * Indonesian phone numbers to E.164: 0812…, 62812…, +62812…, 0062812…, with spaces, dashes,
 * dots or parentheses. A number that is not a valid number is an error, never a guess.
 */
export function phoneE164(value: unknown): string {
  let text = asText(value, 'phone_e164').trim().replace(/[\s().-]/g, '');
  if (text.startsWith('00')) text = `+${text.slice(2)}`;
  else if (/^62\d{8,13}$/.test(text)) text = `+${text}`;
  if (!/^\+?\d+$/.test(text)) throw new TransformError(`phone_e164: ${maskPhone(text)} is not a phone number`);
  const parsed = parsePhoneNumberFromString(text, 'ID', phoneMetadata);
  if (!parsed?.isValid()) throw new TransformError(`phone_e164: ${maskPhone(text)} is not a valid phone number`);
  return parsed.number;
}

/** Shows only the last three digits: error messages must not carry personal data. */
function maskPhone(text: string): string {
  return text.length <= 3 ? '***' : `${'*'.repeat(Math.min(text.length - 3, 10))}${text.slice(-3)}`;
}

export function toNumber(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = asText(value, 'to_number').trim();
  // "-6,3089" (decimal comma) and "-6.3089" are both common
  const normalised = /^-?\d+,\d+$/.test(text) ? text.replace(',', '.') : text;
  // plain decimals only: "0x10" or "1e3" in a coordinate is a data error, not a number to guess
  const n = Number(normalised);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(normalised) || !Number.isFinite(n)) throw new TransformError(`to_number: ${JSON.stringify(value)} is not a number`);
  return n;
}

export function toText(value: unknown): string {
  return asText(value, 'to_string');
}

export function lower(value: unknown): string {
  return asText(value, 'lower').toLowerCase();
}

export function upper(value: unknown): string {
  return asText(value, 'upper').toUpperCase();
}

/** "JALAN rusak di kec. labuan" → "Jalan Rusak Di Kec. Labuan": every word starts upper case, the rest lower. */
export function titleCase(value: unknown): string {
  return asText(value, 'title_case')
    .toLowerCase()
    .replace(/(^|[^\p{L}\p{M}\p{N}'’])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

/** Invisible characters that carry no meaning in a complaint (ZWJ and ZWNJ stay: emoji and scripts need them). */
const INVISIBLE = /[\u200B\u2060\uFEFF\u180E]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NL_TAB = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/**
 * Unicode NFC; line endings (CRLF, CR, U+2028/2029) become \n; control characters other than \n
 * and \t, and zero-width spaces, word joiners and byte-order marks, are removed.
 */
export function normalizeText(value: unknown): string {
  return asText(value, 'normalize_text')
    .normalize('NFC')
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(CONTROL_EXCEPT_NL_TAB, '')
    .replace(INVISIBLE, '');
}

/** The longest input `regex_replace` searches: a bound on the cost of any pattern. */
export const REGEX_INPUT_MAX = 20_000;
/** The longest pattern a mapping may give. */
export const REGEX_PATTERN_MAX = 500;

/**
 * Why a pattern is refused, or undefined when it is acceptable. Refused: backreferences, and a
 * repeated group that itself contains an unbounded repetition (`(a+)+`, `(\s*x)*`, `(a*){2,9}`) —
 * the shapes that backtrack exponentially. The pattern must already compile.
 */
export function unsafePatternReason(pattern: string): string | undefined {
  if (pattern.length > REGEX_PATTERN_MAX) return `longer than ${REGEX_PATTERN_MAX} characters`;
  // one frame per open group: does its body repeat something without bound?
  const frames: { unbounded: boolean }[] = [{ unbounded: false }];
  /** What the next quantifier applies to: a group whose body repeats without bound, or not. */
  let lastAtomUnbounded = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    const top = frames[frames.length - 1] as { unbounded: boolean };
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return 'backreferences are not allowed';
      i++;
      lastAtomUnbounded = false;
      continue;
    }
    if (ch === '[') {
      // skip the class; escapes inside it are skipped too
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      lastAtomUnbounded = false;
      continue;
    }
    if (ch === '(') {
      frames.push({ unbounded: false });
      // (?:  (?=  (?!  (?<=  (?<!  (?<name>  — the group's kind, not a quantifier
      const kind = /^\(\?(?::|=|!|<=|<!|<[^>]*>)/.exec(pattern.slice(i));
      if (kind) i += kind[0].length - 1;
      lastAtomUnbounded = false;
      continue;
    }
    if (ch === ')') {
      const closed = frames.length > 1 ? frames.pop() : undefined;
      lastAtomUnbounded = closed?.unbounded ?? false;
      if (closed?.unbounded) (frames[frames.length - 1] as { unbounded: boolean }).unbounded = true;
      continue;
    }
    const quantifier = /^(?:[*+?]|\{(\d+)(,(\d*))?\})/.exec(pattern.slice(i));
    if (quantifier) {
      const [text, , comma, upper] = quantifier;
      const unbounded = text === '*' || text === '+' || (comma !== undefined && upper === '');
      const repeats = text !== '?' && !(comma === undefined && text.startsWith('{') && Number(quantifier[1]) <= 1) && !(upper !== undefined && upper !== '' && Number(upper) <= 1);
      if (lastAtomUnbounded && repeats) return 'a repeated group repeats something without bound inside it (nested quantifiers backtrack exponentially)';
      if (unbounded) top.unbounded = true;
      i += text.length - 1;
      if (pattern[i + 1] === '?') i++; // lazy
      lastAtomUnbounded = false;
      continue;
    }
    lastAtomUnbounded = false;
  }
  return undefined;
}

export interface RegexReplaceOptions {
  readonly pattern: string;
  readonly replacement?: string;
  /** Any of g, i, m, s (default "g"); u is always on. */
  readonly flags?: string;
}

/** Compiles the pattern once; the returned transform replaces matches in text up to REGEX_INPUT_MAX characters. */
export function regexReplace(options: RegexReplaceOptions): (value: unknown) => string {
  const flags = `${options.flags ?? 'g'}u`;
  const re = new RegExp(options.pattern, flags);
  const replacement = options.replacement ?? '';
  return (value) => {
    const text = asText(value, 'regex_replace');
    if (text.length > REGEX_INPUT_MAX) throw new TransformError(`regex_replace: the value is longer than ${REGEX_INPUT_MAX} characters; not searched`);
    re.lastIndex = 0;
    return text.replace(re, replacement);
  };
}

/** Text → list, on a literal separator; parts are trimmed and empty parts left out. */
export function splitText(value: unknown, separator: string): string[] {
  return asText(value, 'split')
    .split(separator)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** List → text; text passes as a one-item list; empty items are left out. */
export function joinList(value: unknown, separator: string): string {
  const items = Array.isArray(value) ? value : [value];
  return items
    .map((item) => {
      if (item === null || item === undefined) return '';
      if (typeof item === 'object') throw new TransformError(`join: expected a list of text, got ${Array.isArray(item) ? 'a nested list' : 'an object'}`);
      return String(item).trim();
    })
    .filter((p) => p !== '')
    .join(separator);
}

/** A 16-digit NIK (spaces and dots allowed in the input). */
export function nik(value: unknown): string {
  const digits = asText(value, 'nik').replace(/[\s.]/g, '');
  if (!/^\d{16}$/.test(digits)) throw new TransformError(`nik: must be 16 digits, got ${digits.replace(/\d/g, '').length === 0 ? `${digits.length} digits` : 'other characters'}`);
  return digits;
}

export function email(value: unknown): string {
  const text = asText(value, 'email').trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) throw new TransformError('email: not an e-mail address');
  return text;
}

/**
 * A list of URLs (array, or one string with commas/newlines) → canonical attachments. Each URL is
 * normalised as a client sends it (spaces percent-encoded); the file name is its last segment, decoded.
 */
export function attachmentUrls(value: unknown): { url: string; filename?: string }[] {
  const items = Array.isArray(value) ? value : asText(value, 'attachment_urls').split(/[\n,]/);
  const out: { url: string; filename?: string }[] = [];
  for (const item of items) {
    const url = typeof item === 'string' ? item.trim() : typeof item === 'object' && item && 'url' in item ? String((item as { url: unknown }).url).trim() : '';
    if (!url) continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TransformError(`attachment_urls: ${JSON.stringify(url)} is not a URL`, { value: url });
    }
    const segment = parsed.pathname.split('/').pop() ?? '';
    let filename: string | undefined;
    try {
      filename = decodeURIComponent(segment) || undefined;
    } catch {
      // a valid URL with a malformed %-escape in its name keeps the name as written
      filename = segment || undefined;
    }
    // the URL as a client sends it: "foto jalan.jpg" becomes "foto%20jalan.jpg"
    out.push(filename ? { url: parsed.href, filename } : { url: parsed.href });
  }
  return out;
}

/** Simple transforms that take no options, by the name a mapping uses. */
export const simpleTransforms: Record<string, (value: unknown) => unknown> = {
  trim,
  strip_html: stripHtml,
  collapse_whitespace: collapseWhitespace,
  to_bool: toBool,
  parse_datetime: (v) => parseDatetime(v),
  parse_date: (v) => parseDate(v),
  phone_e164: phoneE164,
  to_number: toNumber,
  to_string: toText,
  lower,
  upper,
  title_case: titleCase,
  normalize_text: normalizeText,
  nik,
  email,
  attachment_urls: attachmentUrls,
};

export const simpleTransformNames = Object.keys(simpleTransforms) as [string, ...string[]];
