/**
 * What a webhook body may hold: one complaint object, an array of them, or `{ records: [...] }`.
 * A request is accepted whole or refused whole: every record must be an object with a non-empty
 * id, and the sender is told which record (index) and which field is wrong. Everything past that
 * (title, dates, flags) is the mapping's business: a record that fails it is quarantined in the
 * ledger like one from any other source.
 */
import type { SourceRecord } from '../adapter.js';
import { getPath } from '../../mapping/compile-mapping.js';
import { jsonDepthExceeded, MAX_EXTERNAL_ID_CHARS, tooDeepMessage } from '../input-limits.js';

export interface FieldError {
  /** Position of the record in the request (0-based); null for the body as a whole. */
  readonly index: number | null;
  /** The field, as a dotted path inside the record (or `records`, `(body)`). */
  readonly field: string;
  readonly message: string;
}

export type BodyOutcome =
  | { readonly ok: true; readonly records: SourceRecord[] }
  | { readonly ok: false; readonly status: 400 | 413 | 422; readonly code: string; readonly message: string; readonly errors?: readonly FieldError[] };

export interface BodyRules {
  readonly idField: string;
  readonly maxRecords: number;
  /** Deepest nesting of objects and arrays accepted (checked on the raw text, before parsing). */
  readonly maxDepth: number;
}

/** Errors listed in one answer; a body with more says how many were left out. */
const MAX_ERRORS = 100;

/** Control characters (C0, DEL, C1) and the Unicode line and paragraph separators. */
const CONTROL_RE = /[\p{Cc}\u2028\u2029]/u;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseWebhookBody(raw: Buffer, rules: BodyRules): BodyOutcome {
  let body: unknown;
  const text = raw.toString('utf8');
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const deep = jsonDepthExceeded(text, rules.maxDepth);
  if (deep !== undefined) {
    // refused before JSON.parse: a hostile body never reaches a recursive parser, hash or mapping
    return { ok: false, status: 400, code: 'too_deep', message: `the body is ${tooDeepMessage(deep, rules.maxDepth)} (adapter.max_depth)` };
  }
  try {
    body = JSON.parse(bom ? text.slice(1) : text);
  } catch (err) {
    // only where: the parser's own message quotes a piece of the body (a reporter's name, say),
    // and this message is logged and sent back
    const at = jsonErrorPosition((err as Error).message, text.length - bom);
    return { ok: false, status: 400, code: 'invalid_json', message: `the body is not JSON${at === undefined ? '' : ` (at character ${at + bom})`}` };
  }

  let list: unknown[];
  let base = '';
  if (Array.isArray(body)) list = body;
  else if (isPlainObject(body) && 'records' in body) {
    if (!Array.isArray(body.records)) return invalid([{ index: null, field: 'records', message: 'must be a list of complaint objects' }]);
    list = body.records;
    base = 'records';
  } else if (isPlainObject(body)) list = [body];
  else return invalid([{ index: null, field: '(body)', message: 'expected a complaint object, a list of them, or { "records": [...] }' }]);

  if (list.length > rules.maxRecords) {
    return { ok: false, status: 413, code: 'too_many_records', message: `${list.length} records in one request; at most ${rules.maxRecords}: split it into several requests` };
  }

  const errors: FieldError[] = [];
  const records: SourceRecord[] = [];
  const firstIndexOf = new Map<string, number>();
  list.forEach((item, index) => {
    if (!isPlainObject(item)) {
      errors.push({ index, field: base ? `${base}[${index}]` : '(record)', message: 'must be a complaint object' });
      return;
    }
    const id = getPath(item, rules.idField);
    if (id === undefined || id === null || (typeof id === 'string' && id.trim() === '')) {
      errors.push({ index, field: rules.idField, message: 'is required: the record id in your system (a non-empty string or a number)' });
      return;
    }
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
      errors.push({ index, field: rules.idField, message: `must be a non-empty string or a number, not ${Array.isArray(id) ? 'a list' : typeof id}` });
      return;
    }
    const updatedAt = item.updated_at;
    if (updatedAt !== undefined && updatedAt !== null && typeof updatedAt !== 'string' && typeof updatedAt !== 'number') {
      errors.push({ index, field: 'updated_at', message: 'when given, must be a date-time string or a number' });
      return;
    }
    const externalId = String(id).trim();
    if (externalId.length > MAX_EXTERNAL_ID_CHARS) {
      errors.push({ index, field: rules.idField, message: `is longer than ${MAX_EXTERNAL_ID_CHARS} characters` });
      return;
    }
    if (CONTROL_RE.test(externalId)) {
      // an id ends up in logs, reports and the LAPOR! reference line: one line of plain text
      errors.push({ index, field: rules.idField, message: 'must not contain control characters' });
      return;
    }
    const earlier = firstIndexOf.get(externalId);
    if (earlier !== undefined) {
      // which of the two versions is meant is not ours to guess
      errors.push({ index, field: rules.idField, message: `"${externalId}" appears twice in this request (also at index ${earlier}); send one version per record` });
      return;
    }
    firstIndexOf.set(externalId, index);
    records.push({ externalId, raw: item });
  });
  if (errors.length) return invalid(errors);
  return { ok: true, records };
}

function invalid(errors: FieldError[]): BodyOutcome {
  const shown = errors.slice(0, MAX_ERRORS);
  const more = errors.length - shown.length;
  const first = shown[0] as FieldError;
  const where = first.index === null ? first.field : `record ${first.index}, ${first.field}`;
  return {
    ok: false,
    status: 422,
    code: 'invalid_records',
    message: `${errors.length} problem${errors.length === 1 ? '' : 's'} in the body (first: ${where} ${first.message})${more ? `; ${more} more not listed` : ''}; nothing was accepted`,
    errors: shown,
  };
}

/** Where JSON.parse stopped, from its message (V8: "… at position 12", "Unexpected end of JSON input"). */
function jsonErrorPosition(message: string, length: number): number | undefined {
  const m = /\bat position (\d+)/.exec(message);
  if (m) return Number(m[1]);
  if (/unexpected end of json input/i.test(message)) return length;
  return undefined;
}
