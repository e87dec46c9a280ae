/**
 * Random fault profiles for the LAPOR! simulator: rules rolled with a seeded PRNG on every
 * matching API request, and the compact text syntax `simulate lapor --faults` accepts:
 *
 *   match:kind[=status]@rate[:retry-after=N], ...
 *   e.g. create:status=503@0.1,create:429@0.05:retry-after=2,create:store-then-hang@0.02
 */

/**
 * What a fault does. The `store-then-*` kinds, `malformed` and `no-id` do the work first (store
 * the complaint or upload), then misbehave; the others misbehave without doing it.
 */
export type FaultKind = 'status' | 'store-then-status' | 'hang' | 'store-then-hang' | 'reset' | 'store-then-reset' | 'malformed' | 'no-id' | '429';

/** `lookup` is the search endpoint; `any` is every API route. */
export type FaultRuleMatch = 'create' | 'upload' | 'lookup' | 'any';

export interface FaultRule {
  match: FaultRuleMatch;
  kind: FaultKind;
  /** Probability (0..1) that the rule fires on a matching request. */
  rate: number;
  /** `status`/`store-then-status`: the reply status (default 500); `malformed`: default 200; `no-id`: default 201 (200 off create). */
  status?: number;
  /** Seconds, sent as `Retry-After`: `429` (default 1), `status`/`store-then-status` (only when given). */
  retryAfter?: number;
}

export interface FaultProfile {
  /** PRNG seed; default 1. The same seed and the same sequence of requests give the same faults. */
  seed?: number;
  /** Checked in order; the first whose dice roll hits applies. */
  rules: FaultRule[];
}

export const FAULT_KINDS: readonly FaultKind[] = ['status', 'store-then-status', 'hang', 'store-then-hang', 'reset', 'store-then-reset', 'malformed', 'no-id', '429'];
export const FAULT_MATCHES: readonly FaultRuleMatch[] = ['create', 'upload', 'lookup', 'any'];

const TAKES_STATUS: ReadonlySet<FaultKind> = new Set(['status', 'store-then-status', 'malformed', 'no-id']);
const TAKES_RETRY_AFTER: ReadonlySet<FaultKind> = new Set(['429', 'status', 'store-then-status']);
const STORES_FIRST: ReadonlySet<FaultKind> = new Set(['store-then-status', 'store-then-hang', 'store-then-reset', 'malformed', 'no-id']);

/** A fault rule or spec that cannot be used; the message names the bad part. */
export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

/** True for kinds that store the complaint (or upload) before misbehaving. */
export function storesFirst(kind: FaultKind): boolean {
  return STORES_FIRST.has(kind);
}

/** Throws FaultSpecError when a rule is unusable; `where` prefixes the message (e.g. `rule 2`). */
export function validateFaultRule(rule: FaultRule, where: string): void {
  const bad = (what: string): never => {
    throw new FaultSpecError(`${where}: ${what}`);
  };
  if (!FAULT_MATCHES.includes(rule.match)) bad(`unknown match "${String(rule.match)}" (expected one of ${FAULT_MATCHES.join(', ')})`);
  if (!FAULT_KINDS.includes(rule.kind)) bad(`unknown kind "${String(rule.kind)}" (expected one of ${FAULT_KINDS.join(', ')})`);
  if (typeof rule.rate !== 'number' || !Number.isFinite(rule.rate) || rule.rate < 0 || rule.rate > 1) bad(`rate "${String(rule.rate)}" is not a probability between 0 and 1`);
  if (rule.status !== undefined) {
    if (!TAKES_STATUS.has(rule.kind)) bad(`kind "${rule.kind}" takes no status (only ${[...TAKES_STATUS].join(', ')} do)`);
    if (!Number.isInteger(rule.status) || rule.status < 200 || rule.status > 599) bad(`status "${String(rule.status)}" is not an HTTP status between 200 and 599`);
  }
  if (rule.retryAfter !== undefined) {
    if (!TAKES_RETRY_AFTER.has(rule.kind)) bad(`kind "${rule.kind}" takes no retry-after (only ${[...TAKES_RETRY_AFTER].join(', ')} do)`);
    if (!Number.isInteger(rule.retryAfter) || rule.retryAfter < 0) bad(`retry-after "${String(rule.retryAfter)}" is not a whole number of seconds`);
  }
}

/** Validates a profile (throwing FaultSpecError) and returns a copy with the default seed filled in. */
export function normaliseFaultProfile(profile: FaultProfile): Required<FaultProfile> {
  const seed = profile.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new FaultSpecError(`fault profile seed "${String(seed)}" is not an integer`);
  if (!Array.isArray(profile.rules)) throw new FaultSpecError('fault profile rules must be an array');
  profile.rules.forEach((rule, i) => validateFaultRule(rule, `fault rule ${i + 1}`));
  return { seed, rules: profile.rules.map((r) => ({ ...r })) };
}

/**
 * Parses `match:kind[=status]@rate[:retry-after=N]` items separated by commas (whitespace around
 * items is ignored). Throws FaultSpecError naming the item and the bad part.
 */
export function parseFaultSpec(text: string): FaultRule[] {
  if (text.trim() === '') throw new FaultSpecError('fault spec is empty (expected match:kind[=status]@rate[:retry-after=N], ...)');
  return text.split(',').map((raw, i) => parseItem(raw.trim(), i + 1));
}

function parseItem(item: string, n: number): FaultRule {
  const where = `fault spec item ${n} "${item}"`;
  const bad = (what: string): never => {
    throw new FaultSpecError(`${where}: ${what}`);
  };
  if (item === '') bad('empty item (stray comma?)');
  const at = item.indexOf('@');
  if (at < 0) bad('missing "@rate" (expected match:kind[=status]@rate[:retry-after=N])');
  if (item.indexOf('@', at + 1) >= 0) bad('more than one "@"');
  const head = item.slice(0, at);
  const [rateText = '', ...options] = item.slice(at + 1).split(':');

  const colon = head.indexOf(':');
  if (colon < 0) bad(`missing "match:" before the kind (match is one of ${FAULT_MATCHES.join(', ')})`);
  const match = head.slice(0, colon);
  if (!FAULT_MATCHES.includes(match as FaultRuleMatch)) bad(`unknown match "${match}" (expected one of ${FAULT_MATCHES.join(', ')})`);
  const kindPart = head.slice(colon + 1);
  const eq = kindPart.indexOf('=');
  const kind = eq < 0 ? kindPart : kindPart.slice(0, eq);
  if (!FAULT_KINDS.includes(kind as FaultKind)) bad(`unknown kind "${kind}" (expected one of ${FAULT_KINDS.join(', ')})`);
  const rule: FaultRule = { match: match as FaultRuleMatch, kind: kind as FaultKind, rate: NaN };

  if (eq >= 0) {
    const statusText = kindPart.slice(eq + 1);
    if (!/^\d{3}$/.test(statusText)) bad(`status "${statusText}" is not a three-digit HTTP status`);
    rule.status = Number(statusText);
  }
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(rateText)) bad(`rate "${rateText}" is not a number between 0 and 1`);
  rule.rate = Number(rateText);
  for (const option of options) {
    const m = /^([a-z-]+)=(.*)$/.exec(option);
    if (!m || m[1] !== 'retry-after') bad(`unknown option "${option}" (the only option is retry-after=N)`);
    const value = (m as RegExpExecArray)[2] as string;
    if (rule.retryAfter !== undefined) bad('retry-after given twice');
    if (!/^\d+$/.test(value)) bad(`retry-after "${value}" is not a whole number of seconds`);
    rule.retryAfter = Number(value);
  }
  validateFaultRule(rule, where);
  return rule;
}

/** The inverse of parseFaultSpec. */
export function formatFaultSpec(rules: readonly FaultRule[]): string {
  return rules
    .map((r) => `${r.match}:${r.kind}${r.status !== undefined ? `=${r.status}` : ''}@${r.rate}${r.retryAfter !== undefined ? `:retry-after=${r.retryAfter}` : ''}`)
    .join(',');
}
