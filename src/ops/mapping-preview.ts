/**
 * `mapping preview` (DESIGN §8): for a few records of a source, shows side by side what the
 * source sent, the canonical complaint the mapping makes of it and what LAPOR! would receive,
 * with every warning and the quarantine reason at the field it concerns.
 *
 * Strictly read-only: records come from an `--input` file or from the live source through its
 * adapter (never settled, so a file-drop folder is not archived and no cursor moves); the ledger
 * is never opened and the destination is never called — the sink only renders. Personal data
 * is masked in everything shown (UU PDP): the reporter block, personal keys of the source record
 * (nama, nik, no_hp, email, pelapor, ...) and phone / e-mail / NIK patterns in any text.
 *
 * The record collection (`collectRecords`) and the masking helpers are shared with
 * `mapping coverage`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Logger } from 'winston';
import type { SourceRecord } from '../adapters/adapter.js';
import type { Warning } from '../ledger/ledger.js';
import type { StoredComplaint } from '../ledger/sqlite-ledger.js';
import type { CanonicalComplaint } from '../mapping/canonical.js';
import { getPath, type CompiledMapping } from '../mapping/compile-mapping.js';
import type { LoadedSource } from '../settings/load-settings.js';
import { LaporV3Sink } from '../sinks/lapor-v3/lapor-v3-sink.js';
import type { Sink } from '../sinks/sink.js';
import { redactText, redactValue } from '../util/redact.js';

// ------------------------------------------------------------------------- collecting records

/** A usage problem with the input (file missing, not JSON, not a list): exit code 2. */
export class PreviewInputError extends Error {
  readonly code = 'PREVIEW_INPUT';
}

export interface CollectOptions {
  /** Raw records from this JSON file instead of the live source. */
  readonly input?: string;
  /** At most this many records (undefined: all of an input file). */
  readonly limit?: number;
  /** Live source: read from this time (as `sync --since`); default from the beginning. */
  readonly since?: Date;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export interface CollectedRecords {
  readonly origin: 'source' | 'input';
  readonly inputFile?: string;
  readonly records: SourceRecord[];
  /** Reading stopped because `limit` records were read (there may be more). */
  readonly limitReached: boolean;
}

/** The field that holds a record's id, from the adapter config (rest, sql, webhook, file-drop). */
export function idFieldOf(adapterConfig: unknown): string {
  const c = (adapterConfig ?? {}) as Record<string, unknown>;
  const columns = c.columns as Record<string, unknown> | undefined;
  for (const v of [c.primary_key, c.id_field, columns?.id, c.key_column]) if (typeof v === 'string' && v) return v;
  return 'id';
}

/**
 * Raw records from a JSON file: an array of records, or `{ data: [...] }` (a saved API page).
 * Each record's id is read from `idField` as the adapter would; a record without one carries a
 * `problem` (it would be quarantined at intake, and is here too).
 */
export function readInputRecords(file: string, idField: string, limit?: number): { records: SourceRecord[]; total: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PreviewInputError(`--input: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new PreviewInputError(`--input: ${file} is not JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(doc) ? doc : doc && typeof doc === 'object' && Array.isArray((doc as { data?: unknown }).data) ? (doc as { data: unknown[] }).data : undefined;
  if (!list) throw new PreviewInputError(`--input: ${file} must hold a JSON array of records, or an object { "data": [...] }`);
  const records: SourceRecord[] = [];
  for (const [i, raw] of list.entries()) {
    if (limit !== undefined && records.length >= limit) break;
    const where = `item ${i + 1} of ${path.basename(file)}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      records.push({ externalId: `input:${i + 1}`, raw, problem: `record: ${where} is not an object` });
      continue;
    }
    const id = getPath(raw, idField);
    if (id === undefined || id === null || id === '' || typeof id === 'object') {
      records.push({ externalId: `input:${i + 1}`, raw, problem: `source.external_id: the record has no "${idField}" (${where})` });
      continue;
    }
    records.push({ externalId: String(id), raw });
  }
  return { records, total: list.length };
}

/**
 * Reads at most `limit` records from the live source through its adapter: a fresh adapter from
 * the source's factory, a walk from the beginning (or `since`) that is never settled, then close.
 * Sources that push (webhook) have nothing to read on demand: use `--input`.
 */
export async function pullRecords(source: LoadedSource, options: { limit: number; since?: Date; logger: Logger; now?: () => Date }): Promise<{ records: SourceRecord[]; limitReached: boolean }> {
  const now = options.now ?? (() => new Date());
  const adapter = source.factory.create(source.adapterConfig as never, { sourceId: source.id, logger: options.logger, now });
  if (adapter.capabilities.push) {
    throw new PreviewInputError(`source ${source.id} (${source.adapterKind}) receives records when the local system sends them; there is nothing to pull — save a few records to a JSON file and pass --input <file>`);
  }
  const records: SourceRecord[] = [];
  let limitReached = false;
  const stop = new AbortController();
  await adapter.open();
  try {
    walk: for await (const batch of adapter.read(undefined, { full: options.since === undefined, since: options.since, signal: stop.signal })) {
      // never settled: a file-drop file stays where it is, a webhook sender is not answered
      for (const rec of batch.records) {
        if (records.length >= options.limit) {
          limitReached = true;
          break walk;
        }
        records.push(rec);
      }
      if (records.length >= options.limit) {
        limitReached = true;
        break;
      }
    }
  } finally {
    stop.abort();
    await adapter.close();
  }
  return { records, limitReached };
}

export async function collectRecords(source: LoadedSource, o: CollectOptions): Promise<CollectedRecords> {
  if (o.input !== undefined) {
    const file = path.resolve(o.input);
    const { records, total } = readInputRecords(file, idFieldOf(source.adapterConfig), o.limit);
    return { origin: 'input', inputFile: file, records, limitReached: records.length < total };
  }
  const { records, limitReached } = await pullRecords(source, { limit: o.limit ?? 5, since: o.since, logger: o.logger, now: o.now });
  return { origin: 'source', records, limitReached };
}

// ------------------------------------------------------------------------- mapping spec (read-only)

/** The parts of a field rule this tool describes (see mapping-spec.ts). */
export interface FieldRuleView {
  readonly path?: string;
  readonly value?: unknown;
  readonly template?: string;
  readonly first_of?: FieldRuleView[];
  readonly transforms?: unknown[];
}

/** `mapping.fields` of a source file, read without resolving secrets; undefined when unreadable. */
export function mappingFieldsOf(sourceFile: string): Record<string, FieldRuleView> | undefined {
  try {
    const doc = parse(fs.readFileSync(sourceFile, 'utf8')) as { mapping?: { fields?: unknown } } | null;
    const fields = doc?.mapping?.fields;
    return fields && typeof fields === 'object' ? (fields as Record<string, FieldRuleView>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Finds a source's file and lookup folder from bridge.yaml without loading (or needing) secrets —
 * for `mapping coverage --from-ledger`, which an auditor may run without the LAPOR! tokens.
 */
export function locateSource(configFile: string, sourceId: string): { file?: string; lookupsDir: string } {
  const bridge = path.resolve(configFile);
  const dir = path.dirname(bridge);
  type BridgeDirs = { sources_dir?: unknown; lookups_dir?: unknown } | null;
  let doc: BridgeDirs = null;
  try {
    doc = parse(fs.readFileSync(bridge, 'utf8')) as BridgeDirs;
  } catch {
    // the caller reports what it can
  }
  const lookupsDir = path.resolve(dir, typeof doc?.lookups_dir === 'string' ? doc.lookups_dir : 'lookups');
  const sourcesDir = path.resolve(dir, typeof doc?.sources_dir === 'string' ? doc.sources_dir : 'sources');
  let names: string[] = [];
  try {
    names = fs.readdirSync(sourcesDir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    return { lookupsDir };
  }
  for (const name of names) {
    const file = path.join(sourcesDir, name);
    try {
      const s = parse(fs.readFileSync(file, 'utf8')) as { id?: unknown } | null;
      if (s?.id === sourceId) return { file, lookupsDir };
    } catch {
      // a broken file is config check's business
    }
  }
  return { lookupsDir };
}

/** The lookup files a field rule uses (its own transforms, then its first_of candidates'). */
export function lookupFilesOf(rule: FieldRuleView | undefined): string[] {
  if (!rule) return [];
  const files: string[] = [];
  for (const t of rule.transforms ?? []) {
    const file = (t as { lookup?: { file?: unknown } } | null)?.lookup?.file;
    if (typeof file === 'string') files.push(file);
  }
  for (const c of rule.first_of ?? []) files.push(...lookupFilesOf(c));
  return [...new Set(files)];
}

// ------------------------------------------------------------------------- masking

export const PERSONAL = '[personal]';

/** Reporter fields and anything under a personal key are never shown with their values. */
export function isPersonalField(field: string): boolean {
  return field === 'reporter' || field.startsWith('reporter.');
}

/** A warning as the mapping gives it; `code` and `value` are optional structured additions. */
export type WarningLike = Warning & { readonly code?: string; readonly value?: unknown; readonly lookup?: string };

export interface ShownWarning {
  readonly field: string;
  readonly message: string;
  readonly code?: string;
  readonly value?: string;
}

/** A warning fit to print: text redacted; for reporter.* fields no value at all. */
export function maskWarning(w: WarningLike): ShownWarning {
  const personal = isPersonalField(w.field);
  const message = personal ? redactText(w.message.replace(/"(?:[^"\\]|\\.)*"/g, `"${PERSONAL}"`)) : redactText(w.message);
  const out: { field: string; message: string; code?: string; value?: string } = { field: w.field, message };
  if (typeof w.code === 'string') out.code = w.code;
  if (!personal && w.value !== undefined && w.value !== null) out.value = redactText(String(w.value));
  return out;
}

/** The canonical complaint with the reporter's values replaced (which keys were present stays visible). */
export function maskComplaint(c: CanonicalComplaint | StoredComplaint): Record<string, unknown> {
  const { reporter, ...rest } = c as Record<string, unknown> & { reporter?: Record<string, unknown> };
  const out = redactValue(rest) as Record<string, unknown>;
  if (reporter) out.reporter = Object.fromEntries(Object.keys(reporter).map((k) => [k, PERSONAL]));
  return out;
}

/** A value in an already-redacted record: `[personal]` when the path runs through a masked key. */
function maskedAt(masked: unknown, p: string): unknown {
  const parts = p.split('.');
  for (let i = 1; i <= parts.length; i++) {
    const v = getPath(masked, parts.slice(0, i).join('.'));
    if (v === PERSONAL) return PERSONAL;
    if (v === undefined || v === null) return v;
  }
  return getPath(masked, p);
}

// ------------------------------------------------------------------------- preview

export type PreviewStatus = 'ok' | 'warnings' | 'quarantined';

export interface PreviewField {
  /** Canonical field, or `(destination config)` for payload values that come from bridge.yaml. */
  readonly field: string;
  /** Where the value comes from: a source path, `first_of a | b`, `template`, `fixed value`, ... */
  readonly source: string;
  readonly source_value?: unknown;
  readonly canonical_value?: unknown;
  /** What LAPOR! receives for it (`category_id: 10`), `(not sent)`, or absent for other dialects. */
  readonly payload?: string;
  /** `⚠ message` for each warning, `✖ reason` for the quarantine. */
  readonly notes: string[];
}

export interface PreviewRecord {
  readonly external_id: string;
  readonly ticket?: string;
  readonly status: PreviewStatus;
  readonly reason?: string;
  readonly warnings: ShownWarning[];
  readonly source_record: unknown;
  readonly canonical: unknown;
  readonly payload: unknown;
  readonly fields: PreviewField[];
}

export interface PreviewSummary {
  readonly records: number;
  readonly ok: number;
  readonly with_warnings: number;
  readonly quarantined: number;
}

export interface PreviewReport {
  readonly source: string;
  readonly origin: 'source' | 'input';
  readonly input_file?: string;
  readonly limit_reached: boolean;
  readonly dialect: string;
  readonly mapping_version: string;
  readonly summary: PreviewSummary;
  readonly records: PreviewRecord[];
}

export type MapOutcome =
  | { readonly ok: true; readonly externalId: string; readonly complaint: CanonicalComplaint; readonly warnings: WarningLike[] }
  | { readonly ok: false; readonly externalId: string; readonly reason: string; readonly warnings: WarningLike[] };

/** Maps one record exactly as intake does (adapter problem → quarantine; a crash → quarantine). */
export function mapOne(rec: SourceRecord, mapping: CompiledMapping): MapOutcome {
  if (rec.problem) return { ok: false, externalId: rec.externalId, reason: rec.problem, warnings: [] };
  try {
    const r = mapping.map(rec.raw, rec.externalId);
    return r.ok ? { ok: true, externalId: rec.externalId, complaint: r.complaint, warnings: r.warnings } : { ok: false, externalId: rec.externalId, reason: r.reason, warnings: r.warnings };
  } catch (err) {
    return { ok: false, externalId: rec.externalId, reason: `mapping failed unexpectedly: ${(err as Error).message}`, warnings: [] };
  }
}

/** What the ledger would store (the NIK never leaves as such; without the ledger's key it is just left out). */
export function previewStored(c: CanonicalComplaint): StoredComplaint {
  if (!c.reporter) return c;
  const { nik: _nik, ...reporter } = c.reporter;
  return { ...c, reporter };
}

/** Canonical field → how it shows in the `lapor-v3` create body (see LaporV3Sink.renderBody). */
const V3_KEYS: Readonly<Record<string, string>> = {
  title: 'title',
  content: 'content',
  channel: 'channel',
  classification: 'classification_id',
  'target_agency.lapor_institution_id': 'disposition_id',
  'category.lapor_category_id': 'category_id',
  'category.source_code': 'tags_raw',
  'source.system': 'tags_raw',
  'location.region_code': 'location_id',
  incident_date: 'date_of_incident',
  is_anonymous: 'is_anonymous',
  is_secret: 'is_secret',
  attachments: 'attachments',
};

/** Where a field's value comes from, and the (masked) raw value it reads. */
function sourceOf(rule: FieldRuleView | undefined, masked: unknown, rec: SourceRecord, field: string): { desc: string; value?: unknown } {
  if (!rule) {
    if (field === 'source.system') return { desc: '(source id)' };
    if (field === 'source.external_id') return { desc: '(record key)', value: rec.externalId };
    return { desc: '(made by the mapping)' };
  }
  if (rule.path !== undefined) return { desc: rule.path, value: maskedAt(masked, rule.path) };
  if (rule.first_of !== undefined) {
    // the first candidate path that has a value is the one the mapping tries first with success
    const n = rule.first_of.length;
    for (const [i, c] of rule.first_of.entries()) {
      if (c.path === undefined) continue;
      const v = maskedAt(masked, c.path);
      if (v !== undefined && v !== null && v !== '') return { desc: `${c.path} (${i + 1} of ${n})`, value: v };
    }
    return { desc: `first_of ${rule.first_of.map((c) => c.path ?? (c.template !== undefined ? 'template' : 'value')).join(' | ')}` };
  }
  if (rule.template !== undefined) return { desc: `template ${rule.template}` };
  return { desc: 'fixed value', value: rule.value };
}

/** Leaf fields of a complaint at the depth mapping paths use (`location.lat`, `attachments`). */
function leafFields(c: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(c)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const kk of Object.keys(v)) out.push(`${k}.${kk}`);
    else out.push(k);
  }
  return out;
}

function reasonField(reason: string): { field: string; message: string } {
  const m = /^([a-z_]+(?:\.[a-z_0-9]+)*): (.*)$/s.exec(reason);
  return m ? { field: m[1] as string, message: m[2] as string } : { field: 'record', message: reason };
}

function payloadCell(field: string, body: Record<string, unknown>, ref: string, attachments: unknown): string | undefined {
  if (field === 'source.external_id') return `content ends "${ref}"`;
  const key = V3_KEYS[field];
  if (!key) return '(not sent)';
  const v = body[key];
  if (v === undefined) return undefined;
  if (key === 'attachments') {
    const n = Array.isArray(attachments) ? attachments.length : 0;
    return n ? `attachments: ids of ${n} upload${n === 1 ? '' : 's'}` : 'attachments: []';
  }
  return `${key}: ${JSON.stringify(redactValue(v))}`;
}

export interface BuildPreviewOptions {
  readonly sourceId: string;
  readonly mapping: CompiledMapping;
  readonly sink: Sink;
  /** The source's `mapping.fields`, to name where each value comes from. */
  readonly fields?: Record<string, FieldRuleView>;
}

export function previewRecord(rec: SourceRecord, o: BuildPreviewOptions): PreviewRecord {
  const outcome = mapOne(rec, o.mapping);
  const warnings = outcome.warnings.map(maskWarning);
  const maskedRaw = redactValue(rec.raw);
  const v3 = o.sink instanceof LaporV3Sink ? o.sink : undefined;

  let canonical: Record<string, unknown> | undefined;
  let body: Record<string, unknown> | undefined;
  let payload: unknown = null;
  let ref = '';
  if (outcome.ok) {
    canonical = maskComplaint(outcome.complaint);
    const stored = previewStored(outcome.complaint);
    if (v3) {
      body = v3.renderBody(stored);
      ref = v3.refLine(stored);
      payload = redactValue(body);
    } else payload = redactValue(o.sink.sentView(stored));
  }

  // rows: the mapping's fields in its order, then what the complaint has besides
  const rows = new Map<string, { source: string; source_value?: unknown; canonical_value?: unknown; payload?: string; notes: string[] }>();
  const addRow = (field: string) => {
    let row = rows.get(field);
    if (!row) {
      const rule = o.fields?.[field];
      const personal = isPersonalField(field);
      const src = sourceOf(rule, maskedRaw, rec, field);
      const sv = src.value;
      const cv = canonical ? getPath(canonical, field) : undefined;
      row = {
        source: src.desc,
        source_value: personal && sv !== undefined && sv !== null && sv !== '' ? PERSONAL : sv,
        canonical_value: personal && cv !== undefined ? PERSONAL : cv,
        payload: body ? (cv === undefined ? undefined : payloadCell(field, body, ref, canonical?.attachments)) : undefined,
        notes: [],
      };
      rows.set(field, row);
    }
    return row;
  };
  for (const field of Object.keys(o.fields ?? {})) addRow(field);
  if (canonical) for (const field of leafFields(canonical)) if (![...rows.keys()].some((r) => field === r || field.startsWith(`${r}.`))) addRow(field);

  // each warning at its field (attachments.1.url → attachments)
  const rowFor = (field: string) => {
    const hit = [...rows.keys()].filter((r) => field === r || field.startsWith(`${r}.`)).sort((a, b) => b.length - a.length)[0];
    return addRow(hit ?? field);
  };
  for (const w of warnings) rowFor(w.field).notes.push(`⚠ ${w.message}`);
  let reason: string | undefined;
  if (!outcome.ok) {
    reason = redactText(outcome.reason);
    const r = reasonField(outcome.reason);
    rowFor(r.field).notes.push(`✖ ${isPersonalField(r.field) ? maskWarning({ field: r.field, message: r.message }).message : redactText(r.message)} (record quarantined)`);
  }

  // payload values no mapped field gave: they come from bridge.yaml (user_id, default ids)
  const claimed = new Set<string>();
  if (body && canonical) {
    for (const [field, row] of rows) if (row.canonical_value !== undefined && V3_KEYS[field]) claimed.add(V3_KEYS[field] as string);
    claimed.add('content').add('tags_raw').add('attachments');
    for (const [k, v] of Object.entries(body)) {
      if (claimed.has(k)) continue;
      rows.set(`(destination config) ${k}`, { source: 'bridge.yaml destination', payload: `${k}: ${JSON.stringify(redactValue(v))}`, notes: [] });
    }
  }

  const fields: PreviewField[] = [...rows.entries()].map(([field, r]) => {
    const f: { -readonly [K in keyof PreviewField]?: PreviewField[K] } = { field: field.startsWith('(destination config)') ? '(destination config)' : field, source: r.source };
    if (r.source_value !== undefined) f.source_value = r.source_value;
    if (r.canonical_value !== undefined) f.canonical_value = r.canonical_value;
    if (v3 && outcome.ok) f.payload = r.payload ?? '—';
    f.notes = r.notes;
    return f as PreviewField;
  });

  const ticket = outcome.ok ? outcome.complaint.source.ticket : undefined;
  const status: PreviewStatus = !outcome.ok ? 'quarantined' : warnings.length ? 'warnings' : 'ok';
  const out: { -readonly [K in keyof PreviewRecord]: PreviewRecord[K] } = {
    external_id: outcome.externalId,
    status,
    warnings,
    source_record: maskedRaw,
    canonical: canonical ?? null,
    payload,
    fields,
  };
  if (ticket) out.ticket = redactText(ticket);
  if (reason !== undefined) out.reason = reason;
  return out;
}

export function summarise(records: readonly { status: PreviewStatus }[]): PreviewSummary {
  return {
    records: records.length,
    ok: records.filter((r) => r.status === 'ok').length,
    with_warnings: records.filter((r) => r.status === 'warnings').length,
    quarantined: records.filter((r) => r.status === 'quarantined').length,
  };
}

export function summaryLine(s: PreviewSummary): string {
  return `${s.records} record${s.records === 1 ? '' : 's'}: ${s.ok} ok, ${s.with_warnings} with warnings, ${s.quarantined} quarantined — nothing was written to the ledger or sent to LAPOR!`;
}

// ------------------------------------------------------------------------- text rendering

const CELL = 34;

function cut(text: string, width: number): string {
  const cps = [...text];
  return cps.length <= width ? text : `${cps.slice(0, width - 1).join('')}…`;
}

export function show(v: unknown): string {
  if (v === undefined) return '';
  if (v === PERSONAL) return PERSONAL;
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.length} item${v.length === 1 ? '' : 's'}]`;
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

function padCp(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - [...text].length));
}

/** Aligned columns; every column but the last is cut at `CELL` characters, the last never. */
export function columns(header: string[], rows: string[][]): string {
  const n = header.length;
  const widths = header.map((h, i) => (i === n - 1 ? 0 : Math.min(CELL, Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? '')].length)))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === n - 1 ? c : padCp(cut(c, widths[i] as number), widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w, i) => (i === n - 1 ? '-'.repeat(Math.max(5, [...(header[i] ?? '')].length)) : '-'.repeat(w)))), ...rows.map(line)].join('\n');
}

export function formatPreviewRecord(r: PreviewRecord, dialect: string): string {
  const head = `━━ ${r.external_id}${r.ticket ? ` · ticket ${r.ticket}` : ''} · ${r.status === 'ok' ? 'OK' : r.status === 'warnings' ? `OK with ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}` : 'QUARANTINED'}`;
  const v3 = r.fields.some((f) => f.payload !== undefined);
  const header = ['field', 'source', 'canonical', ...(v3 ? ['LAPOR! payload'] : []), 'notes'];
  const rows: string[][] = [];
  for (const f of r.fields) {
    const src = f.source_value === undefined ? f.source : `${f.source} = ${show(f.source_value)}`;
    const notes = f.notes.length ? f.notes : [''];
    notes.forEach((note, i) => {
      if (i === 0) rows.push([f.field, src, show(f.canonical_value), ...(v3 ? [f.payload ?? ''] : []), note]);
      else rows.push(['', '', '', ...(v3 ? [''] : []), note]);
    });
  }
  const parts = [head, columns(header, rows)];
  if (r.status === 'quarantined') parts.push(`✖ quarantined: ${r.reason ?? ''}`);
  else if (!v3) parts.push(`${dialect} sends:\n${JSON.stringify(r.payload, null, 2)}`);
  return parts.join('\n');
}

export function formatPreview(report: PreviewReport, options: { full?: boolean } = {}): string {
  const from = report.origin === 'input' ? `from ${report.input_file ?? 'the input file'}` : `from the live source (read only, no cursor saved)`;
  const out = [`mapping preview — source ${report.source}, mapping ${report.mapping_version}, destination ${report.dialect}; ${report.records.length} record${report.records.length === 1 ? '' : 's'} ${from}`];
  if (report.records.length === 0) out.push(report.origin === 'input' ? 'the file holds no records' : 'the source returned no records');
  for (const r of report.records) {
    out.push('', formatPreviewRecord(r, report.dialect));
    if (options.full) {
      out.push('source record:', JSON.stringify(r.source_record, null, 2));
      if (r.canonical) out.push('canonical complaint:', JSON.stringify(r.canonical, null, 2));
      if (r.payload) out.push(`${report.dialect} payload:`, JSON.stringify(r.payload, null, 2));
    }
  }
  out.push('', summaryLine(report.summary));
  if (report.limit_reached) out.push(`(stopped at the limit; pass --limit n for more${report.origin === 'source' ? ', or --since DATE for newer records' : ''})`);
  return out.join('\n');
}
