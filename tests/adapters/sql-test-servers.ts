/**
 * The real database servers the sql tests use (started on this machine before the session; see
 * the machine guide): a scratch MariaDB database and a scratch PostgreSQL schema, each created
 * under a random name and dropped afterwards. A server that does not answer FAILS the tests with
 * a message saying how to start it — never a silent skip.
 */
import crypto from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import type { Client } from 'pg';

// the ports can be moved for a server run elsewhere (and to see the not-reachable message)
export const MARIADB = { host: '127.0.0.1', port: Number(process.env.SP4N_TEST_MARIADB_PORT ?? 3306), user: 'root' } as const;
export const POSTGRES = { host: '127.0.0.1', port: Number(process.env.SP4N_TEST_POSTGRES_PORT ?? 5432), user: 'postgres', database: 'test' } as const;

const START = {
  mariadb: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
  postgres: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
};

function unreachable(server: 'MariaDB' | 'PostgreSQL', where: string, err: unknown, start: string): Error {
  const e = err as { code?: string; message?: string };
  return new Error(`${server} is not reachable at ${where} (${e.code ?? ''} ${e.message ?? String(err)}). These tests need the real server; start it with:\n  ${start}`);
}

export function scratchName(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
}

export interface MariadbScratch {
  readonly database: string;
  /** A writable admin connection to the scratch database (the fixture's hands). */
  readonly admin: Connection;
  drop(): Promise<void>;
}

export async function openMariadbScratch(prefix = 'sp4n_test'): Promise<MariadbScratch> {
  const { createConnection } = await import('mysql2/promise');
  let admin: Connection;
  try {
    admin = await createConnection({ ...MARIADB, connectTimeout: 5000, dateStrings: true, multipleStatements: false });
  } catch (err) {
    throw unreachable('MariaDB', `${MARIADB.host}:${MARIADB.port} as ${MARIADB.user}`, err, START.mariadb);
  }
  const database = scratchName(prefix);
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  await admin.query(`USE \`${database}\``);
  return {
    database,
    admin,
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
    },
  };
}

export interface PostgresScratch {
  readonly schema: string;
  /** A writable admin client on database `test`, search_path set to the scratch schema. */
  readonly admin: Client;
  drop(): Promise<void>;
}

export async function openPostgresScratch(prefix = 'sp4n_test'): Promise<PostgresScratch> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ ...POSTGRES, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    await admin.end().catch(() => undefined);
    throw unreachable('PostgreSQL', `${POSTGRES.host}:${POSTGRES.port} as ${POSTGRES.user}, database ${POSTGRES.database}`, err, START.postgres);
  }
  const schema = scratchName(prefix);
  await admin.query(`CREATE SCHEMA "${schema}"`);
  await admin.query(`SET search_path TO "${schema}"`);
  return {
    schema,
    admin,
    async drop() {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  };
}

/** One scratch per test file, opened on first use; the error (server down) is kept and rethrown. */
export function lazily<T>(open: () => Promise<T>): { get(): Promise<T>; opened(): Promise<T | undefined> } {
  let pending: Promise<T> | undefined;
  return {
    get: () => (pending ??= open()),
    opened: async () => (pending ? pending.catch(() => undefined) : undefined),
  };
}
