/**
 * The sql adapter against the real MariaDB and PostgreSQL servers on this machine (a scratch
 * database / schema created and dropped here) and a SQLite file: the shared contract suite for
 * each, then the query form, read-only sessions, exact watermark round-trips and the cap.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { AdapterError } from '../../src/adapters/errors.js';
import { adapterRegistry } from '../../src/adapters/registry.js';
import { createSqlDriver, SqlAdapter, type SqlCursor } from '../../src/adapters/sql/sql-adapter.js';
import { sqlConfigSchema } from '../../src/adapters/sql/sql-config.js';
import { parseDbTime } from '../../src/adapters/sql/sql-time.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/workdir.js';
import { adapterContractSuite, walk, type AdapterFixture, type SuiteRow } from './adapter-suite.js';
import { lazily, MARIADB, openMariadbScratch, openPostgresScratch, POSTGRES } from './sql-test-servers.js';

const WRONG_PASSWORD = 'Wr0ng-pa55word-never-shown';
process.env.SP4N_TEST_SQL_WRONG_PASSWORD = WRONG_PASSWORD;

const mariadb = lazily(() => openMariadbScratch());
const postgres = lazily(() => openPostgresScratch());
const sqliteDir = tempDir('sp4n-sql-');

const adapters: SqlAdapter[] = [];
function sqlAdapter(input: Record<string, unknown>, now: () => Date = () => new Date()): SqlAdapter {
  const config = sqlConfigSchema.parse({ type: 'sql', ...input });
  const a = new SqlAdapter(config, { sourceId: 'app-db', logger: silentLogger(), now });
  adapters.push(a);
  return a;
}

afterEach(async () => {
  for (const a of adapters.splice(0)) await a.close();
});

afterAll(async () => {
  await (await mariadb.opened())?.drop();
  await (await postgres.opened())?.drop();
  sqliteWriter?.close();
  fs.rmSync(sqliteDir, { recursive: true, force: true });
});

/** What a test needs to know about one kind of database: how to write rows and how to point the adapter at them. */
interface Backend {
  readonly name: 'mariadb' | 'postgres' | 'sqlite';
  /** Creates `aduan`-like table `name` (id, judul, isi, updated_at); returns the qualified name. */
  createTable(name: string, options?: { micro?: boolean }): Promise<string>;
  /** Inserts rows; `updated_at` is ISO 8601 with offset. */
  insert(table: string, rows: readonly SuiteRow[]): Promise<void>;
  /** Sets `isi` and moves `updated_at` one minute past every other row. */
  edit(table: string, id: string, isi: string): Promise<void>;
  dropTable(table: string): Promise<void>;
  config(table: string): Promise<Record<string, unknown>>;
  brokenConfig(table: string): Promise<Record<string, unknown>>;
  readonly brokenSecret?: string;
  /** How `raw.updated_at` looks for 2024-03-01T08:00:00+07:00. */
  readonly rawTime: string;
}

/** Local Jakarta text of an ISO time, keeping every fraction digit (luxon stops at milliseconds). */
const jakarta = (iso: string) => `${DateTime.fromISO(iso, { setZone: true }).setZone('Asia/Jakarta').toFormat('yyyy-MM-dd HH:mm:ss')}${/\.\d+/.exec(iso)?.[0] ?? ''}`;
const utc = (iso: string) => DateTime.fromISO(iso, { setZone: true }).toUTC().toFormat('yyyy-MM-dd HH:mm:ss.SSS');

const mariadbBackend: Backend = {
  name: 'mariadb',
  async createTable(name, options = {}) {
    const { admin } = await mariadb.get();
    await admin.query(`CREATE TABLE \`${name}\` (id INT PRIMARY KEY, judul TEXT, isi TEXT, lampiran BLOB NULL, updated_at DATETIME(${options.micro ? 6 : 3}) NOT NULL, INDEX (updated_at, id))`);
    return name;
  },
  async insert(table, rows) {
    const { admin } = await mariadb.get();
    for (const r of rows) await admin.query(`INSERT INTO \`${table}\` (id, judul, isi, updated_at) VALUES (?, ?, ?, ?)`, [Number(r.id), r.judul, r.isi, jakarta(r.updated_at)]);
  },
  async edit(table, id, isi) {
    const { admin } = await mariadb.get();
    const [rows] = await admin.query(`SELECT DATE_ADD(MAX(updated_at), INTERVAL 1 MINUTE) AS t FROM \`${table}\``);
    await admin.query(`UPDATE \`${table}\` SET isi = ?, updated_at = ? WHERE id = ?`, [isi, (rows as { t: string }[])[0]?.t, Number(id)]);
  },
  async dropTable(table) {
    await (await mariadb.get()).admin.query(`DROP TABLE IF EXISTS \`${table}\``);
  },
  async config(table) {
    return { driver: 'mysql', ...MARIADB, database: (await mariadb.get()).database, table, batch_size: 3 };
  },
  async brokenConfig(table) {
    return { ...(await this.config(table)), password: '${SP4N_TEST_SQL_WRONG_PASSWORD}' };
  },
  brokenSecret: WRONG_PASSWORD,
  rawTime: '2024-03-01T08:00:00+07:00',
};

const postgresBackend: Backend = {
  name: 'postgres',
  async createTable(name) {
    const { admin, schema } = await postgres.get();
    await admin.query(`CREATE TABLE "${name}" (id INT PRIMARY KEY, judul TEXT, isi TEXT, lampiran BYTEA NULL, updated_at TIMESTAMPTZ NOT NULL)`);
    await admin.query(`CREATE INDEX ON "${name}" (updated_at, id)`);
    return `${schema}.${name}`;
  },
  async insert(table, rows) {
    const { admin } = await postgres.get();
    for (const r of rows) await admin.query(`INSERT INTO ${table} (id, judul, isi, updated_at) VALUES ($1, $2, $3, $4)`, [Number(r.id), r.judul, r.isi, r.updated_at]);
  },
  async edit(table, id, isi) {
    const { admin } = await postgres.get();
    await admin.query(`UPDATE ${table} SET isi = $1, updated_at = (SELECT max(updated_at) + interval '1 minute' FROM ${table}) WHERE id = $2`, [isi, Number(id)]);
  },
  async dropTable(table) {
    await (await postgres.get()).admin.query(`DROP TABLE IF EXISTS ${table}`);
  },
  async config(table) {
    // the url form, without a password (trust auth here)
    return { driver: 'postgres', url: `postgres://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${POSTGRES.database}`, table, batch_size: 3 };
  },
  async brokenConfig(table) {
    // trust auth ignores passwords, so break the database name and carry a password all the same
    return { driver: 'postgres', host: POSTGRES.host, port: POSTGRES.port, user: POSTGRES.user, database: 'sp4n_no_such_database', password: '${SP4N_TEST_SQL_WRONG_PASSWORD}', table, batch_size: 3 };
  },
  brokenSecret: WRONG_PASSWORD,
  rawTime: '2024-03-01T08:00:00+07:00',
};

/** SQLite as apps use it: UTC text from datetime('now'), so the source's timezone is UTC. */
let sqliteWriter: Database.Database | undefined;
const sqliteFile = path.join(sqliteDir, 'app.sqlite');
const sqliteDb = () => (sqliteWriter ??= new Database(sqliteFile));

const sqliteBackend: Backend = {
  name: 'sqlite',
  async createTable(name) {
    sqliteDb().exec(`CREATE TABLE "${name}" (id INTEGER PRIMARY KEY, judul TEXT, isi TEXT, lampiran BLOB, updated_at DATETIME NOT NULL); CREATE INDEX "${name}_wm" ON "${name}" (updated_at, id);`);
    return name;
  },
  async insert(table, rows) {
    const stmt = sqliteDb().prepare(`INSERT INTO "${table}" (id, judul, isi, updated_at) VALUES (?, ?, ?, ?)`);
    for (const r of rows) stmt.run(Number(r.id), r.judul, r.isi, utc(r.updated_at));
  },
  async edit(table, id, isi) {
    sqliteDb()
      .prepare(`UPDATE "${table}" SET isi = ?, updated_at = (SELECT strftime('%Y-%m-%d %H:%M:%f', max(updated_at), '+1 minute') FROM "${table}") WHERE id = ?`)
      .run(isi, Number(id));
  },
  async dropTable(table) {
    sqliteDb().exec(`DROP TABLE IF EXISTS "${table}"`);
  },
  async config(table) {
    sqliteDb();
    return { driver: 'sqlite', file: sqliteFile, table, timezone: 'UTC', batch_size: 3 };
  },
  async brokenConfig(table) {
    return { ...(await this.config(table)), file: path.join(sqliteDir, 'missing.sqlite') };
  },
  rawTime: '2024-03-01T01:00:00Z',
};

const backends = [mariadbBackend, postgresBackend, sqliteBackend];

let tableSeq = 0;
async function fixtureFor(backend: Backend): Promise<AdapterFixture> {
  const table = await backend.createTable(`aduan_${++tableSeq}`);
  const adapter = sqlAdapter(await backend.config(table));
  await adapter.open();
  const broken = await backend.brokenConfig(table);
  return {
    adapter,
    batchSize: 3,
    add: (rows) => backend.insert(table, rows),
    edit: (id, patch) => backend.edit(table, id, patch.isi),
    broken: () => sqlAdapter(broken),
    brokenSecret: backend.brokenSecret,
    teardown: () => backend.dropTable(table),
  };
}

adapterContractSuite('sql (MariaDB)', () => fixtureFor(mariadbBackend), { incremental: true });
adapterContractSuite('sql (PostgreSQL)', () => fixtureFor(postgresBackend), { incremental: true });
adapterContractSuite('sql (SQLite)', () => fixtureFor(sqliteBackend), { incremental: true });

const T0 = '2024-03-01T08:00:00+07:00';
const at = (minutes: number) => DateTime.fromISO(T0, { setZone: true }).plus({ minutes }).toISO() as string;
const row = (id: number, minutes: number, judul = `Judul ${id}`): SuiteRow => ({ id: String(id), judul, isi: `Isi ${id}`, updated_at: at(minutes) });
const ids = (records: readonly { externalId: string }[]) => records.map((r) => r.externalId);

describe('sql adapter', () => {
  it('is registered under "sql" and validates its config through the registry', () => {
    const factory = adapterRegistry.sql;
    expect(factory?.kind).toBe('sql');
    const parsed = factory?.configSchema.safeParse({ type: 'sql', driver: 'sqlite', file: '/tmp/x.sqlite', table: 'aduan' });
    expect(parsed?.success).toBe(true);
  });

  describe.each(backends)('$name', (backend) => {
    it('the query form: named parameters, a filter, and a tie group larger than a batch', async () => {
      const table = await backend.createTable(`q_${++tableSeq}`);
      await backend.insert(table, [row(1, 0), row(2, 1), row(3, 1), row(4, 1), row(5, 1), row(6, 2, 'draf'), row(7, 3)]);
      const config = await backend.config(table);
      const query = `SELECT id, judul, isi, updated_at FROM ${table} -- only what is not a draft (':since_id' in a comment is no parameter)
        WHERE judul <> 'draf' AND (updated_at > :since_updated_at OR (updated_at = :since_updated_at AND id > :since_id))
        ORDER BY updated_at, id LIMIT :limit`;
      const a = sqlAdapter({ ...config, table: undefined, query, batch_size: 2 });
      const first = await walk(a, undefined, async () => undefined);
      expect(ids(first.records)).toEqual(['1', '2', '3', '4', '5', '7']);
      expect(first.batches).toBe(3);
      expect(first.cursor).toMatchObject({ id: 7 });
      await backend.insert(table, [row(8, 3), row(9, 4, 'draf')]);
      const again = await walk(sqlAdapter({ ...config, table: undefined, query, incremental: { lookback: '0s' } }), first.cursor);
      expect(ids(again.records)).toEqual(['8']);
      expect(await a.check()).toMatchObject({ ok: true });
    });

    it('the cursor round-trips exactly: a tie on the last timestamp resumes at the next id, nothing is read twice', async () => {
      const table = await backend.createTable(`rt_${++tableSeq}`);
      await backend.insert(table, [row(1, 0), row(2, 5), row(3, 5)]);
      const a = sqlAdapter({ ...(await backend.config(table)), incremental: { lookback: '0s' } });
      const first = await walk(a);
      const cursor = first.cursor as SqlCursor;
      expect(cursor.id).toBe(3);
      expect(parseDbTime(cursor.updated_at, backend.name === 'sqlite' ? 'UTC' : 'Asia/Jakarta')?.ms).toBe(Date.parse(at(5)));
      expect(ids((await walk(a, JSON.parse(JSON.stringify(cursor)))).records)).toEqual([]);
      await backend.insert(table, [row(4, 5), row(5, 4)]);
      // id 5 sits before the cursor: only a lookback or a full re-scan sees it
      expect(ids((await walk(a, cursor)).records)).toEqual(['4']);
      const lookback = sqlAdapter({ ...(await backend.config(table)), incremental: { lookback: '2m' } });
      expect(ids((await walk(lookback, cursor)).records).sort()).toEqual(['2', '3', '4', '5']);
      const full: string[] = [];
      for await (const b of a.read(cursor, { full: true })) full.push(...ids(b.records));
      expect(full).toEqual(['1', '5', '2', '3', '4']);
    });

    it('never stores a cursor later than the run start minus the clock skew', async () => {
      const table = await backend.createTable(`cap_${++tableSeq}`);
      await backend.insert(table, [row(1, 0), row(2, 1), row(3, 2), row(4, 3), row(5, 4)]);
      const now = () => new Date(at(3)); // the source's clock runs ahead of ours
      const a = sqlAdapter({ ...(await backend.config(table)), incremental: { clock_skew: '1m', lookback: '0s' } }, now);
      const first = await walk(a);
      expect(ids(first.records)).toEqual(['1', '2', '3', '4', '5']);
      const cursor = first.cursor as SqlCursor;
      expect(cursor.id).toBeNull();
      const ms = parseDbTime(cursor.updated_at, backend.name === 'sqlite' ? 'UTC' : 'Asia/Jakarta')?.ms ?? Infinity;
      expect(ms).toBeLessThanOrEqual(Date.parse(at(2)));
      // the next run re-reads what lies after the cap
      expect(ids((await walk(a, cursor)).records)).toEqual(['4', '5']);
    });

    it('raw carries the row, timestamps as ISO 8601 and binary values as text', async () => {
      const table = await backend.createTable(`raw_${++tableSeq}`);
      await backend.insert(table, [row(1, 0)]);
      const { records } = await walk(sqlAdapter(await backend.config(table)));
      const raw = records[0]?.raw as Record<string, unknown>;
      expect(raw).toMatchObject({ id: 1, judul: 'Judul 1', isi: 'Isi 1', lampiran: null });
      // SQLite has no timestamp type: a DATETIME-declared text column is still read as one
      expect(raw.updated_at).toBe(backend.rawTime);
    });

    it('the session is read-only: an INSERT through the adapter’s own driver fails', async () => {
      const table = await backend.createTable(`ro_${++tableSeq}`);
      const config = sqlConfigSchema.parse({ type: 'sql', ...(await backend.config(table)) });
      const driver = createSqlDriver(config, { sourceId: 'app-db', logger: silentLogger(), now: () => new Date() });
      try {
        const insert = `INSERT INTO ${table} (id, judul, isi, updated_at) VALUES (1, 'x', 'y', '2024-03-01 08:00:00')`;
        await expect(driver.query(insert, [])).rejects.toThrow(/read[- ]only|readonly|does not only read/i);
        if (backend.name === 'postgres') {
          const { rows } = await driver.query('SHOW default_transaction_read_only', []);
          expect(rows[0]).toEqual({ default_transaction_read_only: 'on' });
        }
        const { rows } = await driver.query(`SELECT count(*) AS n FROM ${table}`, []);
        expect(Number(rows[0]?.n)).toBe(0);
      } finally {
        await driver.close();
      }
    });

    it('check() names the source, the driver and the host when the server cannot be reached', async () => {
      const table = await backend.createTable(`chk_${++tableSeq}`);
      const config = await backend.config(table);
      const unreachable = backend.name === 'sqlite' ? { ...config, file: path.join(sqliteDir, 'nope', 'x.sqlite') } : { driver: config.driver, host: '127.0.0.1', port: 1, user: 'reader', database: 'aduan', password: '${SP4N_TEST_SQL_WRONG_PASSWORD}', table };
      const r = await sqlAdapter(unreachable).check();
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(backend.name === 'sqlite' ? /^\[app-db\] sqlite \/.*nope\/x\.sqlite: cannot open the file: .*directory does not exist/ : new RegExp(`^\\[app-db\\] ${config.driver} reader@127\\.0\\.0\\.1:1/aduan: .*ECONNREFUSED`));
      expect(r.message).not.toContain(WRONG_PASSWORD);
      // a read fails with the same, classified error
      const failure = await walk(sqlAdapter({ ...unreachable })).catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(AdapterError);
      expect((failure as AdapterError).code).toBe(backend.name === 'sqlite' ? 'SOURCE_CONFIG' : 'SOURCE_UNREACHABLE');
    });

    it('a query whose result lacks the watermark columns fails clearly', async () => {
      const table = await backend.createTable(`col_${++tableSeq}`);
      await backend.insert(table, [row(1, 0)]);
      const query = `SELECT id, judul FROM ${table} WHERE (updated_at > :since_updated_at OR (updated_at = :since_updated_at AND id > :since_id)) ORDER BY updated_at, id LIMIT :limit`;
      const a = sqlAdapter({ ...(await backend.config(table)), table: undefined, query });
      expect(await a.check()).toEqual({ ok: false, message: expect.stringMatching(/^\[app-db\] .*: the result has no column "updated_at" \(columns\.updated_at\); it has id, judul$/) });
      await expect(walk(a)).rejects.toThrow(/no column "updated_at"/);
    });

    it('a backfill (sync --since) reads from that time and does not move the cursor past what it skipped', async () => {
      const table = await backend.createTable(`bf_${++tableSeq}`);
      await backend.insert(table, [row(1, 0), row(2, 10), row(3, 20), row(4, 30)]);
      const a = sqlAdapter(await backend.config(table));
      const got: string[] = [];
      let cursor: unknown;
      for await (const b of a.read(undefined, { since: new Date(at(20)) })) {
        got.push(...ids(b.records));
        cursor = b.cursor;
      }
      expect(got).toEqual(['3', '4']);
      expect(cursor).toMatchObject({ id: 4 });
      // a saved cursor at row 1, and a backfill from 25 minutes: row 4 is read, the cursor stays
      const saved = await firstBatchCursor(sqlAdapter({ ...(await backend.config(table)), batch_size: 1 }));
      expect(saved).toMatchObject({ id: 1 });
      const held: unknown[] = [];
      const backfilled: string[] = [];
      for await (const b of a.read(saved as SqlCursor, { since: new Date(at(25)) })) {
        backfilled.push(...ids(b.records));
        held.push(b.cursor);
      }
      expect(backfilled).toEqual(['4']);
      expect(held).toEqual([saved]);
    });
  });

  it('microsecond timestamps keep their order and ties across batches (MariaDB DATETIME(6), PostgreSQL timestamptz)', async () => {
    const rows = (base: number): SuiteRow[] =>
      ['.000001', '.000001', '.000002', '.000999', '.001000'].map((frac, i) => ({ id: String(base + i), judul: `m${i}`, isi: 'x', updated_at: `2024-03-01T08:00:00${frac}+07:00` }));
    for (const backend of [mariadbBackend, postgresBackend]) {
      const table = await backend.createTable(`us_${++tableSeq}`, { micro: true });
      await backend.insert(table, rows(10));
      const a = sqlAdapter({ ...(await backend.config(table)), batch_size: 1, incremental: { lookback: '0s' } });
      const first = await walk(a, undefined, async () => undefined);
      expect(ids(first.records)).toEqual(['10', '11', '12', '13', '14']);
      expect(first.batches).toBe(5);
      expect(ids((await walk(a, first.cursor)).records)).toEqual([]);
      expect(String((first.cursor as SqlCursor).updated_at)).toMatch(/08:00:00\.001(000)?(\+07)?$/);
    }
  });

  it('text ids are compared the way the database compares them (MariaDB case-insensitive collation)', async () => {
    const { admin, database } = await mariadb.get();
    const table = `txt_${++tableSeq}`;
    await admin.query(`CREATE TABLE \`${table}\` (kode VARCHAR(20) PRIMARY KEY, isi TEXT, diubah DATETIME NOT NULL) COLLATE utf8mb4_general_ci`);
    for (const kode of ['c', 'B', 'a', 'D', 'e']) await admin.query(`INSERT INTO \`${table}\` VALUES (?, 'x', '2024-03-01 08:00:00')`, [kode]);
    const a = sqlAdapter({ driver: 'mysql', ...MARIADB, database, table, columns: { id: 'kode', updated_at: 'diubah' }, batch_size: 2, incremental: { lookback: '0s' } });
    const first = await walk(a);
    expect(ids(first.records)).toEqual(['a', 'B', 'c', 'D', 'e']);
    expect(first.cursor).toEqual({ updated_at: '2024-03-01 08:00:00', id: 'e' });
    expect(ids((await walk(a, first.cursor)).records)).toEqual([]);
    await admin.query(`INSERT INTO \`${table}\` VALUES ('F', 'x', '2024-03-01 08:00:00')`);
    expect(ids((await walk(a, first.cursor)).records)).toEqual(['F']);
  });

  it('SQLite epoch-second timestamps work in the table form, lookback and cap included', async () => {
    const table = `epoch_${++tableSeq}`;
    sqliteDb().exec(`CREATE TABLE "${table}" (id INTEGER PRIMARY KEY, isi TEXT, changed INTEGER NOT NULL)`);
    const t0 = Date.parse(T0) / 1000;
    const insert = sqliteDb().prepare(`INSERT INTO "${table}" VALUES (?, 'x', ?)`);
    for (const [id, minutes] of [[1, 0], [2, 1], [3, 1], [4, 30]] as const) insert.run(id, t0 + minutes * 60);
    const config = { ...(await sqliteBackend.config(table)), columns: { id: 'id', updated_at: 'changed' }, batch_size: 2 };
    const first = await walk(sqlAdapter(config, () => new Date(at(60))));
    expect(ids(first.records)).toEqual(['1', '2', '3', '4']);
    expect(first.cursor).toEqual({ updated_at: t0 + 1800, id: 4 });
    expect(ids((await walk(sqlAdapter({ ...config, incremental: { lookback: '30m' } }), first.cursor)).records)).toEqual(['2', '3', '4']);
    const capped = await walk(sqlAdapter({ ...config, incremental: { clock_skew: '0s' } }, () => new Date(at(10))));
    expect(capped.cursor).toEqual({ updated_at: t0 + 600, id: null });
  });

  it('epochs the driver gives as digit strings (PostgreSQL bigint, MariaDB BIGINT) are capped and looked back in their own form', async () => {
    const now = Date.parse(at(60));
    const epochs = [
      { name: 'postgres', unit: 1000 },
      { name: 'mariadb', unit: 1 },
    ] as const;
    for (const { name, unit } of epochs) {
      const table = `dig_${++tableSeq}`;
      const epoch = (ms: number) => Math.floor(ms / unit);
      let config: Record<string, unknown>;
      let insert: (id: number, ms: number) => Promise<void>;
      if (name === 'postgres') {
        const { admin, schema } = await postgres.get();
        await admin.query(`CREATE TABLE "${table}" (id INT PRIMARY KEY, isi TEXT, changed BIGINT NOT NULL)`);
        insert = async (id, ms) => void (await admin.query(`INSERT INTO "${table}" VALUES ($1, 'x', $2)`, [id, epoch(ms)]));
        config = { ...(await postgresBackend.config(`${schema}.${table}`)) };
      } else {
        const { admin } = await mariadb.get();
        await admin.query(`CREATE TABLE \`${table}\` (id INT PRIMARY KEY, isi TEXT, changed BIGINT NOT NULL)`);
        insert = async (id, ms) => void (await admin.query(`INSERT INTO \`${table}\` VALUES (?, 'x', ?)`, [id, epoch(ms)]));
        config = await mariadbBackend.config(table);
      }
      config = { ...config, columns: { id: 'id', updated_at: 'changed' }, batch_size: 10 };
      await insert(1, Date.parse(at(0)));
      await insert(2, now - 5_000); // 5 s before the run: inside the clock skew
      const first = await walk(sqlAdapter(config, () => new Date(now)));
      expect(ids(first.records)).toEqual(['1', '2']);
      // capped at the run start minus the clock skew (2m), written as the driver gave it: digits
      expect(first.cursor).toEqual({ updated_at: String(epoch(now - 120_000)), id: null });
      // a row committed late, with an earlier time than the last one read: the lookback finds it
      await insert(3, now - 180_000);
      const second = await walk(sqlAdapter(config, () => new Date(now + 60_000)), first.cursor);
      expect(ids(second.records).sort()).toEqual(['2', '3']);
    }
  });

  it('a watermark the adapter cannot read as a time stops the run, naming the column and the shape; the cursor does not move', async () => {
    const table = `odd_${++tableSeq}`;
    sqliteDb().exec(`CREATE TABLE "${table}" (id INTEGER PRIMARY KEY, isi TEXT, diubah TEXT NOT NULL)`);
    sqliteDb().prepare(`INSERT INTO "${table}" VALUES (1, 'x', '01/03/2024 08:00')`).run();
    const a = sqlAdapter({ ...(await sqliteBackend.config(table)), columns: { id: 'id', updated_at: 'diubah' } });
    const cursors: unknown[] = [];
    const failure = await (async () => {
      for await (const b of a.read(undefined)) cursors.push(b.cursor);
    })().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(AdapterError);
    expect((failure as AdapterError).code).toBe('SOURCE_CONFIG');
    expect((failure as Error).message).toMatch(/"diubah" \(columns\.updated_at\) has a value shaped like "99\/99\/9999 99:99", which the adapter cannot read as a time/);
    expect((failure as Error).message).not.toContain('01/03/2024');
    expect(cursors).toEqual([]);
    expect(await a.check()).toEqual({ ok: false, message: expect.stringMatching(/shaped like "99\/99\/9999 99:99"/) });
  });

  it('a user query gets NULL for :since_updated_at on a first run, so numeric watermarks work (SQLite INTEGER, PostgreSQL bigint)', async () => {
    const t0 = Date.parse(T0) / 1000;
    const keyset = (table: string) => `SELECT id, isi, changed FROM ${table}
      WHERE (changed > :since_updated_at OR (changed = :since_updated_at AND id > :since_id) OR :since_updated_at IS NULL)
      ORDER BY changed, id LIMIT :limit`;
    // written before the NULL branch was documented: read through a floor that fits the column
    const older = (table: string) => `SELECT id, isi, changed FROM ${table}
      WHERE changed > :since_updated_at OR (changed = :since_updated_at AND id > :since_id)
      ORDER BY changed, id LIMIT :limit`;

    const sqliteTable = `qnum_${++tableSeq}`;
    sqliteDb().exec(`CREATE TABLE "${sqliteTable}" (id INTEGER PRIMARY KEY, isi TEXT, changed INTEGER NOT NULL)`);
    const { admin, schema } = await postgres.get();
    const pgTable = `qnum_${++tableSeq}`;
    await admin.query(`CREATE TABLE "${pgTable}" (id INT PRIMARY KEY, isi TEXT, changed BIGINT NOT NULL)`);
    const sqliteConfig = { ...(await sqliteBackend.config(sqliteTable)), table: undefined, columns: { id: 'id', updated_at: 'changed' }, batch_size: 2 };
    const pgConfig = { ...(await postgresBackend.config(`${schema}.${pgTable}`)), table: undefined, columns: { id: 'id', updated_at: 'changed' }, batch_size: 2 };
    const cases = [
      { config: sqliteConfig, table: `"${sqliteTable}"` },
      { config: pgConfig, table: `${schema}."${pgTable}"` },
    ];

    // an empty table: no rows yet, and a hint of what to check when the table has some
    for (const { config, table } of cases) {
      expect(await sqlAdapter({ ...config, query: keyset(table) }).check()).toEqual({ ok: true, message: expect.stringMatching(/the query answers \(no rows yet; if the table has rows, the query must return them when :since_updated_at is NULL/) });
    }
    const insertSqlite = sqliteDb().prepare(`INSERT INTO "${sqliteTable}" VALUES (?, 'x', ?)`);
    for (const [id, minutes] of [[1, 0], [2, 1], [3, 1]] as const) {
      insertSqlite.run(id, t0 + minutes * 60);
      await admin.query(`INSERT INTO "${pgTable}" VALUES ($1, 'x', $2)`, [id, t0 + minutes * 60]);
    }
    for (const { config, table } of cases) {
      const a = sqlAdapter({ ...config, query: keyset(table) });
      const first = await walk(a);
      expect(ids(first.records)).toEqual(['1', '2', '3']);
      expect(String((first.cursor as SqlCursor).updated_at)).toBe(String(t0 + 60));
      expect(await a.check()).toEqual({ ok: true, message: expect.stringMatching(/the query answers$/) });
      // sync --full reads everything again
      const full: string[] = [];
      for await (const b of a.read(first.cursor as SqlCursor, { full: true })) full.push(...ids(b.records));
      expect(full).toEqual(['1', '2', '3']);

      const old = sqlAdapter({ ...config, query: older(table) });
      expect(ids((await walk(old)).records)).toEqual(['1', '2', '3']);
      expect(await old.check()).toEqual({ ok: true, message: expect.stringMatching(/with warnings: the query returns no rows when :since_updated_at is NULL .* OR :since_updated_at IS NULL\)/) });
    }
    // a cursor saved as the old floor (a batch without keys) reads from the start, not from text
    const tableForm = sqlAdapter({ ...sqliteConfig, query: undefined, table: sqliteTable });
    expect(ids((await walk(tableForm, { updated_at: '1000-01-01 00:00:00', id: null })).records)).toEqual(['1', '2', '3']);
  });

  it('a query that ignores the watermark parameters is stopped instead of looping', async () => {
    const table = await sqliteBackend.createTable(`loop_${++tableSeq}`);
    await sqliteBackend.insert(table, [row(1, 0), row(2, 1), row(3, 2)]);
    const query = `SELECT * FROM ${table} WHERE :since_updated_at IS NOT NULL OR :since_id IS NULL ORDER BY updated_at, id LIMIT :limit`;
    const a = sqlAdapter({ ...(await sqliteBackend.config(table)), table: undefined, query, batch_size: 2 });
    await expect(walk(a)).rejects.toThrow(/the query returned the same last row again/);
  });
});

async function firstBatchCursor(a: SqlAdapter): Promise<unknown> {
  for await (const b of a.read(undefined)) return b.cursor;
  return undefined;
}
