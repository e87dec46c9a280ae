/**
 * SQLite through better-sqlite3, opened `{ readonly: true, fileMustExist: true }`: the bridge can
 * neither write to the app's file nor create an empty one by a typo in the path. Values come back
 * as stored (SQLite keeps timestamps as text or numbers); columns declared DATETIME/TIMESTAMP are
 * reported so `raw` can carry them as ISO 8601.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqlConfig } from './sql-config.js';
import type { SqlDriver, SqlRows } from './sql-driver.js';
import type { SqlValue } from './sql-query.js';

export class SqliteDriver implements SqlDriver {
  readonly name = 'sqlite';
  private db: BetterSqlite3.Database | undefined;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly config: SqlConfig) {}

  async query(sql: string, params: readonly SqlValue[]): Promise<SqlRows> {
    const db = this.db ?? (await this.open());
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (!stmt.reader || !stmt.readonly) throw Object.assign(new Error('the statement does not only read'), { code: 'SQLITE_READONLY' });
      this.statements.set(sql, stmt);
    }
    const rows = stmt.all(...params) as Record<string, unknown>[];
    const timestampColumns = new Set(stmt.columns().filter((c) => /TIME/i.test(c.type ?? '')).map((c) => c.name));
    return { rows, timestampColumns };
  }

  private async open(): Promise<BetterSqlite3.Database> {
    const { default: Database } = await import('better-sqlite3');
    try {
      this.db ??= new Database(this.config.file as string, { readonly: true, fileMustExist: true, timeout: this.config.timeout });
    } catch (err) {
      // a missing file or folder is a config problem, whatever the library calls it
      throw Object.assign(new Error(`cannot open the file: ${(err as Error).message}`), { code: 'SQLITE_CANTOPEN' });
    }
    return this.db;
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.statements.clear();
    db?.close();
  }
}
