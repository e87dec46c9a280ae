/**
 * The one place that removes secrets and personal data from text that leaves the process
 * (log lines, error messages, `--json` output, attempt replies stored in the ledger).
 */

const secretValues = new Set<string>();

export function registerSecretValue(value: string): void {
  if (value.length >= 4) secretValues.add(value);
}

const PATTERNS: [RegExp, string][] = [
  // Authorization-like headers and token fields
  [/\b(authorization|auth|token|x-api-key|api[_-]?key|password)(["']?\s*[:=]\s*["']?)(bearer\s+|basic\s+)?[^\s"',}]+/gi, '$1$2$3[redacted]'],
  // NIK: 16 digits not part of a longer number
  [/(?<!\d)\d{16}(?!\d)/g, '[nik]'],
  // Indonesian phone numbers: +62…, 62…, 08…
  [/(?<![\w\d])(?:\+62|62|0)8\d{1,3}[\s.-]?\d{3,4}[\s.-]?\d{2,5}(?!\d)/g, '[phone]'],
  // e-mail addresses
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
];

export function redactText(text: string): string {
  let out = text;
  for (const s of secretValues) if (out.includes(s)) out = out.split(s).join('[secret]');
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

const PERSONAL_KEYS = new Set(['nik', 'nama', 'name', 'no_hp', 'phone', 'telpon', 'email', 'pelapor', 'reporter', 'namadepan', 'namabelakang']);

/** Deep copy with personal-data keys masked and strings redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && !(value instanceof Date)) return (value as { toJSON(): unknown }).toJSON();
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = PERSONAL_KEYS.has(k.toLowerCase()) && v !== undefined && v !== null ? '[personal]' : redactValue(v, depth + 1);
    return out;
  }
  return value;
}
