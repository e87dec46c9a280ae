/**
 * The dashboard's pages, server-rendered, no client script. Every value goes through the `html`
 * template, which escapes it; personal data (the reporter, the complaint text) is never read
 * into a page.
 */
import { statusTime, writeBackTime, type FollowThrough } from '../../ledger/audit-queries.js';
import type { EventRow, RecordRow } from '../../ledger/ledger.js';
import { recordStates } from '../../ledger/record-state.js';
import { NO_AGENCY, type SlaComplaint, type SlaReport } from '../../ledger/sla-report.js';
import type { RecordVersionRow } from '../../ledger/sqlite-ledger.js';
import type { VerifyReport } from '../../ledger/verify-ledger.js';
import { redactText } from '../../util/redact.js';
import { age, countsText, dash, shortHash, time, timeText, truncate } from './format.js';
import { html, url, type HtmlValue, type SafeHtml } from './html.js';
import { stateName, term, type Lang, type Translate } from './i18n.js';
import type { AttemptRow, Overview, RunRow } from './queries.js';

export const BASE = '/dashboard';

export interface PageContext {
  readonly lang: Lang;
  readonly t: Translate;
  readonly now: Date;
  /** Path of this page (without query) and its query, for the language switch. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly ledgerPath: string;
}

type Nav = 'overview' | 'records' | 'review' | 'failures' | 'sla' | 'runs' | 'verify' | 'none';

const STATE_TONE: Record<string, string> = {
  delivered: 'good',
  update_pending: 'good',
  pending: 'info',
  sending: 'info',
  new: 'info',
  retry_wait: 'warn',
  quarantined: 'warn',
  dropped: 'muted',
  in_doubt: 'bad',
  needs_review: 'bad',
  rejected: 'bad',
  dead: 'bad',
};

export function recordRef(r: { source_id: string; external_id: string }): string {
  return `${r.source_id}/${r.external_id}`;
}

export function recordUrl(r: { source_id: string; external_id: string }): string {
  return `${BASE}/records/${encodeURIComponent(recordRef(r))}`;
}

function badge(ctx: PageContext, state: string): SafeHtml {
  return html`<span class="badge ${STATE_TONE[state] ?? 'muted'}" title="${state}">${stateName(ctx.lang, state)}</span>`;
}

function langSwitch(ctx: PageContext): SafeHtml {
  const other: Lang = ctx.lang === 'id' ? 'en' : 'id';
  return html`<a class="lang" href="${url(ctx.path, { ...ctx.query, lang: other })}" hreflang="${other}" lang="${other}">${ctx.t('switch_lang')}</a>`;
}

function page(ctx: PageContext, o: { title: string; nav: Nav; body: HtmlValue; chrome?: boolean }): SafeHtml {
  const { t } = ctx;
  const link = (key: Nav, href: string, label: string) => html`<a href="${href}"${key === o.nav ? html` aria-current="page"` : ''}>${label}</a>`;
  const chrome = o.chrome !== false;
  return html`<!doctype html>
<html lang="${ctx.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${o.title} · ${t('app_title')}</title>
<link rel="stylesheet" href="${BASE}/assets/style.css">
</head>
<body>
<header class="top">
  <a class="brand" href="${BASE}">SP4N Bridge <span>${t('app_title').replace(/^SP4N Bridge — /, '')}</span></a>
  ${chrome
    ? html`<nav aria-label="menu">
    ${link('overview', BASE, t('nav_overview'))}
    ${link('records', `${BASE}/records`, t('nav_records'))}
    ${link('review', url(`${BASE}/records`, { state: 'needs_review' }), t('nav_review'))}
    ${link('failures', `${BASE}/failures`, t('nav_failures'))}
    ${link('sla', `${BASE}/sla`, t('nav_sla'))}
    ${link('runs', `${BASE}/runs`, t('nav_runs'))}
    ${link('verify', `${BASE}/verify`, t('nav_verify'))}
  </nav>
  <form class="search" method="get" action="${BASE}/search" role="search">
    <label for="q">${t('search_label')}</label>
    <input id="q" name="q" type="search" placeholder="${t('search_placeholder')}" value="${o.nav === 'none' ? (ctx.query.q ?? '') : ''}">
    <button type="submit">${t('search_button')}</button>
  </form>`
    : ''}
  <div class="tools">
    ${langSwitch(ctx)}
    ${chrome ? html`<form method="post" action="${BASE}/logout"><button type="submit" class="link">${t('logout')}</button></form>` : ''}
  </div>
</header>
<main>
<h1>${o.title}</h1>
${o.body}
</main>
<footer>${t('read_only')}${chrome ? html` · ${t('ledger')}: <code>${ctx.ledgerPath}</code>` : ''} · ${t('generated', { time: timeText(ctx.now) })}</footer>
</body>
</html>
`;
}

function table(headers: readonly string[], rows: readonly HtmlValue[][], empty: string, className = ''): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<div class="scroll"><table class="${className}">
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

function exportLinks(ctx: PageContext, state?: string): SafeHtml {
  const { t } = ctx;
  const item = (table: string, label: string) => html`<a class="button" href="${url(`${BASE}/export.csv`, { table, state })}" download>${label} (CSV)</a>`;
  return html`<section class="export">
<h2>${t('export_title')}${state ? html` <small>${t('export_state_note', { state: stateName(ctx.lang, state) })}</small>` : ''}</h2>
<p class="buttons">${item('records', t('export_records'))} ${item('attempts', t('export_attempts'))} ${item('events', t('export_events'))} ${item('statuses', t('export_statuses'))} ${item('write_backs', t('export_write_backs'))}</p>
</section>`;
}

function runsTable(ctx: PageContext, runs: readonly RunRow[]): SafeHtml {
  const { t } = ctx;
  return table(
    [t('col_id'), t('col_kind'), t('col_source'), t('col_started'), t('col_finished'), t('col_status'), t('col_counts'), t('col_error')],
    runs.map((r) => [
      String(r.id),
      r.kind,
      dash(r.source_id),
      time(r.started_at),
      time(r.finished_at),
      html`<span class="badge ${r.status === 'ok' ? 'good' : r.status === 'failed' ? 'bad' : 'info'}">${r.status}</span>`,
      html`<span class="counts">${countsText(r.counts_json)}</span>`,
      r.error ? truncate(redactText(r.error), 300) : '',
    ]),
    t('none'),
  );
}

// ---------------------------------------------------------------- overview

/** `sla`: the SLA report now (null when it could not be computed: the tile says so). */
export function overviewPage(ctx: PageContext, o: Overview, sla: SlaReport | null = null): SafeHtml {
  const { t } = ctx;
  const n = (s: string) => o.counts[s] ?? 0;
  const warnings: string[] = [];
  for (const d of o.destinations) if (d.paused) warnings.push(t('warn_destination_paused', { name: d.name, since: d.paused_at ?? '?', reason: d.pause_reason ?? '' }));
  for (const s of o.sources) if (s.paused) warnings.push(t('warn_source_paused', { name: s.name, since: s.paused_at ?? '?', reason: s.pause_reason ?? '' }));
  if (n('needs_review')) warnings.push(t('warn_needs_review', { n: n('needs_review') }));
  if (n('in_doubt')) warnings.push(t('warn_in_doubt', { n: n('in_doubt') }));
  if (n('dead')) warnings.push(t('warn_dead', { n: n('dead') }));
  if (n('rejected')) warnings.push(t('warn_rejected', { n: n('rejected') }));
  if (n('quarantined')) warnings.push(t('warn_quarantined', { n: n('quarantined') }));
  if (sla?.totals.overdue) warnings.push(t('warn_sla_overdue', { n: sla.totals.overdue }));
  for (const r of o.failedRuns) warnings.push(t('warn_run_failed', { kind: r.kind, source: r.source_id ? ` (${r.source_id})` : '', error: truncate(redactText(r.error ?? '?'), 200) }));

  const paused = o.destinations.filter((d) => d.paused);
  // a destination has a row once it was paused or resumed; none means it never was
  const destination = paused.length ? `${t('paused')}: ${paused.map((d) => d.name).join(', ')}` : t('not_paused');

  const states = recordStates.filter((s) => s !== 'new' || n(s) > 0);
  const stateTiles = states.map(
    (s) => html`<a class="tile ${n(s) ? (STATE_TONE[s] ?? '') : 'zero'}" href="${url(`${BASE}/records`, { state: s })}"><span class="num">${n(s)}</span><span class="label">${stateName(ctx.lang, s)}</span></a>`,
  );
  const keyTiles = html`
<div class="tile ${n('in_doubt') ? 'bad' : 'zero'}"><span class="num">${n('in_doubt')}</span><span class="label">${t('tile_in_doubt')}</span></div>
<div class="tile ${n('needs_review') ? 'bad' : 'zero'}"><span class="num">${n('needs_review')}</span><span class="label">${t('tile_needs_review')}</span></div>
<div class="tile ${o.warnings ? 'warn' : 'zero'}"><span class="num">${o.warnings}</span><span class="label">${t('tile_warnings')}</span></div>
<div class="tile ${o.oldestUndelivered ? 'info' : 'zero'}"><span class="num small">${o.oldestUndelivered ? age(o.oldestUndelivered, ctx.now, t) : t('none_undelivered')}</span><span class="label">${t('tile_oldest')}</span>${o.oldestUndelivered ? html`<span class="sub">${time(o.oldestUndelivered)}</span>` : ''}</div>
<div class="tile ${paused.length ? 'bad' : 'good'}"><span class="num small">${destination}</span><span class="label">${t('tile_destination')}</span></div>
${sla
  ? html`<a class="tile sla-overdue ${sla.totals.overdue ? 'bad' : 'zero'}" href="${BASE}/sla"><span class="num">${sla.totals.overdue}</span><span class="label">${t('tile_sla_overdue')}</span></a>
<a class="tile sla-at-risk ${sla.totals.at_risk ? 'warn' : 'zero'}" href="${BASE}/sla"><span class="num">${sla.totals.at_risk}</span><span class="label">${t('tile_sla_at_risk')}</span></a>`
  : ''}`;

  const body = html`
<section class="attention ${warnings.length ? 'has' : 'ok'}" aria-labelledby="att">
<h2 id="att">${t('attention')}</h2>
${warnings.length ? html`<ul>${warnings.map((w) => html`<li>${w}</li>`)}</ul>` : html`<p>${t('attention_none')}</p>`}
</section>
<section class="tiles key">${keyTiles}</section>
<section>
<h2>${t('by_state')} <small>${t('total')}: ${o.total}</small></h2>
<div class="tiles">${stateTiles}</div>
</section>
<section class="head">
<h2>${t('head_hash')}</h2>
<p>${o.head ? html`#${o.head.id} <code class="hash">${o.head.hash}</code>` : html`<span class="muted">${t('none')}</span>`} · <a href="${BASE}/verify">${t('nav_verify')} →</a></p>
</section>
<section>
<h2>${t('last_runs')}</h2>
${runsTable(ctx, o.lastRuns)}
<p><a href="${BASE}/runs">${t('nav_runs')} →</a></p>
</section>
<section>
<h2>${t('sources')}</h2>
${table(
  [t('col_source'), t('col_kind'), t('col_mapping_version'), t('col_cursor_at'), t('col_paused')],
  o.sources.map((s) => [s.name, s.kind, dash(s.mapping_version), time(s.cursor_at), s.paused ? html`<span class="badge bad">${t('paused')}</span> ${s.pause_reason ?? ''}` : t('no')]),
  t('none'),
)}
</section>
<section class="sla">
<h2>${t('sla_title')}</h2>
${sla
  ? html`<p>${t('sla_summary', { overdue: sla.totals.overdue, at_risk: sla.totals.at_risk, followed: sla.totals.followed, done: sla.totals.done })}</p>
${slaCountsTable(ctx, sla.by_agency.filter((a) => a.overdue || a.at_risk), 'agency')}
<p><a href="${BASE}/sla">${t('sla_link')}</a></p>`
  : html`<p class="muted">${t('none')}</p>`}
</section>
${exportLinks(ctx)}`;
  return page(ctx, { title: t('nav_overview'), nav: 'overview', body });
}

// ---------------------------------------------------------------- lists

export type ListedRecord = RecordRow & { title: string | null };

function recordsTable(ctx: PageContext, rows: readonly ListedRecord[]): SafeHtml {
  const { t } = ctx;
  return table(
    [t('col_ref'), t('col_ticket'), t('col_title'), t('col_state'), t('col_lapor_id'), t('col_version'), t('col_attempts'), t('col_warnings'), t('col_updated'), t('col_note')],
    rows.map((r) => [
      html`<a href="${recordUrl(r)}">${recordRef(r)}</a>`,
      dash(r.ticket),
      r.title ? truncate(r.title, 80) : dash(null),
      badge(ctx, r.state),
      dash(r.lapor_id),
      String(r.version),
      String(r.attempt_count),
      String(r.warning_count),
      time(r.updated_at),
      r.quarantine_reason ?? r.last_error ? truncate(redactText((r.quarantine_reason ?? r.last_error) as string), 160) : '',
    ]),
    t('none'),
  );
}

function pager(ctx: PageContext, total: number, pageNo: number, size: number): SafeHtml {
  const { t } = ctx;
  if (total === 0) return html``;
  const from = (pageNo - 1) * size + 1;
  const to = Math.min(total, pageNo * size);
  const link = (p: number, label: string) => html`<a href="${url(ctx.path, { ...ctx.query, page: p })}">${label}</a>`;
  return html`<p class="pager">${t('showing', { from, to, total })} ${pageNo > 1 ? link(pageNo - 1, t('prev')) : ''} ${to < total ? link(pageNo + 1, t('next')) : ''}</p>`;
}

export function listPage(ctx: PageContext, o: { state?: string; rows: ListedRecord[]; total: number; page: number; size: number }): SafeHtml {
  const { t } = ctx;
  const title = o.state ? t('list_title_state', { state: stateName(ctx.lang, o.state) }) : t('list_title_all');
  const body = html`
<form class="filter" method="get" action="${BASE}/records">
<label for="state">${t('col_state')}</label>
<select id="state" name="state">
<option value="">–</option>
${recordStates.map((s) => html`<option value="${s}"${s === o.state ? html` selected` : ''}>${stateName(ctx.lang, s)}</option>`)}
</select>
<button type="submit">OK</button>
</form>
${pager(ctx, o.total, o.page, o.size)}
${recordsTable(ctx, o.rows)}
${pager(ctx, o.total, o.page, o.size)}
${exportLinks(ctx, o.state)}`;
  return page(ctx, { title, nav: o.state === 'needs_review' ? 'review' : 'records', body });
}

export function failuresPage(ctx: PageContext, o: { counts: Record<string, number>; rows: ListedRecord[]; total: number; page: number; size: number }): SafeHtml {
  const { t } = ctx;
  const body = html`
<div class="tiles">${Object.entries(o.counts).map(
    ([s, n]) => html`<a class="tile ${n ? (STATE_TONE[s] ?? '') : 'zero'}" href="${url(`${BASE}/records`, { state: s })}"><span class="num">${n}</span><span class="label">${stateName(ctx.lang, s)}</span></a>`,
  )}</div>
${pager(ctx, o.total, o.page, o.size)}
${recordsTable(ctx, o.rows)}
${pager(ctx, o.total, o.page, o.size)}`;
  return page(ctx, { title: t('failures_title'), nav: 'failures', body });
}

export function runsPage(ctx: PageContext, o: { rows: RunRow[]; total: number; page: number; size: number }): SafeHtml {
  const body = html`${pager(ctx, o.total, o.page, o.size)}${runsTable(ctx, o.rows)}${pager(ctx, o.total, o.page, o.size)}`;
  return page(ctx, { title: ctx.t('nav_runs'), nav: 'runs', body });
}

export function searchPage(ctx: PageContext, q: string, rows: ListedRecord[]): SafeHtml {
  const { t } = ctx;
  const body = !q.trim() ? html`<p>${t('search_empty')}</p>` : rows.length === 0 ? html`<p class="notice">${t('search_not_found', { q })}</p>` : recordsTable(ctx, rows);
  return page(ctx, { title: q.trim() ? t('search_results', { q }) : t('search_label'), nav: 'none', body });
}

// ---------------------------------------------------------------- SLA

function agencyName(ctx: PageContext, agency: string): string {
  return agency === NO_AGENCY ? term(ctx.lang, NO_AGENCY) : agency;
}

function slaBadge(ctx: PageContext, state: 'overdue' | 'at_risk'): SafeHtml {
  return html`<span class="badge ${state === 'overdue' ? 'bad' : 'warn'}" title="${state}">${term(ctx.lang, state)}</span>`;
}

function slaCountsTable(ctx: PageContext, rows: readonly { agency?: string; source?: string; overdue: number; at_risk: number; followed: number }[], by: 'agency' | 'source'): SafeHtml {
  const { t } = ctx;
  return table(
    [by === 'agency' ? t('col_agency') : t('col_source'), t('col_overdue'), t('col_at_risk'), t('col_followed')],
    rows.map((g, i) => [
      by === 'agency' ? (g.overdue || g.at_risk ? html`<a href="${BASE}/sla#agency-${i + 1}">${agencyName(ctx, g.agency ?? '')}</a>` : agencyName(ctx, g.agency ?? '')) : (g.source ?? ''),
      g.overdue ? html`<strong>${g.overdue}</strong>` : '0',
      String(g.at_risk),
      String(g.followed),
    ]),
    t('none'),
    `sla-counts by-${by}`,
  );
}

function slaComplaintsTable(ctx: PageContext, rows: readonly SlaComplaint[]): SafeHtml {
  const { t } = ctx;
  return table(
    [t('col_sla'), t('col_ref'), t('col_ticket'), t('col_lapor_id'), t('col_sla_stage'), t('col_deadline'), t('col_reason'), t('col_age_wd'), t('col_used'), t('col_lapor_status'), t('col_submitted')],
    rows.map((c) => [
      slaBadge(ctx, c.sla_state),
      html`<a href="${`${BASE}/records/${encodeURIComponent(c.ref)}`}">${c.ref}</a>`,
      dash(c.ticket),
      dash(c.lapor_id),
      term(ctx.lang, c.sla_stage),
      time(c.deadline),
      c.overdue_reason ? term(ctx.lang, c.overdue_reason) : '',
      String(c.age_working_days),
      `${c.working_days_elapsed} / ${c.working_days_budget}`,
      c.status_name ?? html`<span class="muted">${t('not_checked')}</span>`,
      time(c.submitted_at),
    ]),
    t('sla_none'),
    'sla-complaints',
  );
}

/** Overdue and at-risk complaints, one table per agency, with links to each timeline. */
export function slaPage(ctx: PageContext, r: SlaReport, o: { sources: readonly string[]; source?: string; period?: string }): SafeHtml {
  const { t } = ctx;
  const rules = r.rules;
  // agencies are numbered in report order, so the counts table links to their sections
  const groups = r.by_agency.map((a, i) => ({ a, n: i + 1, list: r.complaints.filter((c) => c.agency === a.agency) })).filter((g) => g.list.length);
  const body = html`
<p class="muted">${t('sla_as_of', { time: timeText(new Date(r.as_of)), v: rules.verification_days, f: rules.first_followup_days, c: rules.closure_days, o: rules.outer_limit_days, r: Math.round(rules.at_risk_fraction * 100) })}</p>
<form class="filter" method="get" action="${BASE}/sla">
<label for="source">${t('col_source')}</label>
<select id="source" name="source">
<option value="">–</option>
${o.sources.map((s) => html`<option value="${s}"${s === o.source ? html` selected` : ''}>${s}</option>`)}
</select>
<label for="period">${t('sla_filter_period')}</label>
<input id="period" name="period" type="text" pattern="[0-9]{4}-[0-9]{2}" size="8" value="${o.period ?? ''}">
<button type="submit">OK</button>
</form>
<div class="tiles key">
<div class="tile ${r.totals.overdue ? 'bad' : 'zero'}"><span class="num" id="sla-overdue">${r.totals.overdue}</span><span class="label">${t('tile_sla_overdue')}</span></div>
<div class="tile ${r.totals.at_risk ? 'warn' : 'zero'}"><span class="num" id="sla-at-risk">${r.totals.at_risk}</span><span class="label">${t('tile_sla_at_risk')}</span></div>
<div class="tile info"><span class="num">${r.totals.followed}</span><span class="label">${t('col_followed')}</span></div>
</div>
<section>
<h2>${t('sla_by_agency')}</h2>
${slaCountsTable(ctx, r.by_agency, 'agency')}
</section>
<section>
<h2>${t('sla_by_source')}</h2>
${slaCountsTable(ctx, r.by_source, 'source')}
</section>
${groups.length
  ? groups.map(
      (g) => html`<section class="agency" id="agency-${g.n}">
<h2>${agencyName(ctx, g.a.agency)}${g.a.agency_id && g.a.agency_id !== g.a.agency ? html` <small>[${g.a.agency_id}]</small>` : ''} <small>${t('sla_agency_counts', { overdue: g.a.overdue, at_risk: g.a.at_risk, followed: g.a.followed })}</small></h2>
${slaComplaintsTable(ctx, g.list)}
</section>`,
    )
  : html`<p class="notice">${t('sla_none')}</p>`}`;
  return page(ctx, { title: t('sla_page_title'), nav: 'sla', body });
}

// ---------------------------------------------------------------- one complaint

interface StoredView {
  title?: unknown;
  channel?: unknown;
  category?: { source_code?: unknown; lapor_category_id?: unknown };
  location?: { region_code?: unknown };
  target_agency?: { source_code?: unknown; lapor_institution_id?: unknown };
  is_anonymous?: unknown;
  is_secret?: unknown;
  attachments?: unknown[];
}

/** Event data keys shown in the timeline (the rest stays in the ledger). */
const EVENT_DATA_KEYS = ['version', 'mapping_version', 'lapor_id', 'previous_lapor_id', 'idempotency_key', 'http_status', 'status', 'destination', 'from', 'to', 'kind', 'table', 'format'];

function eventDetail(e: EventRow): HtmlValue[] {
  const parts: HtmlValue[] = [];
  if (e.reason) parts.push(html`<div>${redactText(e.reason)}</div>`);
  if (!e.data_json) return parts;
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(e.data_json) as Record<string, unknown>;
  } catch {
    return parts;
  }
  const kv = EVENT_DATA_KEYS.filter((k) => data[k] !== undefined && data[k] !== null && typeof data[k] !== 'object').map((k) => `${k}=${truncate(String(data[k]), 80)}`);
  if (kv.length) parts.push(html`<div class="kv">${kv.join(' ')}</div>`);
  const warnings = Array.isArray(data.warnings) ? (data.warnings as { field?: unknown; message?: unknown }[]) : [];
  if (warnings.length) parts.push(html`<ul class="warnings">${warnings.map((w) => html`<li><code>${String(w.field ?? '')}</code>: ${redactText(String(w.message ?? ''))}</li>`)}</ul>`);
  return parts;
}

function versionBlock(ctx: PageContext, v: RecordVersionRow, current: number): SafeHtml {
  const { t } = ctx;
  let c: StoredView = {};
  try {
    c = JSON.parse(v.canonical_json) as StoredView;
  } catch {
    /* shown without content */
  }
  let warnings: { field?: unknown; message?: unknown }[] = [];
  try {
    warnings = JSON.parse(v.warnings_json) as typeof warnings;
  } catch {
    /* none */
  }
  const yn = (b: unknown) => (b === undefined || b === null ? dash(null) : b ? t('yes') : t('no'));
  const agency = c.target_agency ? [c.target_agency.lapor_institution_id, c.target_agency.source_code].filter((x) => x !== undefined && x !== null).map(String).join(' / ') : '';
  const category = c.category ? [c.category.source_code, c.category.lapor_category_id].filter((x) => x !== undefined && x !== null).map(String).join(' → ') : '';
  return html`<article class="version${v.version === current ? ' current' : ''}">
<h3>${t('col_version')} ${v.version} <small>${time(v.created_at)} · ${t('mapping_version')} <code>${v.mapping_version}</code> · ${t('content_hash')} ${shortHash(v.content_hash)}</small></h3>
<dl class="grid">
<dt>${t('col_title')}</dt><dd class="title">${typeof c.title === 'string' ? c.title : dash(null)}</dd>
<dt>${t('channel')}</dt><dd>${dash(c.channel)}</dd>
<dt>${t('category')}</dt><dd>${dash(category)}</dd>
<dt>${t('region')}</dt><dd>${dash(c.location?.region_code)}</dd>
<dt>${t('agency')}</dt><dd>${dash(agency)}</dd>
<dt>${t('anonymous')}</dt><dd>${yn(c.is_anonymous)}</dd>
<dt>${t('secret')}</dt><dd>${yn(c.is_secret)}</dd>
<dt>${t('attachments')}</dt><dd>${Array.isArray(c.attachments) ? c.attachments.length : 0}</dd>
<dt>${t('col_warnings')}</dt><dd>${warnings.length ? html`<ul class="warnings">${warnings.map((w) => html`<li><code>${String(w.field ?? '')}</code>: ${redactText(String(w.message ?? ''))}</li>`)}</ul>` : html`<span class="muted">${t('no_warnings')}</span>`}</dd>
</dl>
</article>`;
}

function followSection(ctx: PageContext, r: RecordRow, ft: FollowThrough): SafeHtml {
  const { t } = ctx;
  const f = ft.follow;
  const delivered = !!r.lapor_id && (r.state === 'delivered' || r.state === 'update_pending');
  if (!f && !delivered && ft.statuses.length === 0 && ft.write_backs.length === 0) return html``;
  const statuses = [...ft.statuses].sort((a, b) => Date.parse(statusTime(a)) - Date.parse(statusTime(b)) || a.id - b.id);
  const writeBacks = [...ft.write_backs].sort((a, b) => Date.parse(writeBackTime(a)) - Date.parse(writeBackTime(b)) || a.id - b.id);
  return html`<section class="follow">
<h2>${t('follow_title')}</h2>
${f && f.last_checked_at === null && ft.statuses.length === 0 ? html`<p class="muted">${t('follow_not_checked')}</p>` : ''}
${f
  ? html`<dl class="grid">
<dt>${t('col_lapor_status')}</dt><dd class="lapor-status">${dash(f.status_name)}</dd>
<dt>${t('follow_stage')}</dt><dd>${term(ctx.lang, f.stage)}</dd>
<dt>${t('col_agency')}</dt><dd>${agencyName(ctx, f.disposition_name ?? f.disposition_id ?? NO_AGENCY)}</dd>
<dt>${t('col_submitted')}</dt><dd>${time(f.submitted_at)}</dd>
<dt>${t('followup_count')}</dt><dd>${f.followup_count}</dd>
<dt>${t('last_checked')}</dt><dd>${time(f.last_checked_at)}</dd>
${f.final ? '' : html`<dt>${t('next_check')}</dt><dd>${time(f.next_check_at)}</dd>`}
${f.last_error ? html`<dt>${t('last_error')}</dt><dd>${truncate(redactText(f.last_error), 300)}</dd>` : ''}
</dl>`
  : delivered
    ? html`<p class="muted">${t('follow_not_checked')}</p>`
    : ''}
<h3>${t('statuses_title')}</h3>
${table(
  [t('col_occurred'), t('col_entry'), t('col_lapor_status'), t('col_agency'), t('col_institution'), t('col_text'), t('col_observed')],
  statuses.map((st) => [
    time(st.occurred_at),
    st.kind === 'followup' ? (st.own ? t('entry_own_followup') : t('entry_followup')) : html`${t('entry_status')}${st.stage ? html` <small>(${term(ctx.lang, st.stage)})</small>` : ''}`,
    dash(st.status_name),
    st.disposition_name || st.disposition_id ? String(st.disposition_name ?? st.disposition_id) : dash(null),
    dash(st.institution_name),
    st.content ? truncate(redactText(st.content), 500) : '',
    time(st.observed_at),
  ]),
  t('no_statuses'),
  'statuses',
)}
<h3>${t('write_backs_title')}</h3>
${table(
  [t('col_created'), t('col_entry'), t('col_source'), t('col_state'), t('col_status_text'), t('col_note'), t('col_attempts'), t('col_sent'), t('col_error')],
  writeBacks.map((b) => [
    time(b.created_at),
    b.kind === 'followup' ? t('entry_followup') : t('entry_status'),
    b.source_id,
    html`<span class="badge ${b.state === 'sent' ? 'good' : b.state === 'failed' ? 'bad' : b.state === 'retry_wait' ? 'warn' : 'info'}" title="${b.state}">${term(ctx.lang, b.state)}</span>`,
    b.status_text,
    truncate(redactText(b.note), 300),
    String(b.attempt_count),
    time(b.sent_at),
    b.last_error && b.state !== 'sent' ? truncate(redactText(b.last_error), 300) : '',
  ]),
  t('no_write_backs'),
  'write-backs',
)}
</section>`;
}

export function recordPage(
  ctx: PageContext,
  r: RecordRow,
  tl: { versions: RecordVersionRow[]; attempts: AttemptRow[]; events: EventRow[]; previousLaporIds: string[] },
  follow: FollowThrough = { follow: null, statuses: [], write_backs: [] },
): SafeHtml {
  const { t } = ctx;
  const body = html`
<section class="summary">
<p class="state">${badge(ctx, r.state)}</p>
<dl class="grid">
<dt>${t('col_ref')}</dt><dd><code>${recordRef(r)}</code></dd>
<dt>${t('col_ticket')}</dt><dd>${dash(r.ticket)}</dd>
<dt>${t('col_lapor_id')}</dt><dd class="lapor-id">${dash(r.lapor_id)}</dd>
${tl.previousLaporIds.length ? html`<dt>${t('previous_lapor_ids')}</dt><dd>${tl.previousLaporIds.join(', ')}</dd>` : ''}
<dt>${t('col_version')}</dt><dd>${r.version}${r.sent_version !== null ? ` (${t('sent_version', { n: r.sent_version })})` : ''}</dd>
<dt>${t('col_attempts')}</dt><dd>${r.attempt_count}</dd>
<dt>${t('col_warnings')}</dt><dd>${r.warning_count}</dd>
<dt>${t('col_received')}</dt><dd>${time(r.received_at)}</dd>
<dt>${t('col_first_seen')}</dt><dd>${time(r.first_seen_at)}</dd>
<dt>${t('col_updated')}</dt><dd>${time(r.updated_at)}</dd>
<dt>${t('col_delivered')}</dt><dd>${time(r.delivered_at)}</dd>
${r.next_attempt_at ? html`<dt>${t('next_attempt')}</dt><dd>${time(r.next_attempt_at)}</dd>` : ''}
${r.last_error ? html`<dt>${t('last_error')}</dt><dd>${redactText(r.last_error)}</dd>` : ''}
${r.quarantine_reason ? html`<dt>${t('quarantine_reason')}</dt><dd>${redactText(r.quarantine_reason)}</dd>` : ''}
<dt>${t('idempotency_key')}</dt><dd>${r.idempotency_key ? html`<code>${r.idempotency_key}</code>` : dash(null)}</dd>
</dl>
<p class="muted">${t('reporter_hidden')}</p>
</section>
${followSection(ctx, r, follow)}
<section>
<h2>${t('versions')}</h2>
${tl.versions.map((v) => versionBlock(ctx, v, r.version))}
</section>
<section>
<h2>${t('attempts')}</h2>
${table(
  [t('col_at'), t('col_operation'), t('col_version'), t('col_http'), t('col_outcome'), t('col_latency'), t('col_error')],
  tl.attempts.map((a) => [time(a.at), a.operation, String(a.version), dash(a.http_status), a.outcome, String(a.latency_ms), a.error ? truncate(redactText(a.error), 300) : '']),
  t('no_attempts'),
)}
</section>
<section>
<h2>${t('events')}</h2>
${table(
  [t('col_id'), t('col_at'), t('col_type'), t('col_change'), t('col_actor'), t('col_detail'), t('col_hash')],
  tl.events.map((e) => [
    String(e.id),
    time(e.at),
    html`<code>${e.type}</code>`,
    e.from_state || e.to_state ? html`${e.from_state ? stateName(ctx.lang, e.from_state) : ''} → ${e.to_state ? stateName(ctx.lang, e.to_state) : ''}` : '',
    e.actor,
    eventDetail(e),
    shortHash(e.hash),
  ]),
  t('none'),
  'events',
)}
</section>`;
  return page(ctx, { title: `${t('timeline')}: ${recordRef(r)}`, nav: 'none', body });
}

// ---------------------------------------------------------------- verify

export function verifyPage(ctx: PageContext, r: VerifyReport): SafeHtml {
  const { t } = ctx;
  const body = html`
<section class="verdict ${r.ok ? 'ok' : 'broken'}">
<p class="big">${r.ok ? t('verify_ok') : html`<strong>${t('verify_broken')}</strong>`}</p>
<p>${t('verify_events', { n: r.events })}</p>
<ul>
<li>${r.chain_break ? html`✗ ${t('verify_chain_break', { id: r.chain_break.event_id, kind: r.chain_break.kind, detail: r.chain_break.detail })}` : html`✓ ${t('verify_chain_ok')}`}</li>
<li>${r.state_mismatches.length ? html`✗ ${t('verify_mismatches', { n: r.state_mismatches.length })}` : html`✓ ${t('verify_states_ok')}`}</li>
</ul>
</section>
${r.state_mismatches.length
  ? table(
      [t('col_ref'), t('col_state'), t('col_history_says')],
      r.state_mismatches.slice(0, 500).map((m) => [m.record, m.state, dash(m.history_says)]),
      t('none'),
    )
  : ''}
<section class="head">
<h2>${t('head_hash')}</h2>
<p>${r.head ? html`#${r.head.id} <code class="hash" id="head-hash">${r.head.hash}</code>` : html`<span class="muted">${t('none')}</span>`}</p>
<p class="muted">${t('verify_anchor_hint')}</p>
</section>`;
  return page(ctx, { title: t('verify_title'), nav: 'verify', body });
}

// ---------------------------------------------------------------- login and messages

export function loginPage(ctx: PageContext, o: { error?: string; next?: string }): SafeHtml {
  const { t } = ctx;
  const body = html`
<form class="login" method="post" action="${BASE}/login">
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : html`<p>${t('login_required')}</p>`}
<p class="muted">${t('login_help')}</p>
<label for="token">${t('login_token')}</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
${o.next ? html`<input type="hidden" name="next" value="${o.next}">` : ''}
<button type="submit">${t('login_submit')}</button>
</form>`;
  return page(ctx, { title: t('login_title'), nav: 'none', body, chrome: false });
}

export function messagePage(ctx: PageContext, title: string, message: string, chrome = true): SafeHtml {
  return page(ctx, { title, nav: 'none', body: html`<p class="notice">${message}</p>`, chrome });
}
