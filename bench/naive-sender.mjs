/* global fetch, FormData, Blob, URLSearchParams, performance */
/**
 * The naive baseline for `npm run bench`: the simplest thing that could carry Bebeja complaints
 * into LAPOR!. It makes the same HTTP calls as the bridge — the same keyset walk over the same
 * pages, the same attachment downloads and uploads, one create per complaint, with the same
 * number of sends in flight — and nothing else: no mapping, no validation, no ledger, no retries.
 * Plain JavaScript on purpose, so it starts like the built bridge does (`node file`, no loader).
 *
 * Input: environment (BEBEJA_URL, BEBEJA_API_KEY, LAPOR_BASE_URL, LAPOR_TOKEN, LAPOR_APP_TOKEN,
 * NAIVE_CONCURRENCY). Output: one JSON line on stdout.
 */
import process from 'node:process';

const env = process.env;
const concurrency = Number(env.NAIVE_CONCURRENCY ?? 4);
const pageSize = 100;
const bebeja = String(env.BEBEJA_URL).replace(/\/+$/, '');
const lapor = String(env.LAPOR_BASE_URL).replace(/\/+$/, '');
const laporHeaders = { Authorization: `Bearer ${env.LAPOR_TOKEN}`, token: String(env.LAPOR_APP_TOKEN), Accept: 'application/json' };
const started = performance.now();
const counts = { pages: 0, pulled: 0, files: 0, uploads: 0, creates: 0, failures: 0 };

async function json(res, what) {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status}`);
  return res.json();
}

// 1. pull: the bridge's keyset walk (restart from the last updated_at seen, inclusive; page
//    numbers only inside a page-sized group of equal timestamps), records kept in memory
const records = new Map();
let since;
let page = 1;
for (;;) {
  const q = new URLSearchParams({ per_page: String(pageSize), page: String(page) });
  if (since !== undefined) q.set('updated_since', since);
  const body = await json(await fetch(`${bebeja}/api/v1/aduan?${q}`, { headers: { 'X-API-Key': String(env.BEBEJA_API_KEY) } }), 'GET aduan');
  counts.pages++;
  const list = body.data;
  counts.pulled += list.length;
  for (const r of list) records.set(r.id, r);
  if (list.length < pageSize || page >= body.meta.last_page) break;
  const last = list[list.length - 1].updated_at;
  if (last === since) page++;
  else {
    since = last;
    page = 1;
  }
}

// 2. push: `concurrency` sends at a time; attachments downloaded and uploaded before the create
async function send(r) {
  const ids = [];
  for (const url of r.lampiran ?? []) {
    const file = await fetch(url);
    counts.files++;
    if (!file.ok) continue;
    const form = new FormData();
    form.append('attachments[]', new Blob([await file.arrayBuffer()], { type: file.headers.get('content-type') ?? 'application/octet-stream' }), url.split('/').pop());
    const up = await json(await fetch(`${lapor}/complaints/complaint/file`, { method: 'POST', headers: laporHeaders, body: form }), 'upload');
    counts.uploads++;
    ids.push(...up.results.docs.map((d) => d.id));
  }
  const res = await fetch(`${lapor}/complaints/complaint`, {
    method: 'POST',
    headers: { ...laporHeaders, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      title: String(r.judul || 'Pengaduan').slice(0, 150),
      content: `${r.isi}\n\nRef: bebeja/${r.id}`,
      channel: 2,
      classification_id: 1,
      disposition_id: 1001,
      tags_raw: '#bebeja',
      is_anonymous: r.anonim === '1' || r.anonim === 1 || r.anonim === true,
      is_secret: r.rahasia === true || r.rahasia === 1 || r.rahasia === '1',
      attachments: ids,
    }),
  });
  await res.arrayBuffer();
  if (res.ok) counts.creates++;
  else counts.failures++;
}

const queue = [...records.values()];
let next = 0;
async function worker() {
  while (next < queue.length) await send(queue[next++]);
}
await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));

process.stdout.write(`${JSON.stringify({ ...counts, records: records.size, concurrency, seconds: (performance.now() - started) / 1000 })}\n`);
