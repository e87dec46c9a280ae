/**
 * A large ledger for the no-op and audit benchmarks, built fast.
 *
 * How: the ledger file is created by the real code (`SqliteLedger.open`: the same migrations, so
 * the schema is exactly the bridge's), the `bebeja` source row is added as the bridge adds it,
 * then `count` synthetic complaints (bebeja/1 … bebeja/count) are written with prepared INSERTs
 * in ONE transaction (synchronous=OFF on this builder connection only): a `records` row, its
 * version (a realistic canonical JSON of ~1 KB), its create attempt and its events — `received`,
 * `send_intent`, `delivered` — hash-chained with the ledger's own `eventHash`, so
 * `ledger verify` holds. States are spread like a mature ledger: 97 % delivered, 1.5 % rejected,
 * 1 % quarantined, 0.3 % dead, 0.2 % needs_review; nothing due, so a run has nothing to send.
 * Received dates run evenly from 2023-01-01 to 2025-12-31 (WIB), ten categories in turn.
 *
 * The last records are then left to the real bridge (see bench.ts): the cursor is set just before
 * them and one real `sync` maps, records and delivers them, which also leaves a real cursor and
 * mapping version behind; a second `sync` is then the no-op run being measured.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { eventHash, GENESIS_HASH, SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { sha256, stableStringify } from '../../src/util/stable-json.js';

export const BIG_LEDGER_FROM = Date.parse('2023-01-01T00:00:00+07:00');
export const BIG_LEDGER_TO = Date.parse('2026-01-01T00:00:00+07:00');

const CATEGORIES = ['Infrastruktur', 'Kesehatan', 'Pendidikan', 'Administrasi Kependudukan', 'Lingkungan Hidup', 'Sosial', 'Ketertiban Umum', 'Pelayanan Publik', 'Pertanian', 'Air Bersih'];
const KECAMATAN = ['36.01.01', '36.01.02', '36.01.03', '36.01.04', '36.01.05', '36.01.06', '36.01.07'];
const FILLER =
  'Warga melaporkan bahwa jalan di depan rumah rusak parah sejak musim hujan dan belum ada perbaikan dari dinas terkait. ' +
  'Mohon segera ditindaklanjuti karena membahayakan pengendara, terutama anak sekolah yang melintas setiap pagi. ' +
  'Sudah pernah disampaikan ke kantor desa namun belum ada kabar sampai sekarang.';

function wib(ms: number): string {
  return `${new Date(ms + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;
}

function stateOf(i: number): 'delivered' | 'rejected' | 'quarantined' | 'dead' | 'needs_review' {
  const k = i % 1000;
  if (k < 970) return 'delivered';
  if (k < 985) return 'rejected';
  if (k < 995) return 'quarantined';
  if (k < 998) return 'dead';
  return 'needs_review';
}

export interface BigLedgerInfo {
  records: number;
  events: number;
  seconds: number;
  bytes: number;
}

/** Writes `count` synthetic records into a new ledger at `file` (created by the real code). */
export function buildBigLedger(file: string, count: number, mappingVersion = 'bench-synthetic'): BigLedgerInfo {
  const started = performance.now();
  const ledger = SqliteLedger.open(file);
  ledger.ensureSource('bebeja', 'rest');
  ledger.close();

  const db = new Database(file);
  // a throw-away fixture: no journal and no fsync while it is filled, WAL again afterwards
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -400000');
  const insRecord = db.prepare(
    `INSERT INTO records (id, source_id, external_id, ticket, state, version, content_hash, sending_version, sent_version, idempotency_key, lapor_id,
       attempt_count, last_error, quarantine_reason, quarantine_hash, warning_count, received_at, first_seen_at, updated_at, delivered_at)
     VALUES (?, 'bebeja', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
  );
  const insVersion = db.prepare('INSERT INTO record_versions (record_id, version, content_hash, canonical_json, warnings_json, mapping_version, created_at, source_hash) VALUES (?, 1, ?, ?, ?, ?, ?, ?)');
  const insAttempt = db.prepare("INSERT INTO attempts (record_id, version, at, operation, idempotency_key, payload_hash, http_status, outcome, latency_ms, reply) VALUES (?, 1, ?, 'create', ?, ?, ?, ?, ?, ?)");
  const insEvent = db.prepare(
    `INSERT INTO events (id, at, record_id, source_id, run_id, type, from_state, to_state, actor, reason, data_json, prev_hash, hash)
     VALUES (@id, @at, @record_id, @source_id, @run_id, @type, @from_state, @to_state, @actor, @reason, @data_json, @prev_hash, @hash)`,
  );
  let eventId = (db.prepare('SELECT coalesce(max(id), 0) AS n FROM events').get() as { n: number }).n;
  let prevHash = (db.prepare('SELECT hash FROM events ORDER BY id DESC LIMIT 1').get() as { hash: string } | undefined)?.hash ?? GENESIS_HASH;
  const event = (at: string, recordId: number, type: string, from: string, to: string, data: Record<string, unknown>, reason: string | null = null) => {
    const row = { id: ++eventId, at, record_id: recordId, source_id: 'bebeja', run_id: null, type, from_state: from, to_state: to, actor: 'system', reason, data_json: stableStringify(data), prev_hash: prevHash };
    const hash = eventHash(row);
    insEvent.run({ ...row, hash });
    prevHash = hash;
  };

  const span = BIG_LEDGER_TO - BIG_LEDGER_FROM;
  db.transaction(() => {
    for (let i = 1; i <= count; i++) {
      const receivedMs = BIG_LEDGER_FROM + Math.floor(((i - 0.5) * span) / count);
      const received = wib(receivedMs);
      const seen = new Date(receivedMs + 600_000).toISOString();
      const sent = new Date(receivedMs + 660_000).toISOString();
      const state = stateOf(i);
      const ext = String(i);
      const ticket = `BBJ-${String(i).padStart(8, '0')}`;
      if (state === 'quarantined') {
        const reason = 'is_anonymous: "mungkin" is not a yes/no value';
        insRecord.run(i, ext, null, state, 0, null, null, null, null, null, 0, null, reason, sha256(`q${i}`), null, seen, seen, null);
        event(seen, i, 'quarantined', 'new', 'quarantined', { mapping_version: mappingVersion }, reason);
        continue;
      }
      const category = CATEGORIES[i % CATEGORIES.length] as string;
      const complaint = {
        source: { system: 'bebeja', external_id: ext, received_at: received, ticket },
        channel: 'app',
        classification: 'pengaduan',
        title: `Pengaduan ${category.toLowerCase()} nomor ${i}`,
        content: `${FILLER} (laporan ${i})`,
        category: { source_code: category, lapor_category_id: 100 + (i % CATEGORIES.length) },
        location: { region_code: KECAMATAN[i % KECAMATAN.length], address: `Jl. Raya Pandeglang No. ${i % 300}, Desa Sukamaju` },
        incident_date: received.slice(0, 10),
        attachments: [],
        is_anonymous: i % 7 === 0,
        is_secret: i % 11 === 0,
        ...(i % 7 === 0 ? {} : { reporter: { name: `Warga ${i}`, phone: `+62812${String(i).padStart(8, '0')}` } }),
      };
      const contentHash = sha256(`c${i}`);
      const key = sha256(`k${i}`).slice(0, 40);
      const laporId = state === 'delivered' ? String(5_000_000 + i) : null;
      const lastError = state === 'rejected' ? 'HTTP 422: The category id is invalid.' : state === 'dead' ? 'retry window exhausted: HTTP 503' : state === 'needs_review' ? 'still in doubt after 3 resend(s)' : null;
      insRecord.run(i, ext, ticket, state, 1, contentHash, 1, state === 'delivered' ? 1 : null, key, laporId, 1, lastError, null, null, received, seen, sent, state === 'delivered' ? sent : null);
      insVersion.run(i, contentHash, JSON.stringify(complaint), '[]', mappingVersion, seen, sha256(`s${i}`));
      const status = state === 'delivered' ? 201 : state === 'rejected' ? 422 : state === 'dead' ? 503 : 500;
      const outcome = state === 'delivered' ? 'delivered' : state === 'rejected' ? 'rejected' : state === 'dead' ? 'retry' : 'in_doubt';
      insAttempt.run(i, sent, key, sha256(`p${i}`), status, outcome, 40 + (i % 60), state === 'delivered' ? `{"complaint_id":"${laporId}"}` : '{"message":"…"}');
      event(seen, i, 'received', 'new', 'pending', { content_hash: contentHash, mapping_version: mappingVersion, version: 1, warnings: [] });
      event(sent, i, 'send_intent', 'pending', 'sending', { idempotency_key: key, version: 1 });
      if (state === 'delivered') event(sent, i, 'delivered', 'sending', 'delivered', { lapor_id: laporId, version: 1 });
      else event(sent, i, `state_${state}`, 'sending', state, {}, lastError);
    }
  })();
  db.pragma('journal_mode = WAL');
  db.close();
  return { records: count, events: eventId, seconds: (performance.now() - started) / 1000, bytes: fs.statSync(file).size };
}
