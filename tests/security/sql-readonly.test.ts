/**
 * Issue #10, SQL safety: the sql source's user-written query can never write to the local app's
 * database. Two layers, each shown against the real PostgreSQL and MariaDB servers (a scratch
 * schema / database, dropped afterwards) and a SQLite file:
 *
 * 1. config: a query that writes (a CTE with INSERT, `UPDATE …; SELECT`) is refused by
 *    `config check` with a clear message — it is never run;
 * 2. database: what slips past the text check (a function that writes, a statement run straight
 *    through the driver, a second statement smuggled after the first) fails on the read-only
 *    transaction, with an error naming the source and saying why; the table is unchanged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { AdapterError } from '../../src/adapters/errors.js';
import { createSqlDriver, SqlAdapter } from '../../src/adapters/sql/sql-adapter.js';
import { sqlConfigSchema } from '../../src/adapters/sql/sql-config.js';
import { silentLogger } from '../../src/util/logger.js';
import { tempDir } from '../helpers/workdir.js';
import { walk } from '../adapters/adapter-suite.js';
import { lazily, MARIADB, openMariadbScratch, openPostgresScratch, POSTGRES } from '../adapters/sql-test-servers.js';

const mariadb = lazily(() => openMariadbScratch('sp4n_ro'));
const postgres = lazily(() => openPostgresScratch('sp4n_ro'));
const sqliteDir = tempDir('sp4n-sql-ro-');
const ctx = { sourceId: 'app-db', logger: silentLogger(), now: () => new Date() };

afterAll(async () => {
  await (await mariadb.opened())?.drop();
  await (await postgres.opened())?.drop();
  fs.rmSync(sqliteDir, { recursive: true, force: true });
});

const KEYSET = 'WHERE (updated_at > :since_updated_at OR (updated_at = :since_updated_at AND id > :since_id) OR :since_updated_at IS NULL) ORDER BY updated_at, id LIMIT :limit';

interface Backend {
  readonly name: 'postgres' | 'mariadb' | 'sqlite';
  readonly driver: 'postgres' | 'mysql' | 'sqlite';
  /** Creates table `aduan` with two rows and an `audit_log` table; returns the connection config. */
  setup(): Promise<Record<string, unknown>>;
  /** Creates a function `sp_touch()` that inserts into audit_log and returns 1 (not for SQLite). */
  writingFunction?(): Promise<void>;
  count(table: string): Promise<number>;
  /** `judul` of row 1. */
  title(): Promise<string>;
  /** Statements that write, run straight through the driver (past the config check). */
  readonly writes: readonly string[];
}

const backends: Backend[] = [
  {
    name: 'postgres',
    driver: 'postgres',
    async setup() {
      const { admin, schema } = (await postgres.get()) as Awaited<ReturnType<typeof openPostgresScratch>>;
      await admin.query('CREATE TABLE aduan (id int PRIMARY KEY, judul text, isi text, updated_at timestamp NOT NULL)');
      await admin.query('CREATE TABLE audit_log (n int)');
      await admin.query("INSERT INTO aduan VALUES (1, 'Jalan rusak', 'x', '2024-03-01 08:00:00'), (2, 'Lampu mati', 'y', '2024-03-01 09:00:00')");
      return { driver: 'postgres', host: POSTGRES.host, port: POSTGRES.port, user: POSTGRES.user, database: POSTGRES.database, table: `${schema}.aduan` };
    },
    async writingFunction() {
      const { admin, schema } = (await postgres.get()) as Awaited<ReturnType<typeof openPostgresScratch>>;
      await admin.query(`CREATE FUNCTION sp_touch() RETURNS int LANGUAGE sql VOLATILE AS $$ INSERT INTO "${schema}".audit_log VALUES (1) RETURNING 1 $$`);
    },
    async count(table) {
      const { admin } = (await postgres.get()) as Awaited<ReturnType<typeof openPostgresScratch>>;
      return Number((await admin.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    },
    async title() {
      const { admin } = (await postgres.get()) as Awaited<ReturnType<typeof openPostgresScratch>>;
      return String((await admin.query('SELECT judul FROM aduan WHERE id = 1')).rows[0].judul);
    },
    writes: [
      "WITH x AS (INSERT INTO {s}.aduan VALUES (3, 'baru', 'z', now()) RETURNING id) SELECT * FROM x",
      "UPDATE {s}.aduan SET judul = 'diubah' WHERE id = 1",
      // the simple protocol would run both: the extended one refuses a second statement
      "SET TRANSACTION READ WRITE; UPDATE {s}.aduan SET judul = 'diubah' WHERE id = 1",
      "COMMIT; SET default_transaction_read_only = off; UPDATE {s}.aduan SET judul = 'diubah' WHERE id = 1",
    ],
  },
  {
    name: 'mariadb',
    driver: 'mysql',
    async setup() {
      const { admin, database } = (await mariadb.get()) as Awaited<ReturnType<typeof openMariadbScratch>>;
      await admin.query('CREATE TABLE aduan (id int PRIMARY KEY, judul text, isi text, updated_at datetime NOT NULL)');
      await admin.query('CREATE TABLE audit_log (n int)');
      await admin.query("INSERT INTO aduan VALUES (1, 'Jalan rusak', 'x', '2024-03-01 08:00:00'), (2, 'Lampu mati', 'y', '2024-03-01 09:00:00')");
      return { driver: 'mysql', host: MARIADB.host, port: MARIADB.port, user: MARIADB.user, database, table: 'aduan' };
    },
    async writingFunction() {
      const { admin } = (await mariadb.get()) as Awaited<ReturnType<typeof openMariadbScratch>>;
      await admin.query('CREATE FUNCTION sp_touch() RETURNS int MODIFIES SQL DATA NOT DETERMINISTIC BEGIN INSERT INTO audit_log VALUES (1); RETURN 1; END');
    },
    async count(table) {
      const { admin } = (await mariadb.get()) as Awaited<ReturnType<typeof openMariadbScratch>>;
      const [rows] = await admin.query(`SELECT count(*) AS n FROM ${table}`);
      return Number((rows as { n: number }[])[0]?.n);
    },
    async title() {
      const { admin } = (await mariadb.get()) as Awaited<ReturnType<typeof openMariadbScratch>>;
      const [rows] = await admin.query('SELECT judul FROM aduan WHERE id = 1');
      return String((rows as { judul: string }[])[0]?.judul);
    },
    writes: [
      "INSERT INTO aduan VALUES (3, 'baru', 'z', now())",
      "UPDATE aduan SET judul = 'diubah' WHERE id = 1",
      "UPDATE aduan SET judul = 'diubah' WHERE id = 1; SELECT 1",
      "SET SESSION TRANSACTION READ WRITE; UPDATE aduan SET judul = 'diubah' WHERE id = 1",
    ],
  },
  {
    name: 'sqlite',
    driver: 'sqlite',
    async setup() {
      const file = path.join(sqliteDir, 'app.sqlite');
      const db = new Database(file);
      db.exec("CREATE TABLE aduan (id INTEGER PRIMARY KEY, judul TEXT, isi TEXT, updated_at DATETIME NOT NULL); CREATE TABLE audit_log (n INTEGER); INSERT INTO aduan VALUES (1, 'Jalan rusak', 'x', '2024-03-01 08:00:00'), (2, 'Lampu mati', 'y', '2024-03-01 09:00:00');");
      db.close();
      return { driver: 'sqlite', file, table: 'aduan' };
    },
    async count(table) {
      const db = new Database(path.join(sqliteDir, 'app.sqlite'), { readonly: true });
      try {
        return Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
      } finally {
        db.close();
      }
    },
    async title() {
      const db = new Database(path.join(sqliteDir, 'app.sqlite'), { readonly: true });
      try {
        return String((db.prepare('SELECT judul FROM aduan WHERE id = 1').get() as { judul: string }).judul);
      } finally {
        db.close();
      }
    },
    writes: [
      "WITH x AS (SELECT 1) INSERT INTO aduan VALUES (3, 'baru', 'z', '2024-03-01 10:00:00')",
      "UPDATE aduan SET judul = 'diubah' WHERE id = 1 RETURNING id",
      "UPDATE aduan SET judul = 'diubah' WHERE id = 1; SELECT 1",
    ],
  },
];

describe.each(backends)('the sql source never writes: $name', (backend) => {
  let conn: Record<string, unknown>;
  let schema = '';

  it('a query that writes is refused by the config check, with a clear message; nothing is run', async () => {
    conn = await backend.setup();
    schema = String(conn.table).includes('.') ? (String(conn.table).split('.')[0] as string) : '';
    const { table: _table, ...base } = conn;
    const qualified = String(conn.table);
    const writing = [
      [`WITH x AS (INSERT INTO ${qualified} (id, judul, isi, updated_at) VALUES (3, 'baru', 'z', '2024-03-01 10:00:00') RETURNING *) SELECT * FROM x ${KEYSET}`, /must only read: "INSERT" is not allowed/],
      [`UPDATE ${qualified} SET judul = 'diubah'; SELECT * FROM ${qualified} ${KEYSET}`, /must be a SELECT|single statement|must only read: "UPDATE"/],
      [`SELECT * FROM ${qualified} ${KEYSET} FOR UPDATE`, /must only read: "UPDATE"/],
    ] as const;
    for (const [query, message] of writing) {
      const parsed = sqlConfigSchema.safeParse({ type: 'sql', ...base, query });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')).toMatch(message);
    }
    expect(await backend.count(qualified)).toBe(2);
    expect(await backend.title()).toBe('Jalan rusak');
  });

  it('statements that write, run straight through the driver, fail on the read-only session; the table is unchanged', async () => {
    const config = sqlConfigSchema.parse({ type: 'sql', ...conn });
    const driver = createSqlDriver(config, ctx);
    try {
      for (const statement of backend.writes) {
        const sql = statement.replaceAll('{s}', schema);
        await expect(driver.query(sql, [])).rejects.toThrow(/read[- ]only|readonly|does not only read|multiple commands|syntax|more than one statement/i);
      }
      // the session is still read-only and usable after every refusal
      const { rows } = await driver.query(`SELECT count(*) AS n FROM ${String(conn.table)}`, []);
      expect(Number(rows[0]?.n)).toBe(2);
    } finally {
      await driver.close();
    }
    expect(await backend.count(String(conn.table))).toBe(2);
    expect(await backend.title()).toBe('Jalan rusak');
  });

  if (backend.writingFunction) {
    it('a query that passes the text check but writes through a function fails with a clear error naming the source', async () => {
      await backend.writingFunction?.();
      const qualified = String(conn.table);
      const fn = schema ? `${schema}.sp_touch()` : 'sp_touch()';
      const { table: _table, ...base } = conn;
      const query = `SELECT a.*, ${fn} AS touched FROM ${qualified} a WHERE (a.updated_at > :since_updated_at OR (a.updated_at = :since_updated_at AND a.id > :since_id) OR :since_updated_at IS NULL) ORDER BY a.updated_at, a.id LIMIT :limit`;
      const adapter = new SqlAdapter(sqlConfigSchema.parse({ type: 'sql', ...base, query }), ctx);
      try {
        const failure = await walk(adapter).catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(AdapterError);
        expect((failure as AdapterError).retriable).toBe(false);
        expect((failure as Error).message).toMatch(/^\[app-db\] .*read[- ]only.*; the source query runs on a read-only connection and must only read$/is);
      } finally {
        await adapter.close();
      }
      const log = schema ? `${schema}.audit_log` : 'audit_log';
      expect(await backend.count(log)).toBe(0);
      expect(await backend.count(qualified)).toBe(2);
    });
  }
});
