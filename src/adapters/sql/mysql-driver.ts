/**
 * MariaDB / MySQL through mysql2: one connection, opened on first use, with a read-only session
 * (`SET SESSION TRANSACTION READ ONLY`); each read also runs inside its own `START TRANSACTION
 * READ ONLY … ROLLBACK`, as one prepared statement (no second statement can ride along), and
 * `dateStrings` so DATETIME/TIMESTAMP arrive as the server's own text. TIMESTAMP values are
 * rendered in the session time zone, which is set to the configured zone's offset so that they
 * read the same way as naive DATETIME values.
 */
import type { Connection, ConnectionOptions, FieldPacket } from 'mysql2/promise';
import { DateTime } from 'luxon';
import type { Logger } from 'winston';
import type { SqlConfig } from './sql-config.js';
import { classifySqlError, connectionTarget, type SqlDriver, type SqlRows } from './sql-driver.js';
import type { SqlValue } from './sql-query.js';

// mysql2 column types: TIMESTAMP, DATETIME and their fractional-second (…2) variants
const TIMESTAMP_TYPES = new Set([0x07, 0x0c, 0x11, 0x12]);

export class MysqlDriver implements SqlDriver {
  readonly name = 'mysql';
  private connection: Promise<Connection> | undefined;

  constructor(
    private readonly config: SqlConfig,
    private readonly logger: Logger,
  ) {}

  async query(sql: string, params: readonly SqlValue[]): Promise<SqlRows> {
    const connection = await this.connect();
    try {
      await connection.query('START TRANSACTION READ ONLY');
      try {
        const [rows, fields] = await connection.execute({ sql, timeout: this.config.timeout }, params as SqlValue[]);
        return { rows: rows as Record<string, unknown>[], timestampColumns: timestampColumns(fields) };
      } finally {
        await connection.query('ROLLBACK').catch(() => undefined);
      }
    } catch (err) {
      // a broken connection is dropped, so the next attempt reconnects
      if ((err as { fatal?: boolean }).fatal || classifySqlError(err) === 'unreachable') {
        this.connection = undefined;
        connection.destroy();
      }
      throw err;
    }
  }

  private connect(): Promise<Connection> {
    this.connection ??= this.open().catch((err: unknown) => {
      this.connection = undefined;
      throw err;
    });
    return this.connection;
  }

  private async open(): Promise<Connection> {
    const { createConnection } = await import('mysql2/promise');
    const t = connectionTarget(this.config);
    const options: ConnectionOptions = {
      host: t.host,
      port: t.port,
      database: t.database,
      user: t.user,
      password: this.config.password?.reveal(),
      connectTimeout: this.config.connect_timeout,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      charset: 'utf8mb4',
      ...(['true', 'required', 'require'].includes(t.params.ssl ?? t.params.sslmode ?? '') ? { ssl: {} } : {}),
    };
    const connection = await createConnection(options);
    connection.on('error', (err: Error) => {
      // an idle connection the server closed: forget it; the next read reconnects
      this.logger.debug('mysql connection error', { error: err.message });
      this.connection = undefined;
    });
    try {
      await connection.query('SET SESSION TRANSACTION READ ONLY');
      await connection.query('SET time_zone = ?', [DateTime.now().setZone(this.config.timezone).toFormat('ZZ')]);
    } catch (err) {
      connection.destroy();
      throw err;
    }
    return connection;
  }

  async close(): Promise<void> {
    const pending = this.connection;
    this.connection = undefined;
    if (!pending) return;
    const connection = await pending.catch(() => undefined);
    await connection?.end().catch(() => connection.destroy());
  }
}

function timestampColumns(fields: readonly FieldPacket[] | undefined): Set<string> {
  return new Set((fields ?? []).filter((f) => TIMESTAMP_TYPES.has(f.columnType ?? f.type ?? -1)).map((f) => f.name));
}
