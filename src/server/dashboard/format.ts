/** Dates, ages and small value formatting for the dashboard (times shown in WIB). */
import { DateTime } from 'luxon';
import { html, type SafeHtml } from './html.js';
import type { Translate } from './i18n.js';

export const ZONE = 'Asia/Jakarta';

/** An ISO time as `2026-03-01 14:05:09 WIB`, with the stored UTC value as a tooltip. */
export function time(iso: string | null | undefined): SafeHtml {
  if (!iso) return html`<span class="muted">–</span>`;
  const d = DateTime.fromISO(iso, { setZone: true });
  if (!d.isValid) return html`${iso}`;
  return html`<time datetime="${iso}" title="${iso}">${d.setZone(ZONE).toFormat('yyyy-MM-dd HH:mm:ss')} WIB</time>`;
}

export function timeText(d: Date): string {
  return `${DateTime.fromJSDate(d).setZone(ZONE).toFormat('yyyy-MM-dd HH:mm:ss')} WIB`;
}

export function age(sinceIso: string, now: Date, t: Translate): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(sinceIso)) / 1000));
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d ? t('age_d', { d, h }) : h ? t('age_h', { h, m }) : t('age_m', { m });
}

/** A hash shortened for tables, the full value in a tooltip. */
export function shortHash(hash: string | null | undefined, n = 12): SafeHtml {
  if (!hash) return html`<span class="muted">–</span>`;
  return html`<code title="${hash}">${hash.slice(0, n)}…</code>`;
}

export function dash(v: unknown): SafeHtml | string {
  return v === null || v === undefined || v === '' ? html`<span class="muted">–</span>` : String(v);
}

/** Run counts `{"new":3,"delivered":2,"failed":0}` as `new=3 delivered=2` (zeros left out). */
export function countsText(json: string | null): string {
  if (!json) return '';
  try {
    const counts = JSON.parse(json) as Record<string, unknown>;
    return Object.entries(counts)
      .filter(([, v]) => v !== 0 && v !== null && v !== false && v !== '')
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
  } catch {
    return json;
  }
}

export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
