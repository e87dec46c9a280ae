/**
 * Loads and validates every configuration file once, at startup. Every problem names the file,
 * the key path and (where the YAML has it) the line, and all problems are collected — not just
 * the first — so `config check` can list them together.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { AdapterFactory } from '../adapters/adapter.js';
import { findAdapterFactory, isPluginType, pluginFailure } from '../adapters/plugins.js';
import { adapterKinds } from '../adapters/registry.js';
import { compileMapping, type CompiledMapping } from '../mapping/compile-mapping.js';
import { mappingSpecSchema } from '../mapping/mapping-spec.js';
import { bridgeSettingsSchema, sourceFileSchema, type BridgeSettings } from './settings-schema.js';
import { setSecretBaseDir } from './secrets.js';

export interface ConfigProblem {
  readonly file: string;
  readonly path: string;
  readonly line?: number;
  readonly message: string;
}

export interface LoadedSource {
  readonly id: string;
  readonly file: string;
  readonly enabled: boolean;
  readonly schedule: string;
  readonly adapterKind: string;
  /** The built-in adapter or loaded plugin that reads this source. */
  readonly factory: AdapterFactory<never>;
  readonly adapterConfig: unknown;
  readonly mapping: CompiledMapping;
}

export interface LoadedSettings {
  readonly file: string;
  readonly dir: string;
  readonly settings: BridgeSettings;
  readonly ledgerPath: string;
  readonly lookupsDir: string;
  readonly sources: readonly LoadedSource[];
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map(formatProblem).join('\n')}`);
  }
}

export function formatProblem(p: ConfigProblem): string {
  return `  ${p.file}${p.line ? `:${p.line}` : ''}  ${p.path || '(file)'}: ${p.message}`;
}

interface ParsedYaml {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly value: unknown;
}

function readYaml(file: string, problems: ConfigProblem[]): ParsedYaml | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ file, path: '', message: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message });
    return undefined;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.push({ file, path: '', line: lines.linePos(e.pos[0]).line, message: `YAML: ${e.message.split('\n')[0]}` });
    return undefined;
  }
  return { doc, lines, value: doc.toJS() ?? {} };
}

function lineOf(parsed: ParsedYaml, keyPath: readonly PropertyKey[]): number | undefined {
  for (let n = keyPath.length; n >= 0; n--) {
    const node = parsed.doc.getIn(keyPath.slice(0, n).map((k) => (typeof k === 'symbol' ? String(k) : k)), true);
    if (isNode(node) && node.range) return parsed.lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function pushIssues(problems: ConfigProblem[], file: string, parsed: ParsedYaml, error: z.ZodError, prefix: readonly PropertyKey[] = []): void {
  for (const issue of error.issues) {
    const base = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const p = [...base, key];
        problems.push({ file, path: p.map(String).join('.'), line: lineOf(parsed, p), message: 'unknown key' });
      }
      continue;
    }
    const message = issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message;
    problems.push({ file, path: base.map(String).join('.'), line: lineOf(parsed, base), message });
  }
}

export function loadSettings(file: string): { ok: true; value: LoadedSettings } | { ok: false; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const bridgeFile = path.resolve(file);
  const dir = path.dirname(bridgeFile);
  setSecretBaseDir(dir);

  const parsed = readYaml(bridgeFile, problems);
  if (!parsed) return { ok: false, problems };
  const result = bridgeSettingsSchema.safeParse(parsed.value);
  if (!result.success) pushIssues(problems, bridgeFile, parsed, result.error);
  // source files are checked even when bridge.yaml has problems, so one run lists them all
  const raw = (parsed.value ?? {}) as { sources_dir?: unknown; lookups_dir?: unknown };
  const lookupsDir = path.resolve(dir, result.data?.lookups_dir ?? (typeof raw.lookups_dir === 'string' ? raw.lookups_dir : 'lookups'));
  const sourcesDir = path.resolve(dir, result.data?.sources_dir ?? (typeof raw.sources_dir === 'string' ? raw.sources_dir : 'sources'));

  const sources: LoadedSource[] = [];
  let files: string[] = [];
  try {
    files = fs.readdirSync(sourcesDir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    problems.push({ file: bridgeFile, path: 'sources_dir', line: lineOf(parsed, ['sources_dir']), message: `folder ${sourcesDir} cannot be read` });
  }
  const seen = new Map<string, string>();
  for (const name of files) {
    const sourceFile = path.join(sourcesDir, name);
    const src = readYaml(sourceFile, problems);
    if (!src) continue;
    const base = sourceFileSchema.safeParse(src.value);
    if (!base.success) {
      pushIssues(problems, sourceFile, src, base.error);
      continue;
    }
    const s = base.data;
    if (seen.has(s.id)) {
      problems.push({ file: sourceFile, path: 'id', line: lineOf(src, ['id']), message: `source id "${s.id}" is already used by ${seen.get(s.id)}` });
      continue;
    }
    seen.set(s.id, sourceFile);
    const factory = findAdapterFactory(s.adapter.type, sourcesDir);
    let adapterConfig: unknown;
    if (!factory) {
      const why = isPluginType(s.adapter.type) ? (pluginFailure(s.adapter.type, sourcesDir) ?? `adapter plugin "${s.adapter.type}" is not loaded`) : `unknown adapter "${s.adapter.type}"; known: ${adapterKinds().join(', ')}, or a plugin module path`;
      problems.push({ file: sourceFile, path: 'adapter.type', line: lineOf(src, ['adapter', 'type']), message: why });
    } else {
      const a = factory.configSchema.safeParse(s.adapter);
      if (a.success) adapterConfig = a.data;
      else pushIssues(problems, sourceFile, src, a.error, ['adapter']);
    }
    const m = mappingSpecSchema.safeParse(s.mapping);
    if (!m.success) {
      pushIssues(problems, sourceFile, src, m.error, ['mapping']);
      continue;
    }
    let mapping: CompiledMapping | undefined;
    try {
      mapping = compileMapping(s.mapping, { sourceId: s.id, lookupsDir });
    } catch (err) {
      problems.push({ file: sourceFile, path: 'mapping', line: lineOf(src, ['mapping']), message: (err as Error).message });
    }
    if (factory && adapterConfig !== undefined && mapping) {
      sources.push({ id: s.id, file: sourceFile, enabled: s.enabled, schedule: s.schedule, adapterKind: factory.kind, factory, adapterConfig, mapping });
    }
  }
  const settings = result.data;
  if (problems.length || !settings) return { ok: false, problems };
  return {
    ok: true,
    value: { file: bridgeFile, dir, settings, ledgerPath: path.resolve(dir, settings.ledger.path), lookupsDir, sources },
  };
}

export function loadSettingsOrThrow(file: string): LoadedSettings {
  const r = loadSettings(file);
  if (!r.ok) throw new ConfigError(r.problems);
  return r.value;
}
