/**
 * "Deliver or quarantine" (DESIGN §3): turns a mapped draft into a valid canonical complaint.
 *
 * A complaint whose meaning is intact is delivered, with a warning for each value dropped,
 * defaulted or cleaned. It is quarantined only when a required meaning is missing, or when the
 * mapping marked the failing field strict (`on_error: quarantine`).
 */
import type { Warning } from '../ledger/ledger.js';
import { warningValue } from './warnings.js';
import { canonicalComplaintSchema, codePointLength, CONTENT_MAX, FIELD_MAX, REQUIRED_FIELDS, TITLE_MAX, type CanonicalComplaint } from './canonical.js';

export type MapResult =
  | { readonly ok: true; readonly complaint: CanonicalComplaint; readonly warnings: Warning[] }
  | { readonly ok: false; readonly reason: string; readonly warnings: Warning[] };

export const TRUNCATION_MARKER = ' […]';
const GENERATED_TITLE_MAX = 100;

const segmenter = new Intl.Segmenter('id', { granularity: 'grapheme' });

/** Cuts text to at most `max` code points on a grapheme boundary, ending with a visible marker. */
export function truncateText(text: string, max: number, marker = TRUNCATION_MARKER): string {
  if (codePointLength(text) <= max) return text;
  const budget = max - codePointLength(marker);
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const n = codePointLength(segment);
    if (used + n > budget) break;
    out += segment;
    used += n;
  }
  return out.trimEnd() + marker;
}

/**
 * Abbreviations that end in a period without ending the sentence ("Jl. Raya Carita", "RT. 02",
 * "H. Ahmad"); single letters (initials) count too.
 */
const ABBREVIATIONS = new Set(['jl', 'jln', 'gg', 'no', 'kp', 'ds', 'kel', 'kec', 'kab', 'prov', 'rt', 'rw', 'dr', 'drg', 'ir', 'h', 'hj', 'bpk', 'pak', 'bu', 'ibu', 'sdr', 'sdri', 'tn', 'ny', 'yth', 'kpd', 'tgl', 'dll', 'dsb', 'dst', 'spt', 'a.n']);

/** The first sentence of a line: up to the first . ! or ? followed by a space or the end, skipping abbreviations. */
function firstSentence(line: string): string {
  for (const m of line.matchAll(/[.!?](?=\s|$)/gu)) {
    const end = m.index + 1;
    if (end === 1) continue;
    if (m[0] === '.') {
      const word = /([\p{L}\p{N}]+(?:\.[\p{L}\p{N}]+)*)\.$/u.exec(line.slice(0, end))?.[1] ?? '';
      if (ABBREVIATIONS.has(word.toLowerCase()) || /^\p{L}$/u.test(word)) continue;
    }
    return line.slice(0, end);
  }
  return line;
}

/** A title from the first sentence or words of the content, when the source has none. */
export function titleFromContent(content: string): string {
  const firstLine = content.split('\n').find((l) => l.trim()) ?? content;
  const sentence = firstSentence(firstLine.trim());
  if (codePointLength(sentence) <= GENERATED_TITLE_MAX) return sentence.trim();
  const cut = truncateText(sentence, GENERATED_TITLE_MAX, '…');
  const lastSpace = cut.lastIndexOf(' ', cut.length - 2);
  return lastSpace > 40 ? `${cut.slice(0, lastSpace)}…` : cut;
}

interface FinishContext {
  readonly sourceId: string;
  readonly strictFields: ReadonlySet<string>;
  readonly warnings: Warning[];
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

export function finishComplaint(draft: Record<string, unknown>, ctx: FinishContext): MapResult {
  const { warnings } = ctx;
  const source = (draft.source ??= {}) as Record<string, unknown>;
  source.system = ctx.sourceId;
  if (typeof source.external_id === 'number') source.external_id = String(source.external_id);
  if (typeof source.ticket === 'number') source.ticket = String(source.ticket);
  if (!text(source.external_id)) return { ok: false, reason: 'source.external_id: the record has no id', warnings };

  let content = text(draft.content);
  let title = text(draft.title);
  if (!content && !title) return { ok: false, reason: 'content: the record has neither title nor content', warnings };
  if (!content) {
    content = title as string;
    warnings.push({ field: 'content', message: 'no content; used the title as content', code: 'generated' });
  }
  if (!title) {
    title = titleFromContent(content);
    warnings.push({ field: 'title', message: 'no title; generated from the content', code: 'generated' });
  }
  if (codePointLength(title) > TITLE_MAX) {
    title = truncateText(title, TITLE_MAX);
    warnings.push({ field: 'title', message: `longer than ${TITLE_MAX} characters; truncated`, code: 'truncated' });
  }
  if (codePointLength(content) > CONTENT_MAX) {
    content = truncateText(content, CONTENT_MAX);
    warnings.push({ field: 'content', message: `longer than ${CONTENT_MAX} characters; truncated`, code: 'truncated' });
  }
  draft.title = title;
  draft.content = content;
  if (Array.isArray(draft.attachments) && draft.attachments.length > FIELD_MAX.attachments) {
    const extra = draft.attachments.length - FIELD_MAX.attachments;
    draft.attachments.splice(FIELD_MAX.attachments);
    warnings.push({ field: 'attachments', message: `more than ${FIELD_MAX.attachments} attachments; the last ${extra} dropped`, code: 'truncated' });
  }
  draft.is_anonymous ??= false;
  draft.is_secret ??= false;

  // UU PDP: an anonymous complaint never carries the reporter's identity, not even in the ledger
  if (draft.is_anonymous === true) delete draft.reporter;

  // validate; drop invalid optional values one by one (with a warning) until it passes
  for (let round = 0; round < 50; round++) {
    const result = canonicalComplaintSchema.safeParse(draft);
    if (result.success) {
      pruneEmpty(result.data);
      return { ok: true, complaint: result.data, warnings };
    }
    const issue = result.error.issues[0];
    if (!issue) break;
    const path = issue.path.map(String);
    const field = fieldName(path);
    if (REQUIRED_FIELDS.has(field) || ctx.strictFields.has(field) || path.length === 0) {
      return { ok: false, reason: `${path.join('.') || 'record'}: ${issue.message}`, warnings };
    }
    // a missing key inside an optional block (category without source_code) drops the block
    const value = valueAt(draft, path);
    const dropped = dropAt(draft, path) ? path : path.length > 1 && dropAt(draft, path.slice(0, 1)) ? path.slice(0, 1) : undefined;
    if (!dropped) return { ok: false, reason: `${path.join('.')}: ${issue.message}`, warnings };
    const shown = warningValue(field, value);
    warnings.push({ field: path.join('.'), message: `${issue.message}; ${dropped === path ? 'value' : `${dropped[0]} block`} dropped`, code: 'dropped', ...(shown !== undefined ? { value: shown } : {}) });
  }
  return { ok: false, reason: 'record: could not be made valid', warnings };
}

/** The mapping-level field name for a schema path: `attachments.2.url` → `attachments`. */
function fieldName(path: string[]): string {
  if (path[0] === 'attachments') return 'attachments';
  return path.slice(0, 2).join('.');
}

function valueAt(draft: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = draft;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Removes the invalid value: an attachment drops whole, a nested value drops its key. */
function dropAt(draft: Record<string, unknown>, path: string[]): boolean {
  if (path[0] === 'attachments' && path.length >= 2 && Array.isArray(draft.attachments)) {
    draft.attachments.splice(Number(path[1]), 1);
    return true;
  }
  let parent: unknown = draft;
  for (const key of path.slice(0, -1)) {
    if (parent === null || typeof parent !== 'object') return false;
    parent = (parent as Record<string, unknown>)[key];
  }
  const last = path[path.length - 1];
  if (parent === null || typeof parent !== 'object' || last === undefined || !(last in parent)) return false;
  delete (parent as Record<string, unknown>)[last];
  return true;
}

/** Optional blocks that lost all their values are removed rather than sent empty. */
function pruneEmpty(c: CanonicalComplaint): void {
  const obj = c as unknown as Record<string, unknown>;
  for (const key of ['reporter', 'location', 'target_agency'] as const) {
    const block = obj[key];
    if (block && typeof block === 'object' && Object.keys(block).length === 0) delete obj[key];
  }
}
