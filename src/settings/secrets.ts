/**
 * Secrets come from environment variables (`${LAPOR_TOKEN}`) or files (`${file:/etc/sp4n/token}`),
 * never from the YAML itself (DESIGN §7). A resolved secret is wrapped in `Secret`, which prints as
 * `[secret]` in logs, JSON and error messages; its value is registered with the log redactor.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { registerSecretValue } from '../util/redact.js';

export class Secret {
  readonly #value: string;
  constructor(
    value: string,
    readonly ref: string,
    /** The file a `${file:...}` secret was read from (its permissions are checked). */
    readonly file?: string,
  ) {
    this.#value = value;
    registerSecretValue(value);
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return `[secret ${this.ref}]`;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `[secret ${this.ref}]`;
  }
}

const REF_RE = /^\$\{(file:)?([^}]+)\}$/;

/** Where relative `${file:...}` paths are resolved from; set by the settings loader. */
let baseDir = process.cwd();
export function setSecretBaseDir(dir: string): void {
  baseDir = dir;
}
/** The folder relative paths in bridge.yaml are read from while it is being validated. */
export function configBaseDir(): string {
  return baseDir;
}

export function resolveSecretRef(ref: string): { ok: true; value: string; file?: string } | { ok: false; message: string } {
  const m = REF_RE.exec(ref.trim());
  if (!m) return { ok: false, message: 'secrets must come from the environment or a file: write ${ENV_VAR} or ${file:/path/to/secret}, never the value itself' };
  const name = m[2] as string;
  if (m[1]) {
    const file = path.resolve(baseDir, name);
    try {
      const value = fs.readFileSync(file, 'utf8').trim();
      if (!value) return { ok: false, message: `secret file ${file} is empty` };
      return { ok: true, value, file };
    } catch (err) {
      return { ok: false, message: `secret file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
    }
  }
  const value = process.env[name];
  if (value === undefined || value === '') return { ok: false, message: `environment variable ${name} is not set` };
  return { ok: true, value };
}

export const secretSchema = z.string().transform((ref, ctx) => {
  const r = resolveSecretRef(ref);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.message });
    return z.NEVER;
  }
  return new Secret(r.value, ref.trim(), r.file);
});

/** `${VAR}` placeholders in an ordinary (non-secret) value, e.g. a base URL from the environment. */
export function interpolateEnv(text: string): { ok: true; value: string } | { ok: false; message: string } {
  const missing: string[] = [];
  const value = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = process.env[name];
    if (v === undefined || v === '') {
      missing.push(name);
      return '';
    }
    return v;
  });
  return missing.length ? { ok: false, message: `environment variable ${missing.join(', ')} is not set` } : { ok: true, value };
}

/** A string field that may use `${VAR}`, validated by `inner` after interpolation. */
export function withEnv<T extends z.ZodType<unknown, string>>(inner: T) {
  return z
    .string()
    .transform((text, ctx) => {
      const r = interpolateEnv(text);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      return r.value;
    })
    .pipe(inner);
}

/** Every `${file:...}` secret in a settings object, with the key path it sits at. */
export function secretFiles(value: unknown, prefix = '', depth = 0): { key: string; file: string }[] {
  if (value instanceof Secret) return value.file ? [{ key: prefix, file: value.file }] : [];
  if (!value || typeof value !== 'object' || depth > 8) return [];
  return Object.entries(value).flatMap(([k, v]) => secretFiles(v, prefix ? `${prefix}.${k}` : k, depth + 1));
}

/**
 * A file holding a secret or personal data that group or others may read, as a warning line
 * (`chmod` included), or undefined when it is private or absent.
 */
export function looseModeWarning(file: string, what: string): string | undefined {
  let mode: number;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  return `${what} ${file} has mode ${mode.toString(8).padStart(3, '0')}: group or others may read it; run chmod 600 ${file}`;
}
