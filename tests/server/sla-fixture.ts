/**
 * A small ledger for the SLA report, the /metrics SLA gauges and the dashboard's SLA pages:
 * real `SqliteLedger` intake and state changes for two sources, then `follow`, `statuses` and
 * `write_backs` rows written directly with chosen LAPOR! timestamps (the status sync is not
 * needed to know what the report must say).
 *
 * As of AS_OF (Friday 11 April 2025, 09:00 WIB), with LAPOR!'s default rules:
 *
 * | ref        | agency              | what                                                         | SLA                               |
 * |------------|---------------------|--------------------------------------------------------------|-----------------------------------|
 * | bebeja/1   | (belum didisposisi) | submitted Thu 27 Mar, never verified                          | overdue, verification, 10 Apr     |
 * | bebeja/2   | Dinas PUPR          | verified and disposed Fri 21 Mar, no agency follow-up          | overdue, first follow-up, 8 Apr   |
 * | bebeja/3   | Dinas PUPR          | closed 26 Mar                                                 | done                              |
 * | bebeja/4   | –                   | still pending (never delivered)                              | not followed                      |
 * | sambat/10  | Dinas Kesehatan     | last follow-up Fri 21 Mar, waiting for closure               | at risk, closure (8 of 10), 15 Apr |
 * | sambat/11  | (belum didisposisi) | delivered Thu 10 Apr, not checked yet (no follow row)        | on time                           |
 * | sambat/12  | Dinas Kesehatan     | submitted 20 Jan, recent follow-up                           | overdue, outer limit (21 Mar)     |
 *
 * 28 March and 31 March–7 April 2025 are Nyepi, Idul Fitri and cuti bersama: the verification
 * deadline of a complaint submitted on 27 March is 10 April.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IntakeItem } from '../../src/ledger/ledger.js';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import type { CanonicalComplaint } from '../../src/mapping/canonical.js';
import { sha256, stableStringify } from '../../src/util/stable-json.js';

export const AS_OF = '2025-04-11T09:00:00+07:00';
export const PUPR = 'Dinas Pekerjaan Umum dan Penataan Ruang';
export const DINKES = 'Dinas Kesehatan';

export interface SlaFixture {
  readonly dir: string;
  readonly ledgerPath: string;
  /** LAPOR! ids by ref. */
  readonly laporIds: Record<string, string>;
  close(): void;
}

function item(source: string, externalId: string, receivedAt: string): Extract<IntakeItem, { kind: 'mapped' }> {
  const c: CanonicalComplaint = {
    source: { system: source, external_id: externalId, received_at: receivedAt, ticket: `${source.toUpperCase().slice(0, 3)}-${externalId}` },
    channel: 'app',
    classification: 'pengaduan',
    title: `Pengaduan uji ${source}/${externalId}`,
    content: `Isi pengaduan uji ${source}/${externalId}`,
    attachments: [],
    is_anonymous: false,
    is_secret: false,
    reporter: { name: 'Siti Aminah Penanda', phone: '+6281234567890' },
  };
  return { kind: 'mapped', externalId, complaint: c, contentHash: sha256(stableStringify(c)), warnings: [], mappingVersion: 'map-v1' };
}

interface Follow {
  stage: string;
  status_name: string;
  status_code?: number;
  disposition_id?: string;
  disposition_name?: string;
  verified_at?: string;
  disposed_at?: string;
  first_followup_at?: string;
  last_followup_at?: string;
  closed_at?: string;
  followup_count?: number;
}

export function slaFixture(prefix = 'sp4n-sla-'): SlaFixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const ledgerPath = path.join(dir, 'ledger.sqlite');
  let clock = new Date('2025-01-20T01:00:00.000Z');
  const ledger = SqliteLedger.open(ledgerPath, { now: () => clock });
  const laporIds: Record<string, string> = {};
  try {
    const deliver = (source: string, externalId: string, receivedAt: string, deliveredAt: string | null) => {
      clock = new Date(receivedAt);
      ledger.ensureSource(source, 'rest');
      const run = ledger.startRun('intake', source);
      ledger.commitBatch(source, run, [item(source, externalId, receivedAt)], { id: externalId });
      ledger.finishRun(run, 'ok', { new: 1 });
      if (!deliveredAt) return;
      const id = (ledger.findByRef(`${source}/${externalId}`) as { id: number }).id;
      clock = new Date(deliveredAt);
      const laporId = String(70000 + Object.keys(laporIds).length + 1);
      ledger.transition(id, 'sending', { set: { sending_version: 1, idempotency_key: `${source}-${externalId}-v1` } });
      ledger.transition(id, 'delivered', { set: { lapor_id: laporId, sent_version: 1, delivered_at: clock.toISOString() } });
      laporIds[`${source}/${externalId}`] = laporId;
    };
    const follow = (ref: string, f: Follow) => {
      const r = ledger.findByRef(ref) as { id: number; lapor_id: string; delivered_at: string };
      ledger.db
        .prepare(
          `INSERT OR REPLACE INTO follow (record_id, lapor_id, status_name, status_code, stage, disposition_id, disposition_name, submitted_at, verified_at, disposed_at,
                               first_followup_at, last_followup_at, closed_at, followup_count, final, last_checked_at)
           VALUES (@record_id, @lapor_id, @status_name, @status_code, @stage, @disposition_id, @disposition_name, @submitted_at, @verified_at, @disposed_at,
                   @first_followup_at, @last_followup_at, @closed_at, @followup_count, @final, @last_checked_at)`,
        )
        .run({
          record_id: r.id,
          lapor_id: r.lapor_id,
          status_name: f.status_name,
          status_code: f.status_code ?? null,
          stage: f.stage,
          disposition_id: f.disposition_id ?? null,
          disposition_name: f.disposition_name ?? null,
          submitted_at: r.delivered_at,
          verified_at: f.verified_at ?? null,
          disposed_at: f.disposed_at ?? null,
          first_followup_at: f.first_followup_at ?? null,
          last_followup_at: f.last_followup_at ?? null,
          closed_at: f.closed_at ?? null,
          followup_count: f.followup_count ?? 0,
          final: f.stage === 'closed' || f.stage === 'rejected' ? 1 : 0,
          last_checked_at: '2025-04-11T01:30:00.000Z',
        });
      return r;
    };

    // bebeja ------------------------------------------------------------------------------
    deliver('bebeja', '1', '2025-03-27T09:40:00+07:00', '2025-03-27T10:00:00+07:00');
    follow('bebeja/1', { stage: 'received', status_name: 'Belum Terverifikasi', status_code: 0 });

    deliver('bebeja', '2', '2025-03-20T08:00:00+07:00', '2025-03-20T08:30:00+07:00');
    const b2 = follow('bebeja/2', {
      stage: 'disposed',
      status_name: 'Terverifikasi',
      status_code: 1,
      disposition_id: '1001',
      disposition_name: PUPR,
      verified_at: '2025-03-21T09:00:00+07:00',
      disposed_at: '2025-03-21T09:05:00+07:00',
    });

    deliver('bebeja', '3', '2025-03-10T08:00:00+07:00', '2025-03-10T08:20:00+07:00');
    follow('bebeja/3', {
      stage: 'closed',
      status_name: 'Selesai',
      status_code: 3,
      disposition_id: '1001',
      disposition_name: PUPR,
      verified_at: '2025-03-11T09:00:00+07:00',
      disposed_at: '2025-03-11T09:00:00+07:00',
      first_followup_at: '2025-03-12T13:00:00+07:00',
      last_followup_at: '2025-03-12T13:00:00+07:00',
      closed_at: '2025-03-26T16:00:00+07:00',
      followup_count: 1,
    });

    deliver('bebeja', '4', '2025-04-09T08:00:00+07:00', null);

    // sambat ------------------------------------------------------------------------------
    deliver('sambat', '10', '2025-03-17T07:00:00+07:00', '2025-03-17T07:30:00+07:00');
    const s10 = follow('sambat/10', {
      stage: 'in_progress',
      status_name: 'Dalam Proses',
      status_code: 2,
      disposition_id: '2002',
      disposition_name: DINKES,
      verified_at: '2025-03-18T09:00:00+07:00',
      disposed_at: '2025-03-18T09:00:00+07:00',
      first_followup_at: '2025-03-20T10:00:00+07:00',
      last_followup_at: '2025-03-21T10:00:00+07:00',
      followup_count: 2,
    });

    deliver('sambat', '11', '2025-04-10T08:45:00+07:00', '2025-04-10T09:00:00+07:00');

    deliver('sambat', '12', '2025-01-20T08:00:00+07:00', '2025-01-20T08:10:00+07:00');
    follow('sambat/12', {
      stage: 'in_progress',
      status_name: 'Dalam Proses',
      status_code: 2,
      disposition_id: '2002',
      disposition_name: DINKES,
      verified_at: '2025-01-21T09:00:00+07:00',
      disposed_at: '2025-01-21T09:00:00+07:00',
      first_followup_at: '2025-04-10T10:00:00+07:00',
      last_followup_at: '2025-04-10T10:00:00+07:00',
      followup_count: 1,
    });

    // history of bebeja/2 and sambat/10 (what the status sync would have stored), with write-backs
    const status = ledger.db.prepare(
      `INSERT INTO statuses (record_id, lapor_id, kind, change_key, observed_at, occurred_at, status_name, status_code, stage, disposition_id, disposition_name,
                             followup_id, institution_name, content, own, raw_json)
       VALUES (@record_id, @lapor_id, @kind, @change_key, @observed_at, @occurred_at, @status_name, @status_code, @stage, @disposition_id, @disposition_name,
               @followup_id, @institution_name, @content, @own, @raw_json)`,
    );
    const writeBack = ledger.db.prepare(
      `INSERT INTO write_backs (status_id, record_id, source_id, state, status_text, note, attempt_count, created_at, sent_at, last_error)
       VALUES (@status_id, @record_id, @source_id, @state, @status_text, @note, @attempt_count, @created_at, @sent_at, @last_error)`,
    );
    const none = { occurred_at: null, status_name: null, status_code: null, stage: null, disposition_id: null, disposition_name: null, followup_id: null, institution_name: null, content: null, own: 0 };
    const st1 = status.run({
      ...none,
      record_id: b2.id,
      lapor_id: b2.lapor_id,
      kind: 'status',
      change_key: 'status:Terverifikasi:1001',
      observed_at: '2025-03-21T03:00:00.000Z',
      occurred_at: '2025-03-21T09:05:00+07:00',
      status_name: 'Terverifikasi',
      status_code: 1,
      stage: 'disposed',
      disposition_id: '1001',
      disposition_name: PUPR,
      raw_json: '{"status_name":"Terverifikasi"}',
    }).lastInsertRowid;
    writeBack.run({ status_id: st1, record_id: b2.id, source_id: 'bebeja', state: 'sent', status_text: 'Terverifikasi', note: `Didisposisikan ke ${PUPR}`, attempt_count: 1, created_at: '2025-03-21T03:00:01.000Z', sent_at: '2025-03-21T03:00:02.000Z', last_error: null });
    const st2 = status.run({
      ...none,
      record_id: s10.id,
      lapor_id: s10.lapor_id,
      kind: 'followup',
      change_key: 'followup:F-77',
      observed_at: '2025-03-21T04:00:00.000Z',
      occurred_at: '2025-03-21T10:00:00+07:00',
      followup_id: 'F-77',
      institution_name: DINKES,
      content: 'Petugas puskesmas sudah meninjau lokasi; pengasapan dijadwalkan <Senin>.',
      raw_json: '{"id":"F-77"}',
    }).lastInsertRowid;
    writeBack.run({ status_id: st2, record_id: s10.id, source_id: 'sambat', state: 'retry_wait', status_text: 'Dalam Proses', note: 'Petugas puskesmas sudah meninjau lokasi', attempt_count: 2, created_at: '2025-03-21T04:00:01.000Z', sent_at: null, last_error: '[sambat] HTTP 503' });
  } finally {
    ledger.close();
  }
  return {
    dir,
    ledgerPath,
    laporIds,
    close() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
