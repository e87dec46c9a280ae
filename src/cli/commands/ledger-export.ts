/**
 * `ledger export`: the ledger for auditors — CSV (UTF-8 with BOM, so Excel opens it right),
 * JSON lines, or XLSX with one sheet per table (records, attempts, events, and what LAPOR! did
 * with each complaint: statuses and follow-ups, write-backs to the source) and frozen header rows.
 * Personal data is left out unless `--include-personal` is given, which is itself recorded in the
 * ledger as an event.
 */
import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { auditColumns, auditRows, auditTables, type AuditFilter, type AuditTable } from '../../ledger/audit-queries.js';
import { recordStates } from '../../ledger/record-state.js';
import { osUser, SqliteLedger } from '../../ledger/sqlite-ledger.js';
import { ledgerPathFrom, type GlobalOptions } from '../context.js';
import { print, UsageError } from '../output.js';

export interface ExportOptions {
  readonly ledger?: string;
  readonly format?: string;
  readonly table?: string;
  readonly out?: string;
  readonly source?: string;
  readonly state?: string;
  readonly from?: string;
  readonly to?: string;
  readonly agency?: string;
  readonly includePersonal?: boolean;
  readonly reason?: string;
}

function isoBound(text: string | undefined, flag: string): string | undefined {
  if (text === undefined) return undefined;
  const iso = /^\d{4}-\d{2}(-\d{2})?$/.test(text) ? `${text.length === 7 ? `${text}-01` : text}T00:00:00+07:00` : text;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new UsageError(`${flag}: "${text}" is not a date; use YYYY-MM-DD (WIB) or ISO 8601`);
  return d.toISOString();
}

/** Text a citizen wrote must never run as a spreadsheet formula when an auditor opens the CSV. */
export function csvCell(v: unknown): unknown {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
}

export async function ledgerExport(g: GlobalOptions, o: ExportOptions): Promise<number> {
  const format = o.format ?? 'csv';
  if (!['csv', 'jsonl', 'xlsx'].includes(format)) throw new UsageError('--format: csv, jsonl or xlsx');
  const table = (o.table ?? 'records') as AuditTable;
  if (!auditTables.includes(table)) throw new UsageError(`--table: ${auditTables.join(', ')}`);
  if (format === 'xlsx' && !o.out) throw new UsageError('--format xlsx needs --out <file.xlsx>');
  if (o.state && !(recordStates as readonly string[]).includes(o.state)) throw new UsageError(`--state: one of ${recordStates.join(', ')}`);
  if (o.includePersonal && !o.reason?.trim()) throw new UsageError('--include-personal needs --reason "<why>": exporting personal data is recorded in the ledger');
  const filter: AuditFilter = { sourceId: o.source, state: o.state, from: isoBound(o.from, '--from'), to: isoBound(o.to, '--to'), agency: o.agency, includePersonal: !!o.includePersonal };

  const file = ledgerPathFrom(g, o.ledger);
  if (!fs.existsSync(file)) throw new UsageError(`no ledger at ${file}; run a sync first or pass --ledger <file>`);
  const ledger = SqliteLedger.open(file);
  try {
    if (o.includePersonal) {
      // who took personal data out of the ledger, and why, is part of the audit trail
      ledger.db.transaction(() => ledger.appendEvent({ type: 'export_with_personal_data', actor: osUser(), reason: o.reason, data: { format, table: format === 'xlsx' ? 'all' : table, filter: { ...filter, includePersonal: true }, out: o.out ?? 'stdout' } })).immediate();
    }
    if (format === 'xlsx') {
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: o.out, useStyles: true });
      for (const t of auditTables) {
        const ws = wb.addWorksheet(t, { views: [{ state: 'frozen', ySplit: 1 }] });
        const cols = auditColumns(t, !!o.includePersonal);
        ws.columns = cols.map((c) => ({ header: c, key: c, width: Math.max(12, c.length + 2) }));
        ws.getRow(1).font = { bold: true };
        for (const row of auditRows(ledger.db, t, filter)) ws.addRow(row).commit();
        ws.commit();
      }
      await wb.commit();
      print(`wrote ${o.out}`);
      return 0;
    }
    const cols = auditColumns(table, !!o.includePersonal);
    const file = o.out ? fs.createWriteStream(o.out) : undefined;
    // a file is written with back-pressure; stdout is left to Node's own buffering
    const write = (s: string) =>
      file
        ? new Promise<void>((resolve, reject) => {
            file.write(s, (err) => (err ? reject(err) : resolve()));
          })
        : Promise.resolve(void process.stdout.write(s));
    if (format === 'csv') {
      await write(`\uFEFF${stringify([cols])}`);
      let chunk: unknown[][] = [];
      for (const row of auditRows(ledger.db, table, filter)) {
        chunk.push(cols.map((c) => csvCell(row[c])));
        if (chunk.length >= 1000) {
          await write(stringify(chunk));
          chunk = [];
        }
      }
      if (chunk.length) await write(stringify(chunk));
    } else {
      for (const row of auditRows(ledger.db, table, filter)) await write(`${JSON.stringify(row)}\n`);
    }
    if (file) {
      await new Promise<void>((resolve) => file.end(resolve));
      print(`wrote ${o.out}`);
    }
    return 0;
  } finally {
    ledger.close();
  }
}
