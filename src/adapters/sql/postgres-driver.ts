/**
 * PostgreSQL through pg: a pool of one, every session read-only from its start-up parameters
 * (`default_transaction_read_only=on`), `TimeZone` set to the configured zone. Each read also
 * runs inside its own `BEGIN READ ONLY … ROLLBACK`, as one statement over the extended protocol
 * (so a query text can never carry a second statement, e.g. one that turns read-write back on).
 * Date and time
 * types are NOT parsed into JS Dates (which would drop microseconds and break exact ties): they
 * arrive as the server's text.
 */
import type { CustomTypesConfig, Pool, PoolConfig, QueryConfig } from 'pg';
import type { Logger } from 'winston';
import type { SqlConfig } from './sql-config.js';
import { classifySqlError, connectionTarget, type SqlDriver, type SqlRows } from './sql-driver.js';
import type { SqlValue } from './sql-query.js';

const OID = { date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, timetz: 1266 } as const;
const TEXT_OIDS = new Set<number>(Object.values(OID));
const TIMESTAMP_OIDS = new Set<number>([OID.timestamp, OID.timestamptz]);

export class PostgresDriver implements SqlDriver {
  readonly name = 'postgres';
  private pool: Pool | undefined;

  constructor(
    private readonly config: SqlConfig,
    private readonly logger: Logger,
  ) {}

  async query(sql: string, params: readonly SqlValue[]): Promise<SqlRows> {
    const pool = this.pool ?? (await this.open());
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN READ ONLY');
      try {
        // queryMode 'extended': prepared even without parameters, hence exactly one statement
        const result = await client.query({ text: sql, values: params as SqlValue[], queryMode: 'extended' } as QueryConfig<SqlValue[]>);
        const timestampColumns = new Set(result.fields.filter((f) => TIMESTAMP_OIDS.has(f.dataTypeID)).map((f) => f.name));
        return { rows: result.rows as Record<string, unknown>[], timestampColumns };
      } finally {
        // nothing is ever committed; a failed ROLLBACK means the connection is gone
        await client.query('ROLLBACK').catch((err: Error) => void (broken = err));
      }
    } catch (err) {
      if (classifySqlError(err) === 'unreachable') broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private async open(): Promise<Pool> {
    const { default: pg } = await import('pg');
    const builtin = pg.types;
    const types: CustomTypesConfig = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => (TEXT_OIDS.has(oid) ? (value: string) => value : builtin.getTypeParser(oid, format))) as CustomTypesConfig['getTypeParser'],
    };
    const t = connectionTarget(this.config);
    const sslmode = t.params.sslmode;
    const config: PoolConfig = {
      host: t.host,
      port: t.port,
      database: t.database,
      user: t.user,
      password: this.config.password?.reveal(),
      ...(sslmode === 'disable' ? { ssl: false } : sslmode && sslmode !== 'prefer' && sslmode !== 'allow' ? { ssl: sslmode === 'require' ? { rejectUnauthorized: false } : true } : {}),
      max: 1,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: this.config.connect_timeout,
      statement_timeout: this.config.timeout,
      application_name: 'sp4n-bridge',
      // read-only from the first statement on, whatever the query says
      options: `-c default_transaction_read_only=on -c TimeZone=${this.config.timezone}`,
      types,
    };
    // re-check after the await: another read may have opened it meanwhile
    if (this.pool) return this.pool;
    const pool = new pg.Pool(config);
    pool.on('error', (err) => this.logger.debug('postgres idle connection error', { error: err.message }));
    this.pool = pool;
    return pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => undefined);
  }
}
