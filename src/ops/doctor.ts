/**
 * `doctor` (DESIGN §9): is this installation able to work right now? Checks the configuration,
 * every enabled source (reachable, authenticated, clock), the destination (reachable,
 * authenticated, clock skew against its `Date` header, lookup, pause) and the ledger (writable,
 * schema, integrity, permissions, free disk, records waiting for a person).
 *
 * Every check gives OK / WARN / FAIL with a detail and, when something is wrong, a hint. Nothing
 * here writes: the ledger is opened read-only (a running daemon is not disturbed) and the network
 * checks are GETs. Secret values are never put in a detail or hint — only their references
 * (`${LAPOR_TOKEN}`), and every text passes through the redactor.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isAxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import Database from 'better-sqlite3';
import { parse } from 'yaml';
import { adapterRegistry } from '../adapters/registry.js';
import { LATEST_VERSION } from '../ledger/migrations/index.js';
import { formatProblem, loadSettings, type ConfigProblem, type LoadedSettings, type LoadedSource } from '../settings/load-settings.js';
import { createHttpClient, destroyHttpClient, tlsWarnings, type HttpClientOptions } from '../net/http-client.js';
import { looseModeWarning, Secret, secretFiles } from '../settings/secrets.js';
import { laporV3AuthHeaders, type LaporV3Config } from '../sinks/lapor-v3/lapor-v3-config.js';
import { silentLogger } from '../util/logger.js';
import { redactText } from '../util/redact.js';

export type DoctorStatus = 'OK' | 'WARN' | 'FAIL';

export interface DoctorCheck {
  /** What was checked, e.g. `source bebeja`, `destination clock`, `ledger schema`. */
  readonly name: string;
  readonly status: DoctorStatus;
  readonly detail: string;
  /** What to do about a WARN or FAIL. */
  readonly hint?: string;
}

export interface DoctorReport {
  /** No FAIL (WARNs allowed). */
  readonly ok: boolean;
  readonly checks: readonly DoctorCheck[];
  readonly counts: Readonly<Record<DoctorStatus, number>>;
}

export interface DoctorOptions {
  /** bridge.yaml */
  readonly configFile: string;
  /** Per check (each source, the destination). */
  readonly timeoutMs: number;
  /**
   * Where the ledger is when the configuration cannot be loaded (from bridge.yaml without
   * resolving secrets), so a broken config still gets its ledger checked.
   */
  readonly fallbackLedgerPath?: string;
  /** This host's clock (injected in tests to simulate skew). */
  readonly now?: () => Date;
}

/** |skew| above this is a WARN. */
export const SKEW_WARN_MS = 60_000;
/** |skew| above this is a FAIL for the destination (tokens, TLS and SLA times go wrong). */
export const SKEW_FAIL_MS = 5 * 60_000;
export const DISK_FAIL_BYTES = 100 * 1024 * 1024;
export const DISK_WARN_BYTES = 1024 * 1024 * 1024;

/** A client from the shared factory (proxy, TLS, timeouts); one connection per call, closed after use. */
async function withClient<T>(o: HttpClientOptions, fn: (client: AxiosInstance) => Promise<T>): Promise<T> {
  const client = createHttpClient({ keepAlive: false, ...o });
  try {
    return await fn(client);
  } finally {
    destroyHttpClient(client);
  }
}

const NTP_HINT = 'keep the clocks in sync: enable NTP (chrony or systemd-timesyncd; `timedatectl` shows the state)';

// ------------------------------------------------------------------------------------ helpers

function check(name: string, status: DoctorStatus, detail: string, hint?: string): DoctorCheck {
  return hint === undefined ? { name, status, detail: redactText(detail) } : { name, status, detail: redactText(detail), hint: redactText(hint) };
}

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)} ms`;
  const seconds = Math.round(abs / 1000);
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return s ? `${m} min ${s} s` : `${m} min`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${Math.round(n / 1024 ** 2)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

/** A URL fit to print: no user name or password in it. */
export function safeUrl(text: string): string {
  try {
    const u = new URL(text);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return text;
  }
}

/** `key.path (${REF})` of every resolved secret in a config object: names only, never values. */
export function secretRefs(value: unknown, prefix = '', depth = 0): string[] {
  if (value instanceof Secret) return [`${prefix} (${value.ref})`];
  if (!value || typeof value !== 'object' || depth > 6) return [];
  return Object.entries(value).flatMap(([k, v]) => secretRefs(v, prefix ? `${prefix}.${k}` : k, depth + 1));
}

/** A value as written in a YAML file (e.g. `${LAPOR_BASE_URL}`), to name it in a hint. */
function rawYamlValue(file: string, keys: readonly string[]): string | undefined {
  try {
    let node: unknown = parse(fs.readFileSync(file, 'utf8'));
    for (const k of keys) node = (node as Record<string, unknown> | null)?.[k];
    return typeof node === 'string' ? node : undefined;
  } catch {
    return undefined;
  }
}

/** `destination.base_url (${LAPOR_BASE_URL} = https://...)` */
function describeSetting(key: string, raw: string | undefined, effective: string): string {
  const url = safeUrl(effective);
  return raw && raw !== effective && raw.includes('${') ? `${key} (${raw} = ${url})` : `${key} (${url})`;
}

function errorCode(err: unknown): string {
  if (isAxiosError(err)) {
    if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT') return 'ETIMEDOUT';
    if (err.code === 'ERR_CANCELED') return 'ABORTED';
    return err.code ?? (err.cause as { code?: string } | undefined)?.code ?? err.message;
  }
  return (err as { code?: string }).code ?? (err as Error).message ?? String(err);
}

/** What to do about a network failure, by error code or message. */
export function connectionHint(code: string, what: string, setting: string): string {
  if (/ENOTFOUND|EAI_AGAIN/.test(code)) return `the host name does not resolve: check ${setting} and this server's DNS`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) return `the TLS certificate is not trusted: add the CA chain as destination.tls.ca_file (or NODE_EXTRA_CA_CERTS), or check ${setting}`;
  if (/ETIMEDOUT|ABORTED|timeout|timed out/i.test(code)) return `${what} did not answer in time: is it reachable from this server? check ${setting}, firewall and proxy (HTTPS_PROXY), or raise --timeout`;
  return `is ${what} reachable from this server? check ${setting}, firewall and proxy (HTTPS_PROXY)`;
}

/**
 * Runs one check with a deadline: on timeout the check is aborted and reported as FAIL; an
 * exception is reported as FAIL too, so one broken check never hides the others.
 */
export async function withTimeout(
  name: string,
  timeoutMs: number,
  fn: (signal: AbortSignal) => Promise<DoctorCheck[]>,
  timeoutHint?: string,
): Promise<DoctorCheck[]> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<DoctorCheck[]>((resolve) => {
    timer = setTimeout(() => {
      ac.abort(new Error(`no answer within ${formatDuration(timeoutMs)}`));
      resolve([check(name, 'FAIL', `no answer within ${formatDuration(timeoutMs)}`, timeoutHint)]);
    }, timeoutMs);
  });
  const work = fn(ac.signal).catch((err: unknown) => [check(name, 'FAIL', `the check failed: ${(err as Error).message ?? String(err)}`, timeoutHint)]);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    if (!ac.signal.aborted) ac.abort();
  }
}

// ------------------------------------------------------------------------------------ clock

export interface SkewAssessment {
  readonly status: DoctorStatus;
  /** server − local, ms; undefined when the reply had no usable Date header. */
  readonly skewMs?: number;
  readonly detail: string;
}

/**
 * Compares a reply's `Date` header with this host's clock at the middle of the request.
 * `failMs` null: a large skew is only a WARN. The header has 1-second resolution.
 */
export function assessClockSkew(who: string, dateHeader: unknown, localMs: number, failMs: number | null = SKEW_FAIL_MS, warnMs = SKEW_WARN_MS): SkewAssessment {
  const serverMs = typeof dateHeader === 'string' ? Date.parse(dateHeader) : Number.NaN;
  if (!Number.isFinite(serverMs)) return { status: 'WARN', detail: `${who} sent no usable Date header; clock skew not checked` };
  // the header is truncated to the second: take the middle of that second, and call anything
  // within a second agreement (the header cannot tell more)
  const raw = serverMs + 500 - localMs;
  const skewMs = Math.abs(raw) <= 1000 ? 0 : raw;
  const abs = Math.abs(skewMs);
  const detail = abs < 1000 ? `${who}'s clock agrees with this host's (within 1 s)` : `${who}'s clock is ${formatDuration(abs)} ${skewMs > 0 ? 'ahead of' : 'behind'} this host's`;
  const status: DoctorStatus = failMs !== null && abs > failMs ? 'FAIL' : abs > warnMs ? 'WARN' : 'OK';
  return { status, skewMs, detail };
}

// ------------------------------------------------------------------------------------ ledger

export interface LedgerSnapshot {
  readonly path: string;
  readonly exists: boolean;
  readonly readable: boolean;
  readonly schemaVersion?: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly pausedDestinations: ReadonlyMap<string, { reason: string | null; since: string | null }>;
  readonly pausedSources: ReadonlyMap<string, { reason: string | null; since: string | null }>;
}

/** The nearest folder on the way to `dir` that exists (the ledger's folder is created at first open). */
function existingAncestor(dir: string): string {
  let d = path.resolve(dir);
  while (!fs.existsSync(d)) {
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  return d;
}

/** The ledger checks; reads only (read-only connection), safe beside a running daemon. */
export function inspectLedger(file: string): { checks: DoctorCheck[]; snapshot: LedgerSnapshot } {
  const checks: DoctorCheck[] = [];
  const dir = path.dirname(file);
  const exists = fs.existsSync(file);
  let snapshot: LedgerSnapshot = { path: file, exists, readable: false, counts: {}, pausedDestinations: new Map(), pausedSources: new Map() };

  let stat: fs.Stats | undefined;
  if (!exists) {
    checks.push(check('ledger file', 'WARN', `no ledger at ${file} yet`, 'it is created on the first sync (sp4n-bridge sync)'));
  } else {
    stat = fs.statSync(file);
    if (!stat.isFile()) {
      checks.push(check('ledger file', 'FAIL', `${file} is not a regular file`, 'ledger.path in bridge.yaml must name a SQLite file'));
      return { checks, snapshot };
    }
    checks.push(check('ledger file', 'OK', `${file} (${formatBytes(stat.size)})`));
  }

  // writable: the file itself, and its folder (SQLite keeps its -wal and -shm files beside it)
  const writableDir = exists ? dir : existingAncestor(dir);
  const problems: string[] = [];
  try {
    fs.accessSync(writableDir, fs.constants.W_OK);
  } catch {
    problems.push(`folder ${writableDir} is not writable`);
  }
  if (exists) {
    try {
      fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    } catch {
      problems.push(`${file} is not readable and writable`);
    }
  }
  if (problems.length) {
    checks.push(check('ledger writable', 'FAIL', `${problems.join('; ')} for this user`, `the bridge's user needs write access to ${writableDir} and the ledger file (SQLite writes its -wal and -shm files beside it)`));
  } else {
    checks.push(check('ledger writable', 'OK', exists ? `${file} and its folder are writable` : `${writableDir} is writable`));
  }

  if (stat) {
    const mode = stat.mode & 0o777;
    if (mode & 0o077) {
      checks.push(check('ledger permissions', 'WARN', `mode ${mode.toString(8).padStart(3, '0')}: group or others may read it (it holds complaint texts)`, `chmod 600 ${file}`));
    } else {
      checks.push(check('ledger permissions', 'OK', `mode ${mode.toString(8).padStart(3, '0')}`));
    }
  }

  try {
    const fsStat = fs.statfsSync(writableDir);
    const free = Number(fsStat.bavail) * Number(fsStat.bsize);
    const detail = `${formatBytes(free)} free on ${writableDir}`;
    const hint = 'free disk space: the ledger and its write-ahead log stop accepting writes when the disk is full';
    if (free < DISK_FAIL_BYTES) checks.push(check('disk space', 'FAIL', detail, hint));
    else if (free < DISK_WARN_BYTES) checks.push(check('disk space', 'WARN', detail, hint));
    else checks.push(check('disk space', 'OK', detail));
  } catch (err) {
    checks.push(check('disk space', 'WARN', `cannot read free space of ${writableDir}: ${(err as Error).message}`));
  }

  if (!exists) return { checks, snapshot };

  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    if (version === 0 && tables.size === 0) {
      checks.push(check('ledger schema', 'WARN', 'the ledger is empty (no tables yet)', 'it is set up on the first sync (sp4n-bridge sync)'));
    } else if (version < LATEST_VERSION) {
      checks.push(check('ledger schema', 'WARN', `schema version ${version}; this bridge uses ${LATEST_VERSION}`, 'it will be migrated on the next start (sync or daemon); take a backup first'));
    } else if (version > LATEST_VERSION) {
      checks.push(check('ledger schema', 'FAIL', `schema version ${version} is newer than this bridge knows (${LATEST_VERSION})`, 'this ledger was written by a newer bridge: upgrade the bridge (never downgrade over a ledger)'));
    } else {
      checks.push(check('ledger schema', 'OK', `schema version ${version} (current)`));
    }

    const quick = (db.pragma('quick_check', { simple: false }) as Record<string, unknown>[]).map((r) => String(Object.values(r)[0]));
    if (quick.length === 1 && quick[0] === 'ok') checks.push(check('ledger integrity', 'OK', 'quick_check: ok'));
    else checks.push(check('ledger integrity', 'FAIL', `quick_check: ${quick.slice(0, 3).join('; ')}${quick.length > 3 ? ` (+${quick.length - 3} more)` : ''}`, 'the file is damaged: stop the bridge and restore the last backup'));

    const counts: Record<string, number> = {};
    if (tables.has('records')) for (const r of db.prepare('SELECT state, count(*) AS n FROM records GROUP BY state').all() as { state: string; n: number }[]) counts[r.state] = r.n;
    const pausedDestinations = new Map<string, { reason: string | null; since: string | null }>();
    if (tables.has('destinations')) {
      for (const r of db.prepare('SELECT name, pause_reason, paused_at FROM destinations WHERE paused = 1').all() as { name: string; pause_reason: string | null; paused_at: string | null }[]) {
        pausedDestinations.set(r.name, { reason: r.pause_reason, since: r.paused_at });
      }
    }
    const pausedSources = new Map<string, { reason: string | null; since: string | null }>();
    const sourceColumns = tables.has('sources') ? new Set((db.prepare('PRAGMA table_info(sources)').all() as { name: string }[]).map((c) => c.name)) : new Set<string>();
    if (sourceColumns.has('paused')) {
      for (const r of db.prepare('SELECT id, pause_reason, paused_at FROM sources WHERE paused = 1').all() as { id: string; pause_reason: string | null; paused_at: string | null }[]) {
        pausedSources.set(r.id, { reason: r.pause_reason, since: r.paused_at });
      }
    }
    snapshot = { ...snapshot, readable: true, schemaVersion: version, counts, pausedDestinations, pausedSources };

    if (tables.has('records')) {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const parts = Object.entries(counts)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([state, n]) => `${state} ${n}`);
      checks.push(check('ledger records', 'OK', total ? `${total} records: ${parts.join(', ')}` : 'no records yet'));
      const review = counts.needs_review ?? 0;
      if (review > 0) {
        checks.push(check('ledger needs_review', 'WARN', `${review} record${review === 1 ? '' : 's'} wait for a person to decide whether LAPOR! has them`, 'sp4n-bridge ledger list --state needs_review, then sp4n-bridge resolve <ref> (--lapor-id, --resend or --drop)'));
      }
      const dead = counts.dead ?? 0;
      if (dead > 0) {
        checks.push(check('ledger dead', 'WARN', `${dead} record${dead === 1 ? '' : 's'} gave up after the retry window (delivery.retry.window)`, 'sp4n-bridge ledger list --state dead, then sp4n-bridge retry --state dead --reason "<why>" once the cause is fixed'));
      }
    }
  } catch (err) {
    checks.push(check('ledger open', 'FAIL', `cannot read ${file}: ${(err as Error).message}`, 'is it a SQLite ledger? check ledger.path in bridge.yaml, or restore the last backup'));
  } finally {
    db?.close();
  }
  return { checks, snapshot };
}

function pauseCheck(name: string, p: { reason: string | null; since: string | null }, resume: string): DoctorCheck {
  return check(name, 'WARN', `paused${p.since ? ` since ${p.since}` : ''}${p.reason ? `: ${p.reason}` : ''}`, `when the cause is fixed: ${resume}`);
}

// ------------------------------------------------------------------------------------ sources

function sourceHint(message: string, s: LoadedSource): string {
  const file = path.basename(s.file);
  const cfg = s.adapterConfig as { base_url?: unknown };
  const base = typeof cfg.base_url === 'string' ? describeSetting('adapter.base_url', rawYamlValue(s.file, ['adapter', 'base_url']), cfg.base_url) : 'the adapter settings';
  if (/HTTP 40[13]\b/.test(message)) {
    const refs = secretRefs(s.adapterConfig, 'adapter');
    return refs.length ? `the source refused the credentials: check ${refs.join(' and ')} in ${file}` : `the source wants credentials: configure adapter.auth in ${file}`;
  }
  if (/HTTP 404\b/.test(message)) return `check ${base} and the path (records_path) in ${file}`;
  if (/HTTP (429|5\d\d)\b/.test(message)) return 'the source is busy or failing; syncs retry it on schedule — try again later';
  if (/not JSON|not a list|more than the/.test(message)) return `the reply is not what the adapter expects: check records_path, records_field and pagination in ${file}`;
  return connectionHint(message, 'the source', `${base} in ${file}`);
}

async function probeSourceClock(s: LoadedSource, signal: AbortSignal, timeoutMs: number, now: () => Date): Promise<DoctorCheck | undefined> {
  const cfg = s.adapterConfig as { base_url?: unknown; incremental?: { clock_skew?: unknown; lookback?: unknown } };
  if (typeof cfg.base_url !== 'string') return undefined;
  const name = `source ${s.id} clock`;
  const started = now().getTime();
  let res: AxiosResponse;
  try {
    // no credentials: any reply (even a 404) carries the server's Date header
    const baseUrl = cfg.base_url;
    res = await withClient({ timeoutMs, axios: { validateStatus: () => true, maxRedirects: 0, responseType: 'text', transformResponse: (d: unknown) => d } }, (c) => c.get(baseUrl, { signal }));
  } catch {
    return undefined; // reachability is the main check's business
  }
  const ended = now().getTime();
  const skewSetting = typeof cfg.incremental?.clock_skew === 'number' ? cfg.incremental.clock_skew : undefined;
  const lookback = typeof cfg.incremental?.lookback === 'number' ? cfg.incremental.lookback : 0;
  // beyond clock_skew + lookback an incremental read can step over records written meanwhile
  const failMs = skewSetting !== undefined ? Math.max(SKEW_FAIL_MS, skewSetting + lookback) : null;
  const a = assessClockSkew(s.id, res.headers.date, (started + ended) / 2, failMs);
  const hint =
    a.status === 'OK' || a.skewMs === undefined
      ? undefined
      : `${NTP_HINT} on this host and the source's; incremental.clock_skew${skewSetting !== undefined ? ` (now ${formatDuration(skewSetting)})` : ''} in ${path.basename(s.file)} must stay above the skew`;
  return check(name, a.status, a.detail, hint);
}

/** One source: its adapter's own check (reachable, authenticated), then its clock. */
export async function checkSource(s: LoadedSource, signal: AbortSignal, timeoutMs: number, now: () => Date): Promise<DoctorCheck[]> {
  const name = `source ${s.id}`;
  if (!s.enabled) return [check(name, 'OK', 'disabled (enabled: false); not checked')];
  const factory = adapterRegistry[s.adapterKind];
  if (!factory) return [check(name, 'FAIL', `unknown adapter "${s.adapterKind}"`, 'run sp4n-bridge config check')];
  const adapter = factory.create(s.adapterConfig as never, { sourceId: s.id, logger: silentLogger(), now });
  const out: DoctorCheck[] = [];
  try {
    await adapter.open();
    if (!adapter.check) return [check(name, 'WARN', `the ${s.adapterKind} adapter has no check; not verified`, `try sp4n-bridge sync --source ${s.id} --dry-run`)];
    const r = await adapter.check(signal);
    if (signal.aborted) return out;
    if (r.ok) out.push(check(name, 'OK', r.message));
    else out.push(check(name, 'FAIL', r.message, sourceHint(r.message, s)));
    if (r.ok || /HTTP \d{3}\b/.test(r.message)) {
      const clock = await probeSourceClock(s, signal, timeoutMs, now);
      if (clock) out.push(clock);
    }
    return out;
  } finally {
    await adapter.close();
  }
}

// ------------------------------------------------------------------------------------ destination

function laporMessage(data: unknown): string {
  const m = data && typeof data === 'object' ? (data as { message?: unknown }).message : undefined;
  return typeof m === 'string' && m.trim() ? ` (${m.trim().slice(0, 120)})` : '';
}

/**
 * LAPOR! v3: GET the institution master list with both auth headers exactly as the sink sends
 * them, compare clocks, probe the lookup endpoint.
 */
/**
 * The legacy XML dialect has no read-only call to test its token with (every call files a
 * complaint), so only reachability is checked.
 */
async function checkLegacyDestination(baseUrl: string, signal: AbortSignal): Promise<DoctorCheck[]> {
  try {
    const res = await withClient({ timeoutMs: 0, axios: { validateStatus: () => true } }, (c) => c.get(baseUrl, { signal }));
    return [{ name: 'destination', status: 'WARN', detail: `lapor-legacy-xml at ${baseUrl} answers (HTTP ${res.status}); its token cannot be tested without filing a complaint`, hint: 'check the token with a first `sync` and watch `ledger status`' }];
  } catch (err) {
    return [{ name: 'destination', status: 'FAIL', detail: `lapor-legacy-xml at ${baseUrl} is not reachable (${isAxiosError(err) ? err.code : String(err)})`, hint: 'check destination.base_url and the network/proxy' }];
  }
}

export async function checkDestination(d: LaporV3Config, configFile: string, signal: AbortSignal, timeoutMs: number, now: () => Date): Promise<DoctorCheck[]> {
  const base = d.base_url.replace(/\/+$/, '');
  const baseSetting = describeSetting('destination.base_url', rawYamlValue(configFile, ['destination', 'base_url']), d.base_url);
  const client = createHttpClient({
    baseURL: base,
    timeoutMs: Math.min(d.timeout || timeoutMs, timeoutMs),
    connectTimeoutMs: d.connect_timeout,
    tls: d.tls,
    keepAlive: false,
    headers: {
      Accept: 'application/json',
      ...laporV3AuthHeaders(d),
    },
    axios: { validateStatus: () => true, maxRedirects: 0 },
  });
  try {
    return await destinationChecks(d, client, base, baseSetting, signal, now);
  } finally {
    destroyHttpClient(client);
  }
}

async function destinationChecks(d: LaporV3Config, client: AxiosInstance, base: string, baseSetting: string, signal: AbortSignal, now: () => Date): Promise<DoctorCheck[]> {
  const out: DoctorCheck[] = [];
  const url = `${d.paths.institutions} at ${safeUrl(base)}`;
  const started = now().getTime();
  let res: AxiosResponse;
  try {
    res = await client.get(d.paths.institutions, { params: { page_size: 1 }, signal });
  } catch (err) {
    const code = errorCode(err);
    out.push(check('destination', 'FAIL', `GET ${url}: ${code}`, connectionHint(code, 'LAPOR!', baseSetting)));
    return out;
  }
  const ended = now().getTime();

  const credentials = `destination.auth.bearer_token (${d.auth.bearer_token.ref}) and destination.auth.app_token (${d.auth.app_token.ref}), sent in the headers named by destination.auth.bearer_header and app_token_header (now "${d.auth.bearer_header}" and "${d.auth.app_token_header}")`;
  const s = res.status;
  if (s >= 200 && s < 300) out.push(check('destination', 'OK', `GET ${url}: HTTP ${s}, credentials accepted`));
  else if (s === 401 || s === 403) out.push(check('destination', 'FAIL', `LAPOR! refused the credentials: GET ${url}: HTTP ${s}${laporMessage(res.data)}`, `check ${credentials}`));
  else if (s === 404) out.push(check('destination', 'WARN', `GET ${url}: HTTP 404`, `check ${baseSetting} (it includes the API base path, e.g. /lapor/3.0.0) and destination.paths.institutions`));
  else if (s === 429 || s >= 500) out.push(check('destination', 'WARN', `GET ${url}: HTTP ${s}${laporMessage(res.data)}`, 'LAPOR! is busy or failing; deliveries retry with backoff — run doctor again later'));
  else out.push(check('destination', 'WARN', `GET ${url}: HTTP ${s}${laporMessage(res.data)}`, `unexpected reply: check ${baseSetting} and destination.paths`));

  const skew = assessClockSkew('LAPOR!', res.headers.date, (started + ended) / 2);
  out.push(check('destination clock', skew.status, skew.detail, skew.status === 'OK' || skew.skewMs === undefined ? undefined : `${NTP_HINT}; a wrong clock breaks token validity, TLS and the SLA times in the ledger (sources have their own margin: incremental.clock_skew)`));

  // lookup: false is reported by the caller (the message depends on delivery.on_in_doubt)
  if (d.lookup !== false && s >= 200 && s < 300) {
    const lookupUrl = `${d.lookup.path} at ${safeUrl(base)}`;
    try {
      const r = await client.get(d.lookup.path, { params: { [d.lookup.param]: 'Ref: sp4n-doctor/probe' }, signal });
      if (r.status >= 200 && r.status < 300) out.push(check('destination lookup', 'OK', `GET ${lookupUrl}: HTTP ${r.status}; in-doubt sends can be reconciled`));
      else if (r.status === 404 || r.status === 405) {
        out.push(check('destination lookup', 'WARN', `GET ${lookupUrl}: HTTP ${r.status}: no search there; in-doubt sends cannot be reconciled`, 'set destination.lookup.path to the search endpoint, or lookup: false if the deployment has none'));
      } else out.push(check('destination lookup', 'WARN', `GET ${lookupUrl}: HTTP ${r.status}${laporMessage(r.data)}`, 'check destination.lookup (path, param)'));
    } catch (err) {
      out.push(check('destination lookup', 'WARN', `GET ${lookupUrl}: ${errorCode(err)}`, 'check destination.lookup (path, param)'));
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------ all

/** Secret files readable by group/others, and TLS verification turned off (issue #10). */
export function securityChecks(config: LoadedSettings): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const files = [...secretFiles(config.settings), ...config.sources.flatMap((s) => secretFiles(s.adapterConfig, `${s.id}: adapter`))];
  for (const f of files) {
    const w = looseModeWarning(f.file, `secret file (${f.key})`);
    out.push(w ? check('secret file', 'WARN', w, `chmod 600 ${f.file} (owned by the bridge's user)`) : check('secret file', 'OK', `${f.key}: ${f.file} is private`));
  }
  const d = config.settings.destination as { tls?: Parameters<typeof tlsWarnings>[1] };
  const insecure = tlsWarnings('the destination', d.tls);
  for (const w of insecure) out.push(check('destination TLS', 'WARN', w, 'remove destination.tls.insecure_skip_verify and set destination.tls.ca_file to the gateway\'s CA chain'));
  if (!insecure.length && d.tls?.ca_file) out.push(check('destination TLS', 'OK', `verified against Node's CAs plus ${d.tls.ca_file}`));
  return out;
}

function configHint(p: ConfigProblem): string {
  const env = /environment variable (\S+) is not set/.exec(p.message);
  if (env) return `set ${env[1]} in the bridge's environment (or use \${file:/path} for a secret)`;
  if (p.message === 'file not found' && !p.path) return 'pass --config <bridge.yaml> (the default, config/bridge.yaml, is relative to the current folder)';
  return 'fix it, then run sp4n-bridge config check';
}

export function countStatuses(checks: readonly DoctorCheck[]): Record<DoctorStatus, number> {
  const counts: Record<DoctorStatus, number> = { OK: 0, WARN: 0, FAIL: 0 };
  for (const c of checks) counts[c.status]++;
  return counts;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const now = options.now ?? (() => new Date());
  const { timeoutMs } = options;
  const checks: DoctorCheck[] = [];

  const loaded = loadSettings(options.configFile);
  let config: LoadedSettings | undefined;
  if (loaded.ok) {
    config = loaded.value;
    const enabled = config.sources.filter((s) => s.enabled).length;
    checks.push(check('config', 'OK', `${config.file} is valid: ${config.sources.length} source${config.sources.length === 1 ? '' : 's'} (${enabled} enabled)`));
    if (enabled === 0) checks.push(check('config', 'WARN', 'no enabled source: nothing will be pulled', `add a file to ${config.settings.sources_dir}/ or set enabled: true`));
    checks.push(...securityChecks(config));
  } else {
    for (const p of loaded.problems) checks.push(check('config', 'FAIL', formatProblem(p).trim(), configHint(p)));
  }

  // the ledger first (local, quick); its pauses belong to the source and destination rows
  const ledgerPath = config?.ledgerPath ?? options.fallbackLedgerPath;
  const ledger = ledgerPath ? inspectLedger(ledgerPath) : undefined;
  const pausedSources = new Map(ledger?.snapshot.pausedSources);
  const pausedDestinations = new Map(ledger?.snapshot.pausedDestinations);

  if (config) {
    const cfg = config;
    const d = cfg.settings.destination;
    const [sourceRows, destinationRows] = await Promise.all([
      Promise.all(
        cfg.sources.map((s) =>
          withTimeout(`source ${s.id}`, timeoutMs, (signal) => checkSource(s, signal, timeoutMs, now), sourceHint('timeout', s)),
        ),
      ),
      withTimeout(
        'destination',
        timeoutMs,
        (signal) => (d.dialect === 'lapor-v3' ? checkDestination(d, cfg.file, signal, timeoutMs, now) : checkLegacyDestination(d.base_url, signal)),
        connectionHint('timeout', 'LAPOR!', describeSetting('destination.base_url', rawYamlValue(cfg.file, ['destination', 'base_url']), d.base_url)),
      ),
    ]);
    cfg.sources.forEach((s, i) => {
      checks.push(...(sourceRows[i] ?? []));
      const p = pausedSources.get(s.id);
      if (p) checks.push(pauseCheck(`source ${s.id} paused`, p, `sp4n-bridge resume --source ${s.id} --reason "<why>"`));
      pausedSources.delete(s.id);
    });
    checks.push(...destinationRows);
    if (d.lookup === false) {
      checks.push(
        cfg.settings.delivery.on_in_doubt === 'retry'
          ? check('destination lookup', 'WARN', 'no lookup (lookup: false) and on_in_doubt: retry: an in-doubt send is sent again and may make a duplicate', 'configure destination.lookup if the deployment has a search, or use on_in_doubt: review')
          : check('destination lookup', 'WARN', 'no lookup: in-doubt sends wait for an operator (needs_review)', 'configure destination.lookup if the deployment has a search; otherwise watch for needs_review records'),
      );
    }
    const p = pausedDestinations.get(d.name);
    if (p) checks.push(pauseCheck('destination paused', p, 'sp4n-bridge resume --reason "<why>"'));
    pausedDestinations.delete(d.name);
  }

  if (ledger) {
    checks.push(...ledger.checks);
    // pauses the config could not place (broken config, or a name no longer configured)
    for (const [name, p] of pausedDestinations) checks.push(pauseCheck(`destination ${name} paused`, p, 'sp4n-bridge resume --reason "<why>"'));
    for (const [id, p] of pausedSources) checks.push(pauseCheck(`source ${id} paused`, p, `sp4n-bridge resume --source ${id} --reason "<why>"`));
  } else {
    checks.push(check('ledger', 'WARN', 'not checked: its path is unknown while bridge.yaml cannot be read', 'pass --config <bridge.yaml>'));
  }

  const counts = countStatuses(checks);
  return { ok: counts.FAIL === 0, checks, counts };
}
