/**
 * Compiles a source's mapping spec once into a pure function: source record → canonical
 * complaint (with warnings) or a quarantine reason naming the field.
 *
 * All file reads (lookup CSVs, region tables), pattern compilation and option checks happen at
 * compile time, so a broken mapping fails at startup, not on the thousandth record.
 *
 * Warnings (the `Warning` type in src/ledger/ledger.ts) are what `ledger status` counts and
 * `mapping coverage` reports. Each has `field` (the canonical field) and `message` (for people),
 * and, from this module, a `code` saying why:
 *
 *   code              when                                                      extra
 *   lookup_miss       a code table had no entry for the value (lookup,          value, lookup
 *                     region_code) — whatever happened next: dropped, lookup
 *                     default used, kept as is (on_miss: keep), fallback used,
 *                     or on_error: default used; the message says which
 *   transform_failed  a transform rejected the value; it was dropped, or       value
 *                     first_of fell back to the next candidate
 *   defaulted         a transform rejected the value and `on_error: default`    value
 *                     put the rule's default in its place
 *   fallback          a first_of candidate had no value; a later one was used
 *   dropped           the value failed canonical validation and was dropped     value
 *                     (field is the schema path, e.g. attachments.1.url)
 *   truncated         text was cut to a limit (truncate transform, title, content)
 *   generated         title generated from the content, or content from the title
 *
 * `value` is the source value concerned, as text (at most 200 characters; for lookup_miss the
 * value as it reached the table, after earlier transforms). It is never set for personal or
 * free-text fields (`reporter.*`, `title`, `content`, `location.address`), and messages of
 * `reporter.*` fields never contain the value (UU PDP). `lookup` names the table that missed:
 * the CSV file name, `inline`, or `region_code 36.01`.
 *
 * For a coverage report: group `lookup_miss` warnings by (field, lookup, value) to list what a
 * table lacks; count the rest by (field, code). Warnings come in the order they arose (fields in
 * spec order, then validation). A quarantined record has its `reason` besides any warnings; a
 * personal field's reason is masked the same way.
 */
import path from 'node:path';
import { z } from 'zod';
import { sha256, stableStringify } from '../util/stable-json.js';
import type { Warning, WarningCode } from '../ledger/ledger.js';
import { codePointLength } from './canonical.js';
import { inlineLookup, loadCsvLookup, normaliseKey } from './lookups.js';
import { mappingSpecSchema, type Condition, type FieldRule, type MappingSpec, type TransformSpec } from './mapping-spec.js';
import { buildRegionIndex, loadRegionTable, shippedRegions } from './regions.js';
import { joinList, parseDate, parseDatetime, regexReplace, REGEX_INPUT_MAX, simpleTransforms, splitText, TransformError } from './transforms.js';
import { isPersonalField, warningValue } from './warnings.js';
import { finishComplaint, truncateText, TRUNCATION_MARKER, type MapResult } from './validate-complaint.js';

export type { MapResult } from './validate-complaint.js';

export interface CompileOptions {
  readonly sourceId: string;
  readonly lookupsDir: string;
}

export interface CompiledMapping {
  readonly version: string;
  /** `externalId` is the adapter's key for the record; it is the ledger identity and wins. */
  map(record: unknown, externalId?: string): MapResult;
}

const MISSING = Symbol('missing');
/** A transform failure that was dropped: missing for the record, but distinguishable for first_of. */
const FAILED = Symbol('failed');
type Value = unknown;

class QuarantineSignal extends Error {}

/** What a step may report besides its result (a lookup default used, text truncated). */
interface StepContext {
  warn(w: { message: string; code: WarningCode; value?: unknown; lookup?: string }): void;
}

type Step = (value: unknown, ctx: StepContext) => unknown;

function isMissing(v: unknown): boolean {
  return v === MISSING || v === FAILED || v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

/** For personal fields: the message with the value replaced by ***. */
function safeMessage(field: string, message: string, value: unknown): string {
  if (!isPersonalField(field) || value === undefined || value === null || typeof value === 'object') return message;
  let out = message.split(JSON.stringify(value)).join('***');
  const text = String(value).trim();
  if (text.length >= 3) out = out.split(JSON.stringify(text)).join('***').split(text).join('***');
  return out;
}

function makeWarning(field: string, w: { message: string; code: WarningCode; value?: unknown; lookup?: string | undefined }): Warning {
  const value = warningValue(field, w.value);
  return {
    field,
    message: safeMessage(field, w.message, w.value),
    code: w.code,
    ...(value !== undefined ? { value } : {}),
    ...(w.lookup !== undefined ? { lookup: w.lookup } : {}),
  };
}

/** Reads `a.b[0].c` from a record; undefined when any step is absent. */
export function getPath(record: unknown, path: string): unknown {
  let cur: unknown = record;
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[m[1]];
    }
    for (const idx of m[2]?.match(/\d+/g) ?? []) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[Number(idx)];
    }
  }
  return cur;
}

function textOf(value: unknown, name: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TransformError(`${name}: expected text, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

function compileTransform(spec: TransformSpec, options: CompileOptions, timezone: string, tables: unknown[]): Step {
  if (typeof spec === 'string') {
    if (spec === 'parse_datetime') return (v) => parseDatetime(v, { timezone });
    if (spec === 'parse_date') return (v) => parseDate(v, { timezone });
    const fn = simpleTransforms[spec];
    if (!fn) throw new Error(`unknown transform ${spec}`);
    return fn;
  }
  if ('parse_datetime' in spec) return (v) => parseDatetime(v, { timezone, ...spec.parse_datetime });
  if ('parse_date' in spec) return (v) => parseDate(v, { timezone, ...spec.parse_date });
  if ('truncate' in spec) {
    const { max, marker = TRUNCATION_MARKER } = spec.truncate;
    return (v, ctx) => {
      const text = textOf(v, 'truncate');
      if (codePointLength(text) <= max) return text;
      ctx.warn({ code: 'truncated', message: `truncate: longer than ${max} characters; truncated` });
      return truncateText(text, max, marker);
    };
  }
  if ('regex_replace' in spec) return regexReplace(spec.regex_replace);
  if ('split' in spec) {
    const { separator } = spec.split;
    return (v) => splitText(v, separator);
  }
  if ('join' in spec) {
    const { separator } = spec.join;
    return (v) => joinList(v, separator);
  }
  if ('region_code' in spec) {
    const o = spec.region_code;
    const rows = o.file ? loadRegionTable(path.resolve(options.lookupsDir, o.file)) : shippedRegions();
    const index = buildRegionIndex(rows, o.regency, o.level, o.file ?? 'the shipped region data (config/regions/)');
    tables.push({ region_code: o, entries: index.entries });
    const lookup = `region_code ${o.regency}`;
    return (v) => {
      const r = index.resolve(textOf(v, 'region_code'));
      if ('code' in r) return r.code;
      throw new TransformError(`region_code: ${r.reason}`, { value: v, lookup });
    };
  }
  const o = spec.lookup;
  const table: Map<string, string | number> = o.file ? loadCsvLookup({ file: o.file, key_column: o.key_column, value_column: o.value_column }, options.lookupsDir) : inlineLookup(o.table ?? {});
  tables.push([...table.entries()]);
  const where = o.file ?? 'inline table';
  const lookup = o.file ?? 'inline';
  return (v, ctx) => {
    const hit = table.get(normaliseKey(v));
    if (hit !== undefined) return hit;
    const miss = `lookup: ${JSON.stringify(String(v))} is not in ${where}`;
    if (o.default !== undefined) {
      ctx.warn({ code: 'lookup_miss', message: `${miss}; used the lookup default ${JSON.stringify(o.default)}`, value: v, lookup });
      return o.default;
    }
    if (o.on_miss === 'keep') {
      ctx.warn({ code: 'lookup_miss', message: `${miss}; kept the value as it is`, value: v, lookup });
      return v;
    }
    throw new TransformError(miss, { value: v, lookup });
  };
}

/** A condition on the record, compiled once. Values compare as text, case and surrounding spaces ignored. */
function compileCondition(c: Condition): (record: unknown) => boolean {
  const scalarText = (record: unknown): string | undefined => {
    const v = getPath(record, c.path);
    if (isMissing(v) || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) return undefined;
    return String(v);
  };
  if (c.exists !== undefined) {
    const want = c.exists;
    return (record) => !isMissing(getPath(record, c.path)) === want;
  }
  if (c.matches !== undefined) {
    const re = new RegExp(c.matches, 'iu');
    return (record) => {
      const text = scalarText(record);
      if (text === undefined) return false;
      if (text.length > REGEX_INPUT_MAX) throw new TransformError(`when: the value at "${c.path}" is longer than ${REGEX_INPUT_MAX} characters; not searched`);
      return re.test(text.trim());
    };
  }
  const wanted = new Set((c.in ?? [c.equals]).map((x) => normaliseKey(x)));
  return (record) => {
    const text = scalarText(record);
    return text !== undefined && wanted.has(normaliseKey(text));
  };
}

interface EvalContext {
  readonly record: unknown;
  readonly warnings: Warning[];
  readonly field: string;
}

interface CompiledRule {
  evaluate(ctx: EvalContext): Value;
}

/**
 * A `then`/`else` branch is the rule's only source, so a failure in it is handled as the rule
 * says: it inherits the rule's on_error (quarantine when the rule is required) and default,
 * unless it sets its own.
 */
function branch(rule: FieldRule, b: FieldRule): FieldRule {
  const onError = b.on_error ?? rule.on_error ?? (rule.required ? 'quarantine' : undefined);
  return { ...b, ...(onError ? { on_error: onError } : {}), ...(b.default === undefined && rule.default !== undefined ? { default: rule.default } : {}) };
}

function compileRule(rule: FieldRule, options: CompileOptions, timezone: string, tables: unknown[]): CompiledRule {
  const steps = (rule.transforms ?? []).map((t) => compileTransform(t, options, timezone, tables));
  const candidates = rule.first_of?.map((r) => compileRule(r, options, timezone, tables));
  const condition = rule.when ? compileCondition(rule.when) : undefined;
  const thenRule = rule.then ? compileRule(branch(rule, rule.then), options, timezone, tables) : undefined;
  const elseRule = rule.else ? compileRule(branch(rule, rule.else), options, timezone, tables) : undefined;

  const source = (ctx: EvalContext): Value => {
    const { record, warnings, field } = ctx;
    if (rule.path !== undefined) return getPath(record, rule.path);
    if (rule.value !== undefined) return rule.value;
    if (rule.template !== undefined) return renderTemplate(rule.template, record);
    if (condition) {
      if (condition(record)) return thenRule ? thenRule.evaluate(ctx) : MISSING;
      return elseRule ? elseRule.evaluate(ctx) : MISSING;
    }
    for (const [i, c] of (candidates ?? []).entries()) {
      const before = warnings.length;
      const v = c.evaluate(ctx);
      if (!isMissing(v)) return v;
      if (i === (candidates?.length ?? 0) - 1) break;
      const last = warnings[warnings.length - 1];
      const where = rule.first_of?.[i]?.path ? `"${rule.first_of[i]?.path}"` : `candidate ${i + 1}`;
      if (v === FAILED && last && warnings.length > before) {
        // the candidate's own warning says why it failed; it now also says what happened next
        warnings[warnings.length - 1] = { ...last, message: last.message.replace(/; value dropped$/, `; fell back to candidate ${i + 2}`) };
      } else {
        // an auditor should know the value came from a fallback, even when the first was just absent
        warnings.push({ field, message: `no value at ${where}; fell back to candidate ${i + 2}`, code: 'fallback' });
      }
    }
    return MISSING;
  };

  /** A rejected value: quarantine, default or drop, by the rule's on_error. */
  const failed = (err: TransformError, input: unknown, ctx: EvalContext): Value => {
    const { field, warnings } = ctx;
    const policy = rule.on_error ?? (rule.first_of === undefined && rule.required ? 'quarantine' : 'drop_field');
    const value = err.value !== undefined ? err.value : input;
    if (policy === 'quarantine') throw new QuarantineSignal(`${field}: ${safeMessage(field, err.message, value)}`);
    const code: WarningCode = err.lookup !== undefined ? 'lookup_miss' : policy === 'default' && rule.default !== undefined ? 'defaulted' : 'transform_failed';
    if (policy === 'default' && rule.default !== undefined) {
      warnings.push(makeWarning(field, { message: `${err.message}; used the default`, code, value, lookup: err.lookup }));
      return rule.default;
    }
    warnings.push(makeWarning(field, { message: `${err.message}; value dropped`, code, value, lookup: err.lookup }));
    return FAILED;
  };

  return {
    evaluate(ctx) {
      const { field, warnings } = ctx;
      const stepCtx: StepContext = { warn: (w) => warnings.push(makeWarning(field, w)) };
      let v: Value;
      try {
        v = source(ctx);
      } catch (err) {
        if (!(err instanceof TransformError)) throw err;
        return failed(err, undefined, ctx);
      }
      if (isMissing(v)) {
        if (rule.default !== undefined) return rule.default;
        if (rule.required) throw new QuarantineSignal(`${field}: required, but the source has no value${rule.path ? ` at "${rule.path}"` : ''}`);
        return v === FAILED ? FAILED : MISSING;
      }
      let input: unknown = v;
      try {
        for (const step of steps) {
          if (isMissing(v)) break;
          input = v;
          v = step(v, stepCtx);
        }
      } catch (err) {
        if (!(err instanceof TransformError)) throw err;
        return failed(err, input, ctx);
      }
      if (isMissing(v)) {
        if (rule.default !== undefined) return rule.default;
        if (rule.required) throw new QuarantineSignal(`${field}: required, but the value is empty after transforms`);
        return MISSING;
      }
      return v;
    },
  };
}

function renderTemplate(template: string, record: unknown): Value {
  let any = false;
  const text = template.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_, p: string) => {
    const v = getPath(record, p);
    if (isMissing(v)) return '';
    any = true;
    return String(v);
  });
  if (!any) return MISSING;
  // placeholders that were empty leave dangling separators: ", , Desa" → "Desa"
  return text
    .replace(/(?:\s*[,;]\s*){2,}/g, ', ')
    .replace(/^[\s,;]+|[\s,;]+$/g, '')
    .trim();
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) {
    target[head] = value;
    return;
  }
  const inner = (target[head] ??= {}) as Record<string, unknown>;
  inner[tail] = value;
}

export class MappingSpecError extends Error {
  readonly code = 'MAPPING_SPEC';
  /** Where in the source file the problem is, when known: ['mapping', 'fields', 'title']. */
  readonly keyPath: readonly (string | number)[];
  constructor(message: string, keyPath: readonly (string | number)[] = ['mapping']) {
    super(message);
    this.keyPath = keyPath;
  }
}

export function compileMapping(input: unknown, options: CompileOptions): CompiledMapping {
  const parsed = mappingSpecSchema.safeParse(input);
  if (!parsed.success) {
    throw new MappingSpecError(`[${options.sourceId}] mapping: ${z.prettifyError(parsed.error)}`);
  }
  const spec: MappingSpec = parsed.data;
  const tables: unknown[] = [];
  const rules = Object.entries(spec.fields).map(([field, rule]) => {
    try {
      return { field, rule, compiled: compileRule(rule, options, spec.timezone, tables) };
    } catch (err) {
      throw new MappingSpecError(`[${options.sourceId}] mapping field ${field}: ${(err as Error).message}`, ['mapping', 'fields', field]);
    }
  });
  const strictFields = new Set(rules.filter((r) => r.rule.on_error === 'quarantine').map((r) => r.field));
  // the version changes when the spec or any table it uses changes: quarantined records are then re-evaluated
  const version = sha256(stableStringify({ spec, tables })).slice(0, 12);

  return {
    version,
    map(record: unknown, externalId?: string): MapResult {
      const warnings: Warning[] = [];
      const draft: Record<string, unknown> = {};
      try {
        for (const { field, compiled } of rules) {
          const v = compiled.evaluate({ record, warnings, field });
          if (v !== MISSING && v !== FAILED) setPath(draft, field, v);
        }
      } catch (err) {
        if (err instanceof QuarantineSignal) return { ok: false, reason: err.message, warnings };
        throw err;
      }
      if (externalId !== undefined) setPath(draft, 'source.external_id', externalId);
      return finishComplaint(draft, { sourceId: options.sourceId, strictFields, warnings });
    },
  };
}
