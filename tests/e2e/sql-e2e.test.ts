/**
 * End to end, per driver: a local complaint app's own database (real MariaDB, real PostgreSQL, a
 * SQLite file) → the sql adapter → the mapping → the ledger → the LAPOR! simulator, through the
 * shipped configuration with the Bebeja source replaced by an sql source. Each complaint reaches
 * LAPOR! exactly once over two runs; an edited row is then a change, not a new complaint.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { openBridge } from '../../src/bridge.js';
import { loadSettingsOrThrow } from '../../src/settings/load-settings.js';
import { LaporSimulator } from '../../src/simulators/lapor-simulator.js';
import { runSyncCycle, type SyncSummary } from '../../src/sync/sync-cycle.js';
import { silentLogger } from '../../src/util/logger.js';
import { MARIADB, openMariadbScratch, openPostgresScratch, POSTGRES } from '../adapters/sql-test-servers.js';
import { copyShippedConfig, tempDir, write } from '../helpers/workdir.js';

/** Bebeja-like complaints as a local app keeps them; `tanggal` and `updated_at` are WIB. */
const COMPLAINTS = [
  { id: 101, nomor_tiket: 'ADU-101', judul: 'Jalan berlubang', isi: 'Jalan desa Cikole berlubang besar dan membahayakan pengendara.', kategori: 'infrastruktur', tanggal: '2024-05-01 08:15:00', anonim: 0, rahasia: 0, pelapor_nama: 'Siti Aminah', updated_at: '2024-05-01 09:00:00.000' },
  { id: 102, nomor_tiket: 'ADU-102', judul: 'Lampu jalan mati', isi: 'Lampu penerangan jalan di alun-alun mati sejak seminggu.', kategori: 'infrastruktur', tanggal: '2024-05-01 10:00:00', anonim: 1, rahasia: 0, pelapor_nama: 'Rahasia Orang', updated_at: '2024-05-01 10:30:00.000' },
  { id: 103, nomor_tiket: 'ADU-103', judul: 'Pungutan liar', isi: 'Ada pungutan di loket pelayanan KTP kecamatan.', kategori: 'pelayanan', tanggal: '2024-05-01 11:00:00', anonim: 0, rahasia: 1, pelapor_nama: 'Budi', updated_at: '2024-05-01 10:30:00.000' },
  { id: 104, nomor_tiket: 'ADU-104', judul: 'Sampah menumpuk', isi: 'Sampah di pasar belum diangkut tiga hari.', kategori: 'lingkungan', tanggal: '2024-05-02 07:00:00', anonim: 0, rahasia: 0, pelapor_nama: 'Dewi', updated_at: '2024-05-02 07:05:00.000' },
] as const;
type Complaint = (typeof COMPLAINTS)[number];
const EDITED_ISI = 'Lampu penerangan jalan di alun-alun mati; sekarang kabel juga putus.';

const MAPPING = `
mapping:
  timezone: Asia/Jakarta
  fields:
    source.ticket: { path: nomor_tiket, transforms: [to_string, trim] }
    source.received_at: { path: tanggal, transforms: [parse_datetime], required: true }
    channel: { value: app }
    classification: { value: pengaduan }
    title: { path: judul, transforms: [strip_html, collapse_whitespace] }
    content: { path: isi, transforms: [strip_html, collapse_whitespace] }
    category.source_code: { path: kategori, transforms: [trim] }
    is_anonymous: { path: anonim, transforms: [to_bool], required: true, on_error: quarantine }
    is_secret: { path: rahasia, transforms: [to_bool], default: false, on_error: quarantine }
    reporter.name: { path: pelapor_nama, transforms: [trim] }
`;

/** One database kind: its table, how to change a row, the adapter block of the source file. */
interface App {
  readonly adapterYaml: string;
  edit(id: number, isi: string, updatedAt: string): Promise<void>;
  drop(): Promise<void>;
}

async function mariadbApp(): Promise<App> {
  const s = await openMariadbScratch('sp4n_e2e');
  await s.admin.query(`CREATE TABLE aduan (id INT PRIMARY KEY, nomor_tiket VARCHAR(20), judul VARCHAR(200), isi TEXT, kategori VARCHAR(50), tanggal DATETIME,
    anonim TINYINT(1) NOT NULL, rahasia TINYINT(1) NOT NULL, pelapor_nama VARCHAR(100), updated_at DATETIME(3) NOT NULL, INDEX (updated_at, id))`);
  for (const c of COMPLAINTS) await s.admin.query('INSERT INTO aduan SET ?', [c]);
  return {
    adapterYaml: `
adapter:
  type: sql
  driver: mysql
  host: ${MARIADB.host}
  port: ${MARIADB.port}
  user: ${MARIADB.user}
  database: ${s.database}
  table: aduan
  columns: { id: id, updated_at: updated_at }
  batch_size: 2
`,
    async edit(id, isi, updatedAt) {
      await s.admin.query('UPDATE aduan SET isi = ?, updated_at = ? WHERE id = ?', [isi, updatedAt, id]);
    },
    drop: () => s.drop(),
  };
}

async function postgresApp(): Promise<App> {
  const s = await openPostgresScratch('sp4n_e2e');
  await s.admin.query(`CREATE TABLE aduan (id INT PRIMARY KEY, nomor_tiket TEXT, judul TEXT, isi TEXT, kategori TEXT, tanggal TIMESTAMP,
    anonim BOOLEAN NOT NULL, rahasia BOOLEAN NOT NULL, pelapor_nama TEXT, updated_at TIMESTAMPTZ NOT NULL)`);
  for (const c of COMPLAINTS) {
    await s.admin.query('INSERT INTO aduan VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [c.id, c.nomor_tiket, c.judul, c.isi, c.kategori, c.tanggal, c.anonim === 1, c.rahasia === 1, c.pelapor_nama, `${c.updated_at}+07`]);
  }
  // the query form as documented (NULL on a first run), through a url without a password (trust auth here)
  return {
    adapterYaml: `
adapter:
  type: sql
  driver: postgres
  url: postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${POSTGRES.database}
  query: |
    SELECT a.*
    FROM ${s.schema}.aduan a
    WHERE a.updated_at > :since_updated_at
       OR (a.updated_at = :since_updated_at AND a.id > :since_id)
       OR :since_updated_at IS NULL
    ORDER BY a.updated_at, a.id
    LIMIT :limit
  batch_size: 2
`,
    async edit(id, isi, updatedAt) {
      await s.admin.query('UPDATE aduan SET isi = $1, updated_at = $2 WHERE id = $3', [isi, `${updatedAt}+07`, id]);
    },
    drop: () => s.drop(),
  };
}

async function sqliteApp(dir: string): Promise<App> {
  const file = path.join(dir, 'app-data', 'aduan.sqlite');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.exec(`CREATE TABLE aduan (id INTEGER PRIMARY KEY, nomor_tiket TEXT, judul TEXT, isi TEXT, kategori TEXT, tanggal TEXT,
    anonim INTEGER NOT NULL, rahasia INTEGER NOT NULL, pelapor_nama TEXT, updated_at TEXT NOT NULL)`);
  const insert = db.prepare('INSERT INTO aduan VALUES (@id, @nomor_tiket, @judul, @isi, @kategori, @tanggal, @anonim, @rahasia, @pelapor_nama, @updated_at)');
  for (const c of COMPLAINTS) insert.run(c);
  return {
    adapterYaml: `
adapter:
  type: sql
  driver: sqlite
  file: ${file}
  table: aduan
  timezone: Asia/Jakarta
  batch_size: 2
`,
    async edit(id, isi, updatedAt) {
      db.prepare('UPDATE aduan SET isi = ?, updated_at = ? WHERE id = ?').run(isi, updatedAt, id);
    },
    async drop() {
      db.close();
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each([
  ['MariaDB', 'mariadb-app', (_dir: string) => mariadbApp()],
  ['PostgreSQL', 'postgres-app', (_dir: string) => postgresApp()],
  ['SQLite', 'sqlite-app', (dir: string) => sqliteApp(dir)],
])('sql source end to end (%s)', (_name, sourceId, makeApp) => {
  it('delivers each complaint to LAPOR! exactly once over two runs; an edited row is a change, not a new complaint', async () => {
    const dir = tempDir('sp4n-sql-e2e-');
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const app = await makeApp(dir);
    cleanups.push(() => app.drop());
    const lapor = new LaporSimulator();
    await lapor.start();
    cleanups.push(() => lapor.stop());

    const configFile = copyShippedConfig(dir, { immediateReconcile: true });
    const sourcesDir = path.join(dir, 'config', 'sources');
    // the shipped sources (Bebeja) are not part of this test: only the sql source is configured
    for (const f of fs.readdirSync(sourcesDir)) if (/\.ya?ml$/.test(f)) fs.rmSync(path.join(sourcesDir, f));
    write(path.join(sourcesDir, `${sourceId}.yaml`), `id: ${sourceId}\ndescription: Aplikasi pengaduan lokal (${_name})\n${app.adapterYaml}${MAPPING}`);
    Object.assign(process.env, { LAPOR_BASE_URL: lapor.url, LAPOR_TOKEN: lapor.bearerToken, LAPOR_APP_TOKEN: lapor.appToken, SP4N_PII_KEY: 'sql-e2e-pii-key' });

    // each run opens the bridge afresh, as the CLI does: the cursor comes back from the ledger
    const sync = async (): Promise<SyncSummary> => {
      const bridge = await openBridge(loadSettingsOrThrow(configFile), { logger: silentLogger() });
      try {
        return await runSyncCycle(bridge);
      } finally {
        await bridge.close();
      }
    };
    const refs = () => lapor.complaints().map((c) => String(c.body.content).split('\n').pop());
    const sentFor = (c: Complaint) => lapor.complaints().find((x) => String(x.body.content).endsWith(`Ref: ${sourceId}/${c.id}`));

    const first = await sync();
    expect(first.sources).toEqual([expect.objectContaining({ source: sourceId, ok: true, pulled: 4, new: 4, quarantined: 0 })]);
    expect(first.delivery?.delivered).toBe(4);
    expect(first.states).toEqual({ delivered: 4 });

    const second = await sync();
    expect(second.sources[0]).toMatchObject({ ok: true, new: 0, changed: 0 });
    expect(second.delivery?.delivered).toBe(0);
    expect(refs().sort()).toEqual(COMPLAINTS.map((c) => `Ref: ${sourceId}/${c.id}`).sort());

    // the mapping read the database's own types: booleans/tinyints, local DATETIMEs
    const anonymous = COMPLAINTS[1];
    expect(sentFor(anonymous)?.body.is_anonymous).toBe(true);
    expect(JSON.stringify(lapor.complaints())).not.toContain(anonymous.pelapor_nama);
    expect(sentFor(COMPLAINTS[2])?.body.is_secret).toBe(true);
    expect(sentFor(COMPLAINTS[0])?.body.is_anonymous).toBe(false);

    await app.edit(anonymous.id, EDITED_ISI, '2024-05-03 08:00:00.000');
    const third = await sync();
    expect(third.sources[0]).toMatchObject({ ok: true, new: 0, changed: 1 });
    expect(third.delivery?.delivered).toBe(0);
    expect(lapor.complaints()).toHaveLength(4);
    expect(third.states).toEqual({ delivered: 4 });
  });
});
