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
  // NIK: 16 digits, also written in groups (36.01.12 120190 0001); any run of 15+ digits (a
  // mistyped NIK is still personal data)
  [/(?<![\d.])\d{2}[.\s]\d{2}[.\s]\d{2}[.\s]?\d{6}[.\s]?\d{4}(?![\d.])/g, '[nik]'],
  [/\d{15,}/g, '[nik]'],
  // Indonesian phone numbers, mobile and landline: +62…, 62…, 0…, with spaces, dots, dashes
  [/(?<![\w\d+])(?:\+62|62|0)[\s.-]?\(?[2-9]\d{1,3}\)?[\s.-]?\d{3,4}[\s.-]?\d{2,5}(?![\d])/g, '[phone]'],
  // e-mail addresses
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
];

export function redactText(text: string): string {
  let out = text;
  for (const s of secretValues) if (out.includes(s)) out = out.split(s).join('[secret]');
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

const SECRET_KEYS = new Set(['authorization', 'auth', 'token', 'x-api-key', 'api_key', 'apikey', 'password', 'secret', 'cookie', 'set-cookie', 'proxy-authorization']);
const PERSONAL_KEYS = new Set(['nik', 'nama', 'name', 'no_hp', 'phone', 'telpon', 'email', 'pelapor', 'reporter', 'namadepan', 'namabelakang']);

/** Deep copy with personal-data keys masked and strings redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function' && !(value instanceof Date)) {
      // e.g. AxiosError.toJSON carries request headers (tokens) and bodies: redact what it gives
      const json = (value as { toJSON(): unknown }).toJSON();
      return typeof json === 'string' ? json : redactValue(json, depth + 1);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = k.toLowerCase();
      if (v === undefined || v === null) out[k] = v;
      else if (SECRET_KEYS.has(key)) out[k] = typeof v === 'string' ? v.replace(/^(bearer|basic)\s+.*/i, '$1 [redacted]').replace(/^(?!bearer|basic).*$/i, '[redacted]') : '[redacted]';
      else if (PERSONAL_KEYS.has(key)) out[k] = '[personal]';
      else out[k] = redactValue(v, depth + 1);
    }
    return out;
  }
  return value;
}
