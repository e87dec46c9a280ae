/**
 * Dashboard access: one shared token (a secret from the configuration). The browser gets a
 * session cookie that holds an expiry time and an HMAC of it keyed with the token — never the
 * token itself — so rotating the token ends every session. Scripts may send
 * `Authorization: Bearer <token>` instead. Every comparison is constant-time.
 */
import crypto from 'node:crypto';

export const SESSION_COOKIE = 'sp4n_dashboard';
export const LANG_COOKIE = 'sp4n_lang';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

function digest(s: string): Buffer {
  return crypto.createHash('sha256').update(s, 'utf8').digest();
}

/** Constant-time string equality (both sides are hashed first, so lengths never leak). */
export function safeEqual(a: string, b: string): boolean {
  return crypto.timingSafeEqual(digest(a), digest(b));
}

export function sessionValue(token: string, expiresAtMs: number): string {
  const exp = String(Math.floor(expiresAtMs));
  const mac = crypto.createHmac('sha256', token).update(`sp4n-bridge dashboard session\n${exp}`).digest('base64url');
  return `${exp}.${mac}`;
}

export function validSession(token: string, value: string | undefined, nowMs: number): boolean {
  if (!value) return false;
  const m = /^(\d{1,16})\.[A-Za-z0-9_-]{43}$/.exec(value);
  if (!m) return false;
  const exp = Number(m[1]);
  // expired, or further ahead than any session this server hands out
  if (exp <= nowMs || exp > nowMs + SESSION_TTL_MS + 60_000) return false;
  return safeEqual(sessionValue(token, exp), value);
}

export function validBearer(token: string, header: string | undefined): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return !!m && safeEqual(m[1] as string, token);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export function cookie(name: string, value: string, o: { maxAgeSeconds?: number; httpOnly?: boolean; secure?: boolean; path?: string }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${o.path ?? '/dashboard'}`, 'SameSite=Strict'];
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`);
  if (o.httpOnly !== false) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}

/** Failed logins per client address: after `limit` in one window, further attempts are refused. */
export class LoginThrottle {
  private readonly failures = new Map<string, { n: number; since: number }>();

  constructor(
    private readonly limit = 10,
    private readonly windowMs = 60_000,
  ) {}

  blocked(ip: string, nowMs: number): boolean {
    const f = this.failures.get(ip);
    if (!f) return false;
    if (nowMs - f.since > this.windowMs) {
      this.failures.delete(ip);
      return false;
    }
    return f.n >= this.limit;
  }

  fail(ip: string, nowMs: number): void {
    if (this.failures.size > 10_000) this.failures.clear();
    const f = this.failures.get(ip);
    if (!f || nowMs - f.since > this.windowMs) this.failures.set(ip, { n: 1, since: nowMs });
    else f.n++;
  }

  succeed(ip: string): void {
    this.failures.delete(ip);
  }
}
