/**
 * One writer per ledger: a lock file beside the ledger holding the owner's pid. A second daemon
 * or a `sync` while the daemon runs is refused, because start-up recovery (sending → in_doubt)
 * would otherwise misjudge the other process's sends in flight. A lock whose process is gone is
 * stale and taken over.
 */
import fs from 'node:fs';
import path from 'node:path';

export class LedgerLockedError extends Error {
  readonly code = 'LEDGER_LOCKED';
  constructor(
    readonly lockFile: string,
    readonly pid: number,
  ) {
    super(`[ledger] ${lockFile.replace(/\.lock$/, '')} is in use by process ${pid} (a daemon or another sync); stop it first`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LedgerLock {
  release(): void;
}

export function acquireLedgerLock(ledgerPath: string): LedgerLock {
  const lockFile = `${ledgerPath}.lock`;
  fs.mkdirSync(path.dirname(path.resolve(lockFile)), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockFile, 'wx', 0o600);
      fs.writeSync(fd, `${process.pid}\n`);
      fs.closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (Number(fs.readFileSync(lockFile, 'utf8').trim()) === process.pid) fs.unlinkSync(lockFile);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new LedgerLockedError(lockFile, pid);
      if (pid === process.pid) throw new LedgerLockedError(lockFile, pid);
      fs.rmSync(lockFile, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`[ledger] could not take the lock ${lockFile}`);
}
