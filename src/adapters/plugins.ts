/**
 * Adapter plugins: a source's `adapter.type` may name a module instead of a built-in kind —
 * a path (`./plugins/my-adapter.mjs`, relative to the source file) or an installed package
 * (`sp4n-adapter-foo`). The module exports an adapter definition (`AdapterFactory`) as its
 * default export or as `adapter`; its config is validated by its own schema and it runs through
 * the same contract as the built-in adapters. See docs/plugins.md.
 *
 * Modules load asynchronously, so they are loaded once before the configuration is validated
 * (`preloadPlugins`), and looked up synchronously afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import type { AdapterFactory } from './adapter.js';
import { adapterRegistry } from './registry.js';

const loaded = new Map<string, AdapterFactory<never>>();
const failures = new Map<string, string>();

/** Built-in kinds are plain names; anything with a slash, a dot or an @scope is a module. */
export function isPluginType(type: string): boolean {
  return !(type in adapterRegistry) && (/[/\\.]/.test(type) || type.startsWith('@') || type.startsWith('sp4n-adapter-'));
}

/** The module a plugin type names: an absolute file path, or the package name as written. */
export function pluginSpecifier(type: string, sourceFileDir: string): string {
  return type.startsWith('.') || path.isAbsolute(type) ? path.resolve(sourceFileDir, type) : type;
}

function isAdapterFactory(x: unknown): x is AdapterFactory<never> {
  const f = x as Partial<AdapterFactory<unknown>> | undefined;
  return !!f && typeof f.kind === 'string' && typeof f.create === 'function' && typeof (f.configSchema as { safeParse?: unknown } | undefined)?.safeParse === 'function';
}

export async function loadPlugin(type: string, sourceFileDir: string): Promise<AdapterFactory<never>> {
  const spec = pluginSpecifier(type, sourceFileDir);
  const hit = loaded.get(spec);
  if (hit) return hit;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(path.isAbsolute(spec) ? pathToFileURL(spec).href : spec)) as Record<string, unknown>;
  } catch (err) {
    const message = `cannot load adapter plugin "${type}" (${spec}): ${(err as Error).message.split('\n')[0]}`;
    failures.set(spec, message);
    throw new Error(message);
  }
  const factory = mod.default ?? mod.adapter;
  if (!isAdapterFactory(factory)) {
    const message = `adapter plugin "${type}" does not export an adapter definition ({ kind, description, configSchema, create }) as default or "adapter"`;
    failures.set(spec, message);
    throw new Error(message);
  }
  loaded.set(spec, factory);
  failures.delete(spec);
  return factory;
}

/** A built-in kind or an already loaded plugin; undefined when neither. */
export function findAdapterFactory(type: string, sourceFileDir: string): AdapterFactory<never> | undefined {
  return adapterRegistry[type] ?? (isPluginType(type) ? loaded.get(pluginSpecifier(type, sourceFileDir)) : undefined);
}

/** Why a plugin type could not be loaded, for the config error message. */
export function pluginFailure(type: string, sourceFileDir: string): string | undefined {
  return failures.get(pluginSpecifier(type, sourceFileDir));
}

/**
 * Loads every plugin the source files of `bridgeFile` name. Problems are not thrown: the
 * configuration loader reports them, with file and key, like any other config problem.
 */
export async function preloadPlugins(bridgeFile: string): Promise<void> {
  let sourcesDir: string;
  try {
    const doc = parse(fs.readFileSync(bridgeFile, 'utf8')) as { sources_dir?: unknown } | null;
    sourcesDir = path.resolve(path.dirname(path.resolve(bridgeFile)), typeof doc?.sources_dir === 'string' ? doc.sources_dir : 'sources');
  } catch {
    return;
  }
  let files: string[] = [];
  try {
    files = fs.readdirSync(sourcesDir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return;
  }
  for (const f of files) {
    try {
      const type = (parse(fs.readFileSync(path.join(sourcesDir, f), 'utf8')) as { adapter?: { type?: unknown } } | null)?.adapter?.type;
      if (typeof type === 'string' && isPluginType(type)) await loadPlugin(type, sourcesDir).catch(() => undefined);
    } catch {
      /* a broken file is reported by the loader */
    }
  }
}
