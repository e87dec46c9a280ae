/**
 * `mapping coverage`: over many records of a source, counts per mapped field the values that
 * missed a lookup, hit a fallback, were defaulted, dropped or failed a transform, and what
 * quarantined records — most frequent first — so an integration officer knows which rows to add
 * to which lookup file ("category.lapor_category_id: lookup miss — 'Jalan Rusak' ×12").
 *
 * The records are mapped here (pulled like `mapping preview`, or from an `--input` file), or read
 * from the ledger (`--from-ledger`): quarantined records keep no raw data there (UU PDP), so their
 * `quarantine_reason` and the `warnings_json` of the current stored versions are what is counted.
 * Read-only either way; values of reporter.* fields are never shown.
 *
 * Warnings are classified by their structured `code` / `value` when the mapping gives them, and
 * otherwise from the message text the mapping writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SourceRecord } from '../adapters/adapter.js';
import type { CompiledMapping } from '../mapping/compile-mapping.js';
import { simpleTransformNames } from '../mapping/transforms.js';
import { redactText } from '../util/redact.js';
import { PERSONAL, isPersonalField, lookupFilesOf, mapOne, type FieldRuleView, type WarningLike } from './mapping-preview.js';

export const COVERAGE_KINDS = ['lookup_miss', 'transform_failed', 'fallback', 'defaulted', 'dropped', 'truncated', 'generated', 'quarantined', 'other'] as const;
export type CoverageKind = (typeof COVERAGE_KINDS)[number];

const KIND_LABEL: Readonly<Record<CoverageKind, string>> = {
  lookup_miss: 'lookup miss',
  transform_failed: 'transform failed',
  fallback: 'fell back',
  defaulted: 'defaulted',
  dropped: 'dropped',
  truncated: 'truncated',
  generated: 'generated',
  quarantined: 'quarantined',
  other: 'note',
};

/** What happened to the value after the problem (from the end of the message). */
export type CoverageAction = 'dropped' | 'fell back' | 'default used' | 'kept as is' | 'quarantined';

/** One warning or quarantine reason, classified. */
export interface Observation {
  readonly field: string;
  readonly kind: CoverageKind;
  readonly action?: CoverageAction;
  /** The source value concerned, when known (never for reporter.* fields). */
  readonly value?: string;
  /** What happened, when there is no value to name (e.g. `no value at "tanggal"`). */
  readonly detail?: string;
  /** The table that missed: a CSV file name, `inline`, or `region_code 36.01`. */
  readonly lookup?: string;
  /** It quarantined the record (rather than a warning on a delivered one). */
  readonly quarantine: boolean;
}

const TRANSFORM_NAMES = new Set<string>([...simpleTransformNames, 'parse_date', 'parse_datetime', 'lookup', 'region_code', 'truncate']);
const CODES = new Set<string>(['lookup_miss', 'transform_failed', 'fallback', 'defaulted', 'dropped', 'truncated', 'generated']);

const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
const LOOKUP_RE = new RegExp(`lookup: ${QUOTED} is not in (.+?)(?:; .*)?$`, 's');
const ACTIONS: [RegExp, CoverageAction][] = [
  [/; value dropped$/, 'dropped'],
  [/; fell back to candidate \d+$/, 'fell back'],
  [/; used the (?:lookup )?default\b.*$/, 'default used'],
  [/; kept the value as it is$/, 'kept as is'],
  [/; (?:value|[a-z_]+ block) dropped$/, 'dropped'],
];

function unquote(inner: string): string {
  try {
    return JSON.parse(`"${inner}"`) as string;
  } catch {
    return inner;
  }
}

function firstQuoted(message: string): string | undefined {
  const m = new RegExp(QUOTED).exec(message);
  return m ? unquote(m[1] as string) : undefined;
}

/** The message without its "what happened next" tail, and that tail as an action. */
function splitAction(message: string): { head: string; action?: CoverageAction } {
  for (const [re, action] of ACTIONS) if (re.test(message)) return { head: message.replace(re, ''), action };
  return { head: message };
}

/** Classifies a message by the words the mapping writes (older ledger rows have no `code`). */
function classifyText(message: string): { kind: CoverageKind; action?: CoverageAction; value?: string; detail?: string; lookup?: string } {
  const { head, action } = splitAction(message);
  const lookup = LOOKUP_RE.exec(message);
  if (lookup) return { kind: 'lookup_miss', action, value: unquote(lookup[1] as string), lookup: (lookup[2] as string).replace(/^inline table$/, 'inline') };
  if (/^no value at /.test(head)) return { kind: 'fallback', action: 'fell back', detail: head };
  const transform = /^([a-z_0-9]+): /.exec(head)?.[1];
  if (/longer than .* truncated$|; truncated$/.test(message)) return { kind: 'truncated', detail: message };
  if (/generated from the content|used the title as content/.test(message)) return { kind: 'generated', detail: message };
  if (action === 'default used') return { kind: 'defaulted', action, value: firstQuoted(head), detail: head };
  if (transform !== undefined && TRANSFORM_NAMES.has(transform)) return { kind: 'transform_failed', action, value: firstQuoted(head), detail: head };
  if (action === 'dropped') return { kind: 'dropped', action, detail: head };
  return { kind: 'other', action, detail: message };
}

function finish(field: string, c: { kind: CoverageKind; action?: CoverageAction; value?: string; detail?: string; lookup?: string }, quarantine: boolean): Observation {
  const personal = isPersonalField(field);
  const o: { -readonly [K in keyof Observation]: Observation[K] } = { field, kind: c.kind, quarantine };
  if (c.action !== undefined) o.action = c.action;
  if (c.value !== undefined && !personal) o.value = redactText(c.value);
  // without a value the detail names what happened; for reporter fields with every quoted part masked
  if (o.value === undefined && c.detail !== undefined) o.detail = redactText(personal ? c.detail.replace(new RegExp(QUOTED, 'g'), `"${PERSONAL}"`) : c.detail);
  if (c.lookup !== undefined) o.lookup = c.lookup;
  return o;
}

/** By the structured `code` / `value` / `lookup` when the warning has them, else by its text. */
export function classifyWarning(w: WarningLike): Observation {
  const text = classifyText(w.message);
  if (typeof w.code === 'string' && CODES.has(w.code)) {
    const value = w.value !== undefined && w.value !== null ? String(w.value) : w.code === text.kind ? text.value : undefined;
    const lookup = typeof w.lookup === 'string' ? w.lookup : w.code === 'lookup_miss' ? text.lookup : undefined;
    const detail = value === undefined ? (text.detail ?? splitAction(w.message).head) : undefined;
    return finish(w.field, { kind: w.code as CoverageKind, action: text.action, value, detail, lookup }, false);
  }
  return finish(w.field, text, false);
}

/** A quarantine reason `field: message` (an adapter problem or an unexpected failure names no field). */
export function classifyQuarantine(reason: string): Observation {
  const m = /^([a-z_]+(?:\.[a-z_0-9]+)*): (.*)$/s.exec(reason);
  const field = m ? (m[1] as string) : 'record';
  const message = m ? (m[2] as string) : reason;
  const text = classifyText(message);
  if (text.kind === 'lookup_miss') return finish(field, { ...text, action: 'quarantined' }, true);
  return finish(field, { kind: 'quarantined', action: 'quarantined', value: text.kind === 'transform_failed' ? text.value : undefined, detail: message }, true);
}

// ------------------------------------------------------------------------- report

export interface CoverageItem {
  /** The source value (quoted in the text output). */
  readonly value?: string;
  /** What happened, when no value is named. */
  readonly detail?: string;
  readonly count: number;
}

export interface CoverageGroup {
  readonly field: string;
  readonly kind: CoverageKind;
  /** What then happened to the values (dropped, fell back, default used, kept as is, quarantined). */
  readonly action?: CoverageAction;
  /** The table the misses belong in: a CSV file of the lookups folder, `inline`, or `region_code 36.01`. */
  readonly lookup?: string;
  readonly count: number;
  /** Of `count`, how many quarantined their record. */
  readonly quarantined: number;
  /** Values (or details), most frequent first. Empty for reporter.* fields: never shown. */
  readonly items: CoverageItem[];
}

export interface CoverageReport {
  readonly source: string;
  readonly origin: 'source' | 'input' | 'ledger';
  readonly input_file?: string;
  readonly ledger?: string;
  readonly mapping_version?: string;
  readonly limit_reached?: boolean;
  readonly records: number;
  readonly mapped: number;
  readonly with_warnings: number;
  readonly quarantined: number;
  readonly groups: CoverageGroup[];
  /** For each table that missed, the keys to add; `path` for CSV files in the lookups folder. */
  readonly lookups: { lookup: string; path?: string; missing: { value: string; count: number }[] }[];
}

export interface RecordOutcome {
  readonly quarantined: boolean;
  readonly observations: Observation[];
}

export function observeRecord(rec: SourceRecord, mapping: CompiledMapping): RecordOutcome {
  const r = mapOne(rec, mapping);
  const observations = r.warnings.map(classifyWarning);
  if (!r.ok) observations.push(classifyQuarantine(r.reason));
  return { quarantined: !r.ok, observations };
}

export function buildCoverage(
  outcomes: readonly RecordOutcome[],
  meta: Pick<CoverageReport, 'source' | 'origin' | 'input_file' | 'ledger' | 'mapping_version' | 'limit_reached'> & { fields?: Record<string, FieldRuleView>; lookupsDir?: string },
): CoverageReport {
  type Group = { field: string; kind: CoverageKind; action?: CoverageAction; lookup?: string; count: number; quarantined: number; items: Map<string, { value?: string; detail?: string; count: number }> };
  const groups = new Map<string, Group>();
  for (const o of outcomes) {
    for (const ob of o.observations) {
      // the table named by the warning; for text-only warnings without one, the field's lookup file
      const lookup = ob.kind === 'lookup_miss' ? (ob.lookup ?? lookupFilesOf(meta.fields?.[ob.field])[0]) : undefined;
      const key = [ob.field, ob.kind, ob.action ?? '', lookup ?? ''].join('\u0000');
      let g = groups.get(key);
      if (!g) {
        g = { field: ob.field, kind: ob.kind, action: ob.action, lookup, count: 0, quarantined: 0, items: new Map() };
        groups.set(key, g);
      }
      g.count++;
      if (ob.quarantine) g.quarantined++;
      if (isPersonalField(ob.field)) continue; // never itemise reporter values, not even masked details
      const itemKey = ob.value !== undefined ? `v\u0000${ob.value}` : `d\u0000${ob.detail ?? ''}`;
      const item = g.items.get(itemKey) ?? (ob.value !== undefined ? { value: ob.value, count: 0 } : { detail: ob.detail ?? '', count: 0 });
      item.count++;
      g.items.set(itemKey, item);
    }
  }
  const byCount = <T extends { count: number }>(key: (x: T) => string) => (a: T, b: T) => b.count - a.count || key(a).localeCompare(key(b), 'id');
  const list: CoverageGroup[] = [...groups.values()]
    .map((g) => {
      return {
        field: g.field,
        kind: g.kind,
        ...(g.action !== undefined ? { action: g.action } : {}),
        ...(g.lookup !== undefined ? { lookup: g.lookup } : {}),
        count: g.count,
        quarantined: g.quarantined,
        items: [...g.items.values()].sort(byCount((x) => x.value ?? x.detail ?? '')),
      };
    })
    .sort(byCount((g) => `${g.field} ${g.kind}`));

  const tables = new Map<string, Map<string, number>>();
  for (const g of list) {
    if (g.kind !== 'lookup_miss' || !g.lookup) continue;
    const m = tables.get(g.lookup) ?? new Map<string, number>();
    for (const it of g.items) if (it.value !== undefined) m.set(it.value, (m.get(it.value) ?? 0) + it.count);
    tables.set(g.lookup, m);
  }
  const quarantined = outcomes.filter((o) => o.quarantined).length;
  const report: { -readonly [K in keyof CoverageReport]?: CoverageReport[K] } = { source: meta.source, origin: meta.origin };
  for (const k of ['input_file', 'ledger', 'mapping_version', 'limit_reached'] as const) if (meta[k] !== undefined) (report as Record<string, unknown>)[k] = meta[k];
  report.records = outcomes.length;
  report.mapped = outcomes.length - quarantined;
  report.with_warnings = outcomes.filter((o) => !o.quarantined && o.observations.length > 0).length;
  report.quarantined = quarantined;
  report.groups = list;
  report.lookups = [...tables.entries()]
    .filter(([, m]) => m.size > 0)
    .map(([lookup, m]) => {
      const missing = [...m.entries()].map(([value, count]) => ({ value, count })).sort(byCount((x) => x.value));
      return meta.lookupsDir && /\.csv$/i.test(lookup) ? { lookup, path: path.resolve(meta.lookupsDir, lookup), missing } : { lookup, missing };
    });
  return report as CoverageReport;
}

// ------------------------------------------------------------------------- from the ledger

/**
 * The source's quarantined records (their reasons) and the warnings of every record's current
 * version, read with a read-only connection (a running daemon is not disturbed).
 */
export function ledgerOutcomes(ledgerFile: string, sourceId: string): RecordOutcome[] {
  if (!fs.existsSync(ledgerFile)) throw new Error(`no ledger at ${ledgerFile}; run a sync first or pass --ledger <file>`);
  const db = new Database(ledgerFile, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(
        `SELECT r.state, r.quarantine_reason, rv.warnings_json
           FROM records r LEFT JOIN record_versions rv ON rv.record_id = r.id AND rv.version = r.version
          WHERE r.source_id = ?
          ORDER BY r.id`,
      )
      .all(sourceId) as { state: string; quarantine_reason: string | null; warnings_json: string | null }[];
    return rows.map((row) => {
      const observations: Observation[] = [];
      if (row.warnings_json) {
        try {
          const ws = JSON.parse(row.warnings_json) as unknown;
          if (Array.isArray(ws)) for (const w of ws) if (w && typeof w === 'object' && typeof (w as WarningLike).field === 'string' && typeof (w as WarningLike).message === 'string') observations.push(classifyWarning(w as WarningLike));
        } catch {
          // a malformed row is `ledger verify`'s business; it is not counted here
        }
      }
      const quarantined = row.state === 'quarantined';
      if (quarantined) observations.push(classifyQuarantine(row.quarantine_reason ?? 'record: quarantined (no reason recorded)'));
      return { quarantined, observations };
    });
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------------- text

const TOP = 10;

function itemText(it: CoverageItem): string {
  return it.value !== undefined ? `'${it.value}' ×${it.count}` : `${it.detail ?? ''} ×${it.count}`;
}

function groupLabel(g: CoverageGroup): string {
  const label = KIND_LABEL[g.kind];
  const action = g.action && g.action !== label ? `, ${g.action}` : '';
  return `${label}${action}${g.lookup ? ` (${g.lookup})` : ''}`;
}

export function formatCoverage(r: CoverageReport): string {
  const from = r.origin === 'ledger' ? `from the ledger ${r.ledger ?? ''} (quarantine reasons and stored warnings)` : r.origin === 'input' ? `from ${r.input_file ?? 'the input file'}` : 'from the live source (read only, no cursor saved)';
  const out = [`mapping coverage — source ${r.source}${r.mapping_version ? `, mapping ${r.mapping_version}` : ''}; ${r.records} record${r.records === 1 ? '' : 's'} ${from}`];
  out.push(`${r.mapped} mapped (${r.with_warnings} with warnings), ${r.quarantined} quarantined`);
  if (r.groups.length === 0) {
    out.push('', r.records === 0 ? 'nothing to count.' : 'every value mapped cleanly: no lookup misses, fallbacks, drops or failures.');
  } else {
    out.push('');
    for (const g of r.groups) {
      let values: string;
      if (isPersonalField(g.field)) values = '(values not shown: personal data)';
      else {
        values = g.items.slice(0, TOP).map(itemText).join(', ');
        if (g.items.length > TOP) values += `, … ${g.items.length - TOP} more (see --json)`;
      }
      const q = g.quarantined && g.kind !== 'quarantined' ? ` (${g.quarantined} quarantined the record)` : '';
      out.push(`${g.field}: ${groupLabel(g)} ×${g.count}${q} — ${values}`);
    }
  }
  for (const l of r.lookups) {
    const keys = l.missing.map((m) => `'${m.value}'`).join(', ');
    const n = `${l.missing.length} key${l.missing.length === 1 ? '' : 's'}`;
    if (l.path) out.push('', `→ add ${n} to ${l.path}: ${keys}`);
    else if (l.lookup === 'inline') out.push('', `→ add ${n} to the inline lookup table of the mapping: ${keys}`);
    else if (l.lookup.startsWith('region_code')) out.push('', `→ ${n} not found by ${l.lookup}: ${keys} — check the spelling, or add it under "alternates" in the region table (config/regions/)`);
    else out.push('', `→ add ${n} to ${l.lookup}: ${keys}`);
  }
  if (r.limit_reached) out.push('', `(stopped at the limit; pass --limit n to count more records)`);
  if (r.origin === 'ledger') out.push('', 'note: the ledger reflects the mapping in force when each record was read; after fixing a lookup, run a sync (quarantined records are re-evaluated when re-read) or count live records without --from-ledger.');
  return out.join('\n');
}
