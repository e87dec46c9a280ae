/**
 * One writer per ledger. The lock is an exclusive SQLite lock on a small file beside the ledger
 * (`<ledger>.lock`), held for the life of the process: the operating system releases it when
 * the process exits or is killed, so there is no stale lock to detect and no race in taking one
 * over. The owner's pid is written beside it (`<ledger>.lock.pid`) only for the error message.
 *
 * A second daemon or a `sync` while the daemon runs is refused, because start-up recovery
 * (sending → in_doubt) would otherwise misjudge the other process's sends in flight.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export class LedgerLockedError extends Error {
  readonly code = 'LEDGER_LOCKED';
  constructor(
    readonly ledgerPath: string,
    readonly pid: number | undefined,
  ) {
    super(`[ledger] ${ledgerPath} is in use by ${pid ? `process ${pid}` : 'another process'} (a daemon or another sync); stop it first — read-only commands (ledger status/list/show) still work`);
  }
}

export interface LedgerLock {
  release(): void;
}

export function acquireLedgerLock(ledgerPath: string): LedgerLock {
  const lockFile = `${ledgerPath}.lock`;
  const pidFile = `${lockFile}.pid`;
  fs.mkdirSync(path.dirname(path.resolve(lockFile)), { recursive: true });
  const db = new Database(lockFile, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      const pid = Number.parseInt(fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8') : '', 10);
      throw new LedgerLockedError(ledgerPath, Number.isInteger(pid) ? pid : undefined);
    }
    throw err;
  }
  fs.writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      fs.rmSync(pidFile, { force: true });
      db.close(); // ends the transaction and drops the lock
    },
  };
}
