/** Operator actions: retry, resend --force, resolve, pause, resume. Each is logged with who and why. */
import type { RecordState } from '../../ledger/record-state.js';
import { osUser } from '../../ledger/sqlite-ledger.js';
import { forceResend, OperatorActionError, pauseDestination, pauseSource, resolve, retry, RETRYABLE_STATES, type ActionResult, type Resolution } from '../../ops/operator-actions.js';
import { destinationNameFrom, openLedgerReadable, type GlobalOptions } from '../context.js';
import { formatTable, print, printJson, UsageError } from '../output.js';

function withLedger<T>(g: GlobalOptions, ledgerFile: string | undefined, fn: (l: ReturnType<typeof openLedgerReadable>) => T): T {
  const ledger = openLedgerReadable(g, ledgerFile);
  try {
    return fn(ledger);
  } catch (err) {
    if (err instanceof OperatorActionError) throw new UsageError(err.message);
    throw err;
  } finally {
    ledger.close();
  }
}

function report(g: GlobalOptions, results: ActionResult[], verb: string): number {
  if (g.json) printJson({ actor: osUser(), results });
  else if (results.length === 0) print(`nothing to ${verb}`);
  else print(formatTable(results.map((r) => ({ record: r.ref, from: r.from, to: r.to }))));
  return 0;
}

export function retryCommand(g: GlobalOptions, ref: string | undefined, o: { state?: string; reason?: string; ledger?: string }): number {
  if (!ref === !o.state) throw new UsageError('give a record reference or --state (one of them)');
  if (o.state && !(RETRYABLE_STATES as readonly string[]).includes(o.state)) throw new UsageError(`--state: retry applies to ${RETRYABLE_STATES.join(', ')}`);
  return withLedger(g, o.ledger, (l) => report(g, retry(l, { ref, state: o.state as RecordState | undefined }, osUser(), o.reason), 'retry'));
}

export function resendCommand(g: GlobalOptions, ref: string, o: { force?: boolean; reason?: string; ledger?: string }): number {
  if (!o.force) throw new UsageError('resend sends a complaint to LAPOR! a second time, as a new complaint; confirm with --force --reason "<why>" (to retry a failed send, use `retry`)');
  return withLedger(g, o.ledger, (l) => report(g, [forceResend(l, ref, osUser(), o.reason)], 'resend'));
}

export function resolveCommand(g: GlobalOptions, ref: string, o: { laporId?: string; resend?: boolean; drop?: boolean; reason?: string; ledger?: string }): number {
  const chosen = [o.laporId !== undefined, !!o.resend, !!o.drop].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('choose one: --lapor-id <id> (it is at LAPOR!), --resend (it is not; send it), or --drop --reason "<why>"');
  const how: Resolution = o.laporId !== undefined ? { laporId: o.laporId } : o.resend ? { resend: true } : { drop: true };
  return withLedger(g, o.ledger, (l) => report(g, [resolve(l, ref, how, osUser(), o.reason)], 'resolve'));
}

export function pauseCommand(g: GlobalOptions, paused: boolean, o: { source?: string; reason?: string; ledger?: string }): number {
  return withLedger(g, o.ledger, (l) => {
    const what = o.source ? `source ${o.source}` : `destination ${destinationNameFrom(g)}`;
    if (o.source) pauseSource(l, o.source, paused, osUser(), o.reason);
    else pauseDestination(l, destinationNameFrom(g), paused, osUser(), o.reason);
    if (g.json) printJson({ [o.source ? 'source' : 'destination']: o.source ?? destinationNameFrom(g), paused, actor: osUser() });
    else print(`${what} ${paused ? 'paused' : 'resumed'} (by ${osUser()})`);
    return 0;
  });
}

