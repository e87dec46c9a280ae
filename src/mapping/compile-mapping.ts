/**
 * Compiles a source's mapping spec once into a pure function: source record → canonical
 * complaint (with warnings) or a quarantine reason naming the field.
 *
 * All file reads (lookup CSVs) and option checks happen at compile time, so a broken mapping
 * fails at startup, not on the thousandth record.
 */
import { z } from 'zod';
import { sha256, stableStringify } from '../util/stable-json.js';
import type { Warning } from '../ledger/ledger.js';
import { inlineLookup, loadCsvLookup, normaliseKey } from './lookups.js';
import { mappingSpecSchema, type FieldRule, type MappingSpec, type TransformSpec } from './mapping-spec.js';
import { parseDate, parseDatetime, simpleTransforms, TransformError } from './transforms.js';
import { finishComplaint, type MapResult } from './validate-complaint.js';

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
type Value = unknown | typeof MISSING;

class QuarantineSignal extends Error {}

type Step = (value: unknown) => unknown;

function isMissing(v: unknown): boolean {
  return v === MISSING || v === FAILED || v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
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
  const o = spec.lookup;
  const table: Map<string, string | number> = o.file ? loadCsvLookup({ file: o.file, key_column: o.key_column, value_column: o.value_column }, options.lookupsDir) : inlineLookup(o.table ?? {});
  tables.push([...table.entries()]);
  const where = o.file ?? 'inline table';
  return (v) => {
    const hit = table.get(normaliseKey(v));
    if (hit !== undefined) return hit;
    if (o.default !== undefined) return o.default;
    if (o.on_miss === 'keep') return v;
    throw new TransformError(`lookup: "${String(v)}" is not in ${where}`);
  };
}

interface CompiledRule {
  evaluate(record: unknown, warnings: Warning[], field: string): Value;
}

function compileRule(rule: FieldRule, options: CompileOptions, timezone: string, tables: unknown[]): CompiledRule {
  const steps = (rule.transforms ?? []).map((t) => compileTransform(t, options, timezone, tables));
  const candidates = rule.first_of?.map((r) => compileRule(r, options, timezone, tables));
  const source = (record: unknown, warnings: Warning[], field: string): Value => {
    if (rule.path !== undefined) return getPath(record, rule.path);
    if (rule.value !== undefined) return rule.value;
    if (rule.template !== undefined) return renderTemplate(rule.template, record);
    for (const [i, c] of (candidates ?? []).entries()) {
      const v = c.evaluate(record, warnings, field);
      if (!isMissing(v)) return v;
      if (i === (candidates?.length ?? 0) - 1) break;
      const last = warnings[warnings.length - 1];
      const where = rule.first_of?.[i]?.path ? `"${rule.first_of[i]?.path}"` : `candidate ${i + 1}`;
      if (v === FAILED && last) {
        warnings[warnings.length - 1] = { field, message: last.message.replace(/; value dropped$/, `; fell back to candidate ${i + 2}`) };
      } else {
        // an auditor should know the value came from a fallback, even when the first was just absent
        warnings.push({ field, message: `no value at ${where}; fell back to candidate ${i + 2}` });
      }
    }
    return MISSING;
  };
  return {
    evaluate(record, warnings, field) {
      let v = source(record, warnings, field);
      if (isMissing(v)) {
        if (rule.default !== undefined) return rule.default;
        if (rule.required) throw new QuarantineSignal(`${field}: required, but the source has no value${rule.path ? ` at "${rule.path}"` : ''}`);
        return MISSING;
      }
      try {
        for (const step of steps) {
          if (isMissing(v)) break;
          v = step(v);
        }
      } catch (err) {
        if (!(err instanceof TransformError)) throw err;
        const policy = rule.on_error ?? (rule.first_of === undefined && rule.required ? 'quarantine' : 'drop_field');
        if (policy === 'quarantine') throw new QuarantineSignal(`${field}: ${err.message}`);
        if (policy === 'default' && rule.default !== undefined) {
          warnings.push({ field, message: `${err.message}; used the default` });
          return rule.default;
        }
        warnings.push({ field, message: `${err.message}; value dropped` });
        return FAILED;
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
      throw new MappingSpecError(`[${options.sourceId}] mapping field ${field}: ${(err as Error).message}`);
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
          const v = compiled.evaluate(record, warnings, field);
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
