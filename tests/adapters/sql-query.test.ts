/**
 * The sql adapter's pure parts, no server needed: config validation (identifiers, a single
 * read-only SELECT, connection fields), named-parameter translation, and watermark time shapes.
 */
import { describe, expect, it } from '@jest/globals';
import { sqlConfigSchema } from '../../src/adapters/sql/sql-config.js';
import { describeConnection } from '../../src/adapters/sql/sql-driver.js';
import { buildTableQueries, checkUserQuery, translateNamedParams } from '../../src/adapters/sql/sql-query.js';
import { compareDbTime, dbTimeToIso, formatDbTime, parseDbTime } from '../../src/adapters/sql/sql-time.js';

const KEYSET = '(updated_at > :since_updated_at OR (updated_at = :since_updated_at AND id > :since_id)) ORDER BY updated_at, id LIMIT :limit';
const mysql = { type: 'sql', driver: 'mysql', host: '127.0.0.1', database: 'aduan_app', user: 'reader' };

function problems(input: Record<string, unknown>): string[] {
  const r = sqlConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('sql config', () => {
  it('fills the defaults', () => {
    const c = sqlConfigSchema.parse({ ...mysql, table: 'aduan' });
    expect(c).toMatchObject({ batch_size: 500, timezone: 'Asia/Jakarta', columns: { id: 'id', updated_at: 'updated_at' }, incremental: { lookback: 600_000, clock_skew: 120_000 } });
    expect(describeConnection(c)).toBe('mysql reader@127.0.0.1:3306/aduan_app');
  });

  it('reads the password from the environment, never from the YAML, and never shows it', () => {
    process.env.SP4N_TEST_SQL_PW = 'rahasia-sekali';
    const c = sqlConfigSchema.parse({ ...mysql, table: 'aduan', password: '${SP4N_TEST_SQL_PW}' });
    expect(c.password?.reveal()).toBe('rahasia-sekali');
    expect(JSON.stringify(c)).not.toContain('rahasia-sekali');
    expect(problems({ ...mysql, table: 'aduan', password: 'rahasia-sekali' })).toEqual([expect.stringMatching(/^password: secrets must come from the environment or a file/)]);
  });

  it('accepts a url without a password, and rejects one with a password or of the wrong kind', () => {
    const c = sqlConfigSchema.parse({ type: 'sql', driver: 'postgres', url: 'postgres://reader@db.local:6543/aduan?sslmode=require', table: 'public.aduan' });
    expect(describeConnection(c)).toBe('postgres reader@db.local:6543/aduan');
    expect(problems({ type: 'sql', driver: 'postgres', url: 'postgres://reader:pw@db/aduan', table: 'aduan' })).toEqual([expect.stringMatching(/^url: must not carry a password/)]);
    expect(problems({ type: 'sql', driver: 'mysql', url: 'postgres://reader@db/aduan', table: 'aduan' })).toEqual(['url: must start with mysql:// or mariadb://']);
    expect(problems({ type: 'sql', driver: 'mysql', url: 'mysql://reader@db/aduan', host: 'db', table: 'aduan' })).toEqual(['host: give either url or host/port/database/user, not both']);
  });

  it('asks for what each driver needs, and only that', () => {
    expect(problems({ type: 'sql', driver: 'mysql', table: 'aduan' })).toEqual(['host: required with driver mysql (or give url)', 'database: required with driver mysql (or give url)', 'user: required with driver mysql (or give url)']);
    expect(problems({ type: 'sql', driver: 'sqlite', table: 'aduan' })).toEqual(['file: required with driver sqlite']);
    expect(problems({ type: 'sql', driver: 'sqlite', file: 'data/app.sqlite', table: 'aduan' })).toEqual(['file: must be an absolute path']);
    expect(problems({ type: 'sql', driver: 'sqlite', file: '/srv/app.sqlite', host: 'x', table: 'aduan' })).toEqual(['host: not used with driver sqlite (give file)']);
    expect(problems({ ...mysql, file: '/srv/app.sqlite', table: 'aduan' })).toEqual(['file: not used with driver mysql (give host or url)']);
    expect(problems({ ...mysql })).toEqual(['table: give either query or table (with columns), not both or neither']);
    expect(problems({ ...mysql, table: 'aduan', query: `SELECT * FROM aduan WHERE ${KEYSET}` })).toEqual(['query: give either query or table (with columns), not both or neither']);
    expect(problems({ ...mysql, table: 'aduan', timezone: 'Asia/Jakartaa' })).toEqual(['timezone: must be an IANA time zone, e.g. Asia/Jakarta']);
    expect(problems({ ...mysql, table: 'aduan', extra: 1 })).toEqual([': Unrecognized key: "extra"']);
  });

  it('validates identifiers, so table + columns cannot carry SQL', () => {
    expect(problems({ ...mysql, table: 'aduan; DROP TABLE users' })).toEqual([expect.stringMatching(/^table: "aduan; DROP TABLE users" is not a plain identifier/)]);
    expect(problems({ ...mysql, table: 'a.b.c' })).toEqual([expect.stringMatching(/^table: "a\.b\.c" is not a plain identifier/)]);
    expect(problems({ ...mysql, table: 'app.aduan', columns: { id: 'id`--', updated_at: '1st' } })).toEqual([
      'columns.id: must be a plain identifier: letters, digits and _ (not starting with a digit)',
      'columns.updated_at: must be a plain identifier: letters, digits and _ (not starting with a digit)',
    ]);
    expect(problems({ ...mysql, table: 'app.aduan', columns: { id: 'aduan_id', updated_at: 'tgl_update' } })).toEqual([]);
  });

  it('builds the keyset query with identifiers quoted per driver', () => {
    expect(buildTableQueries('mysql', 'app.aduan', { id: 'id', updated_at: 'tgl_update' }).next).toBe(
      'SELECT * FROM `app`.`aduan` WHERE (`tgl_update` > :since_updated_at OR (`tgl_update` = :since_updated_at AND `id` > :since_id)) ORDER BY `tgl_update`, `id` LIMIT :limit',
    );
    expect(buildTableQueries('postgres', 'aduan', { id: 'id', updated_at: 'updated_at' }).first).toBe('SELECT * FROM "aduan" WHERE "updated_at" IS NOT NULL ORDER BY "updated_at", "id" LIMIT :limit');
  });
});

describe('a user query', () => {
  const ok = `SELECT a.id, a.judul, k.nama AS kategori, a.updated_at FROM aduan a JOIN kategori k ON k.id = a.kategori_id WHERE a.status <> 'delete' AND ${KEYSET}`;

  it('is one SELECT (or WITH) that only reads and uses the three parameters', () => {
    expect(checkUserQuery(ok, 'mysql')).toEqual([]);
    expect(checkUserQuery(`${ok};\n`, 'mysql')).toEqual([]);
    expect(checkUserQuery(`WITH t AS (SELECT * FROM aduan) SELECT * FROM t WHERE ${KEYSET}`, 'postgres')).toEqual([]);
    // words inside strings, quoted identifiers and comments are not code
    expect(checkUserQuery(`SELECT "update", \`delete\` FROM aduan /* insert */ WHERE note <> 'drop; table' AND ${KEYSET} -- into`, 'mysql')).toEqual([]);
  });

  it.each([
    [`DELETE FROM aduan WHERE ${KEYSET}`, 'must be a SELECT (or WITH … SELECT) statement'],
    [`SELECT * FROM aduan WHERE ${KEYSET}; DROP TABLE aduan`, 'must be a single statement (no ";" inside)'],
    [`SELECT * INTO backup FROM aduan WHERE ${KEYSET}`, 'must only read: "INTO" is not allowed'],
    [`SELECT * FROM aduan WHERE ${KEYSET} FOR UPDATE`, 'must only read: "UPDATE" is not allowed'],
    [`WITH gone AS (DELETE FROM aduan RETURNING *) SELECT * FROM gone WHERE ${KEYSET}`, 'must only read: "DELETE" is not allowed'],
    ['SELECT * FROM aduan ORDER BY updated_at, id LIMIT :limit', 'must use :since_updated_at, :since_id (see the keyset template in docs/sources-sql.md)'],
    [`SELECT * FROM aduan WHERE id = :id AND ${KEYSET}`, 'unknown parameter :id; known: :since_updated_at, :since_id, :limit'],
    [`SELECT * FROM aduan WHERE id > ? AND ${KEYSET}`, 'use the named parameters :since_updated_at, :since_id and :limit, not "?"'],
    [`SELECT * FROM aduan WHERE note = 'open AND ${KEYSET}`, "unterminated ' quote"],
  ])('rejects %s', (query, problem) => {
    expect(checkUserQuery(query, 'mysql')).toContain(problem);
    expect(problems({ ...mysql, query })).toContain(`query: ${problem}`);
  });

  it('translates named parameters into each driver’s placeholders, leaving casts, strings and comments alone', () => {
    const sql = `SELECT id, ':since_id' AS s FROM t -- :limit\nWHERE updated_at > :since_updated_at::timestamptz OR (updated_at = :since_updated_at AND id > :since_id) LIMIT :limit`;
    expect(translateNamedParams(sql, 'postgres')).toEqual({
      sql: `SELECT id, ':since_id' AS s FROM t -- :limit\nWHERE updated_at > $1::timestamptz OR (updated_at = $1 AND id > $2) LIMIT $3`,
      order: ['since_updated_at', 'since_id', 'limit'],
    });
    const my = translateNamedParams(`SELECT * FROM t WHERE @x := 1 AND ${KEYSET}`, 'mysql');
    expect(my.sql).toBe('SELECT * FROM t WHERE @x := 1 AND (updated_at > ? OR (updated_at = ? AND id > ?)) ORDER BY updated_at, id LIMIT ?');
    expect(my.order).toEqual(['since_updated_at', 'since_updated_at', 'since_id', 'limit']);
  });
});

describe('watermark times', () => {
  const tz = 'Asia/Jakarta';

  it.each([
    ['2024-03-01 08:00:00.123', Date.parse('2024-03-01T01:00:00.123Z')], // MariaDB DATETIME(3), local
    ['2024-03-01 08:00:00.123456+07', Date.parse('2024-03-01T01:00:00.123Z')], // PostgreSQL timestamptz
    ['2024-03-01T01:00:00Z', Date.parse('2024-03-01T01:00:00Z')],
    ['2024-03-01T08:00:00+07:00', Date.parse('2024-03-01T01:00:00Z')],
    ['2024-03-01 10:30:00+0930', Date.parse('2024-03-01T01:00:00Z')],
    ['2024-03-01', Date.parse('2024-02-29T17:00:00Z')],
    [1709254800, Date.parse('2024-03-01T01:00:00Z')], // epoch seconds
    [1709254800123, Date.parse('2024-03-01T01:00:00.123Z')], // epoch milliseconds
    ['1709254800', Date.parse('2024-03-01T01:00:00Z')], // PostgreSQL bigint, MySQL BIGINT (bigNumberStrings)
    ['1709254800123', Date.parse('2024-03-01T01:00:00.123Z')],
    ['1709254800.123456', Date.parse('2024-03-01T01:00:00.123Z')], // numeric / DECIMAL epoch seconds
  ])('%s is read as the right instant and written back in the same shape', (value, ms) => {
    const t = parseDbTime(value, tz);
    expect(t?.ms).toBe(ms);
    expect(formatDbTime(t?.ms ?? 0, t!.shape, tz)).toBe(typeof value === 'string' ? value.replace('.123456', '.123000') : value);
  });

  it('shifts a time back in its own shape, rounding down', () => {
    const t = parseDbTime('2024-03-01 08:00:00+07', tz)!;
    expect(formatDbTime(t.ms - 600_000 - 1, t.shape, tz)).toBe('2024-03-01 07:49:59+07');
    expect(parseDbTime('not a time', tz)).toBeUndefined();
    expect(parseDbTime('01/03/2024 08:00', tz)).toBeUndefined();
  });

  it('an epoch given as digits stays digits (a string), in seconds or milliseconds as it came', () => {
    const s = parseDbTime('1709254800', tz)!;
    expect(formatDbTime(s.ms - 600_000 - 1, s.shape, tz)).toBe('1709254199');
    const ms = parseDbTime(' 1709254800123 ', tz)!;
    expect(formatDbTime(ms.ms - 600_000, ms.shape, tz)).toBe('1709254200123');
    const frac = parseDbTime('1709254800.5', tz)!;
    expect(formatDbTime(frac.ms - 250, frac.shape, tz)).toBe('1709254800.2');
    expect(compareDbTime(parseDbTime('1709254800.0010001', tz)!, parseDbTime('1709254800.001', tz)!)).toBe(1);
    expect(parseDbTime('-60', tz)?.ms).toBe(-60_000);
    // beyond exact integers: not a time the adapter can read
    expect(parseDbTime('17092548001234567890', tz)).toBeUndefined();
  });

  it('orders times below the millisecond', () => {
    const a = parseDbTime('2024-03-01 08:00:00.123456+07', tz)!;
    const b = parseDbTime('2024-03-01 08:00:00.1234561+07', tz)!;
    const c = parseDbTime('2024-03-01 08:00:00.12346+07', tz)!;
    expect(compareDbTime(a, b)).toBe(-1);
    expect(compareDbTime(b, c)).toBe(-1);
    expect(compareDbTime(a, parseDbTime('2024-03-01T01:00:00.123456Z', tz)!)).toBe(0);
  });

  it('gives raw timestamps as ISO 8601 with an offset', () => {
    expect(dbTimeToIso('2024-03-01 08:00:00.500', tz)).toBe('2024-03-01T08:00:00.500+07:00');
    expect(dbTimeToIso('2024-03-01 08:00:00+07', tz)).toBe('2024-03-01T08:00:00+07:00');
    expect(dbTimeToIso('2024-03-01', tz)).toBeUndefined();
  });
});
