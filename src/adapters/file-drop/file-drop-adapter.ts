/**
 * The file-drop adapter (DESIGN §6): staff drop CSV or XLSX files of complaints taken offline
 * into a folder; each complete file's rows become records, and after the ledger committed the
 * file's last batch the file moves to the archive, with an errors report beside it when some
 * rows were bad. Not incremental: a read consumes what is waiting, and an archived file is never
 * read again.
 *
 * Exactly once, file by file: keys come from a configured column or from each row's own content
 * (never from the file), so re-reading a file — a crash after the commit, before the move; the
 * file saved again with rows added while it was read; a corrected copy dropped later — yields the
 * same keys for the same rows and the ledger finds them unchanged; only then is the file moved.
 * The archive's `.processed.json` recognises the same content dropped again under any name (a
 * file refused as a whole is not in it: fixed config, same file, read again), and marks the file
 * being parsed, so one that brings the process down is quarantined on restart, not read forever.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import path from 'node:path';
import type { AdapterContext, AdapterFactory, CheckResult, ReadOptions, SourceAdapter, SourceBatch, SourceRecord } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { DropArchive, errorsReportName, type ProcessedEntry, type ReportRow } from './file-drop-archive.js';
import { fileDropConfigSchema, type FileDropConfig } from './file-drop-config.js';
import { columnLetters, FileProblem, readSheet, type CellValue, type Sheet, type SheetRow } from './file-drop-reader.js';

/** Nothing to resume from: what is in the folder is what is waiting. */
export type FileDropCursor = undefined;

/** Injected for tests; the defaults wait and parse for real. */
export interface FileDropDeps {
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly readSheet?: typeof readSheet;
}

/** A file that is complete and will be read. */
interface DropFile {
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** The done marker to remove once the file is archived. */
  readonly marker?: string;
}

/** Size and modification time, and since when they have not changed (adapter clock). */
interface Observation {
  readonly size: number;
  readonly mtimeMs: number;
  readonly since: number;
}

const DONE_SUFFIX = '.done';

/**
 * Timers and the adapter clock may disagree by a millisecond or two (a `setTimeout` of
 * `stable_for` can end, by `Date.now()`, just short of it): after the wait inside a read, a file
 * is complete when it has been unchanged for `stable_for` less this (at most half of it).
 */
const CLOCK_SLACK_MS = 50;

/** Why a file found marked as being read is quarantined (the bridge died while parsing it). */
export const READING_CRASH_REASON = 'the bridge stopped while reading this file; it may be too large or malformed';

/** C0 and C1 controls (line breaks, tabs, ...) and the Unicode line and paragraph separators. */
const CONTROL_CHARS = /[\p{Cc}\u2028\u2029]/u;

/** What archiving a file needs to know. */
interface FileSummary {
  /** The archive name recorded in the index by an interrupted archive. */
  readonly archivedAs?: string;
  readonly duplicate?: boolean;
  /** Refused as a whole (one `<hash>:file` record): archived, but not indexed as processed. */
  readonly refused?: boolean;
  /** Quarantined because the bridge stopped while reading it: the reading mark goes once archived. */
  readonly clearReading?: boolean;
  readonly columns: readonly string[];
  readonly delimiter: string;
  readonly rows: number;
  readonly bad: readonly ReportRow[];
}

/** Keys given so far in one file. */
interface KeyState {
  /** key_column value → the row that has it. */
  readonly keyRows: Map<string, number>;
  /** content hash → rows with that content so far. */
  readonly occurrences: Map<string, number>;
}

export class FileDropAdapter implements SourceAdapter<FileDropCursor> {
  readonly kind = 'file-drop';
  readonly capabilities = { incremental: false, writeBack: false } as const;
  readonly folder: string;
  readonly archive: DropArchive;
  private readonly patterns: RegExp[];
  private readonly observed = new Map<string, Observation>();
  /** Files this process marked as being read and could not unmark (the index not writable): no crash of theirs. */
  private readonly staleMarks = new Set<string>();
  private readonly sleep: NonNullable<FileDropDeps['sleep']>;
  private readonly readSheet: NonNullable<FileDropDeps['readSheet']>;

  constructor(
    private readonly config: FileDropConfig,
    private readonly ctx: AdapterContext,
    deps: FileDropDeps = {},
  ) {
    this.folder = path.resolve(config.folder);
    const archiveDir = path.resolve(config.archive_folder ?? path.join(this.folder, 'archive'));
    this.archive = new DropArchive(archiveDir, { timezone: config.timezone, now: ctx.now, warn: (message, meta) => ctx.logger.warn(message, { source: ctx.sourceId, ...meta }) });
    this.patterns = config.patterns.map(globToRegExp);
    this.sleep = deps.sleep ?? sleep;
    this.readSheet = deps.readSheet ?? readSheet;
  }

  async open(): Promise<void> {}

  async close(): Promise<void> {
    this.observed.clear();
  }

  /**
   * Every complete file, oldest first (modification time, then name), one after the other; a
   * file's rows in batches of `batch_size`. `full` and `since` change nothing: archived files are
   * never read again, and everything waiting is read anyway.
   */
  async *read(_from?: FileDropCursor, options: ReadOptions = {}): AsyncIterable<SourceBatch<FileDropCursor>> {
    const files = await this.completeFiles(options.signal);
    const readThisWalk = new Map<string, string>(); // content hash → the file it was read from
    for (const file of files) {
      options.signal?.throwIfAborted();
      yield* this.readFile(file, readThisWalk);
    }
  }

  async check(): Promise<CheckResult> {
    const where = `drop folder ${this.folder}`;
    try {
      const st = await fs.stat(this.folder);
      if (!st.isDirectory()) return { ok: false, message: `[${this.ctx.sourceId}] ${where} is not a folder` };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { ok: false, message: `[${this.ctx.sourceId}] ${where} ${code === 'ENOENT' ? 'does not exist (create it, or check that the share is mounted)' : `cannot be opened (${code ?? (err as Error).message})`}` };
    }
    try {
      await fs.access(this.folder, fsConstants.R_OK | fsConstants.W_OK);
    } catch {
      return { ok: false, message: `[${this.ctx.sourceId}] ${where} is not readable and writable by this process (files are moved out of it once processed)` };
    }
    const archiveProblem = await this.archiveProblem();
    if (archiveProblem) return { ok: false, message: `[${this.ctx.sourceId}] ${archiveProblem}` };
    const waiting = (await this.candidates()).length;
    return { ok: true, message: `${where} is readable and writable (${waiting} file${waiting === 1 ? '' : 's'} waiting); archive ${this.archive.dir}` };
  }

  /** The archive folder exists and is writable, or the nearest folder above it that exists is. */
  private async archiveProblem(): Promise<string | undefined> {
    let dir = this.archive.dir;
    for (;;) {
      try {
        const st = await fs.stat(dir);
        if (!st.isDirectory()) return `archive folder ${this.archive.dir} cannot be created: ${dir} is not a folder`;
        await fs.access(dir, fsConstants.W_OK);
        return undefined;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') return `archive folder ${this.archive.dir} is not writable (${code ?? (err as Error).message} on ${dir})`;
        const up = path.dirname(dir);
        if (up === dir) return `archive folder ${this.archive.dir} cannot be created`;
        dir = up;
      }
    }
  }

  private async candidates(): Promise<string[]> {
    return (await this.listFolder()).names;
  }

  /** Names in the drop folder that match a pattern (not Excel's `~$` lock files, hidden files or markers). */
  private async listFolder(): Promise<{ names: string[]; all: Map<string, string> }> {
    let entries;
    try {
      entries = await fs.readdir(this.folder, { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new AdapterError('SOURCE_UNREACHABLE', this.ctx.sourceId, `drop folder ${this.folder} ${code === 'ENOENT' ? 'does not exist (is the share mounted?)' : `cannot be read (${code ?? (err as Error).message})`}`, true);
    }
    const all = new Map<string, string>(); // lower-case name → name, to find done markers
    const names: string[] = [];
    for (const e of entries) {
      if (!e.isFile()) continue;
      all.set(e.name.toLowerCase(), e.name);
      if (e.name.startsWith('.') || e.name.startsWith('~$') || e.name.toLowerCase().endsWith(DONE_SUFFIX)) continue;
      if (this.patterns.some((p) => p.test(e.name))) names.push(e.name);
    }
    return { names, all };
  }

  /**
   * Which waiting files are complete. `done_marker`: `<name>.done` exists. `size_stable`: size
   * and modification time unchanged for `stable_for`, remembered across reads; files not yet seen
   * that long are looked at again after one wait inside this read (so a one-shot `sync` works too).
   */
  private async completeFiles(signal?: AbortSignal): Promise<DropFile[]> {
    const { names, all } = await this.listFolder();
    const files: DropFile[] = [];
    if (this.config.complete_when === 'done_marker') {
      for (const name of names) {
        const marker = all.get(`${name.toLowerCase()}${DONE_SUFFIX}`);
        if (!marker) continue;
        const st = await statFile(path.join(this.folder, name));
        if (st) files.push({ name, path: path.join(this.folder, name), size: st.size, mtimeMs: st.mtimeMs, marker: path.join(this.folder, marker) });
      }
      return sortOldestFirst(files);
    }

    const stableFor = this.config.stable_for;
    for (const key of [...this.observed.keys()]) if (!names.includes(key)) this.observed.delete(key);
    const look = async (list: readonly string[], slack = 0) => {
      const now = this.ctx.now().getTime();
      const notYet: string[] = [];
      for (const name of list) {
        const st = await statFile(path.join(this.folder, name));
        if (!st) {
          this.observed.delete(name);
          continue;
        }
        const prev = this.observed.get(name);
        const since = prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs ? prev.since : now;
        this.observed.set(name, { size: st.size, mtimeMs: st.mtimeMs, since });
        // an empty file is a copy that has not started writing yet
        if (st.size > 0 && now - since >= stableFor - slack) files.push({ name, path: path.join(this.folder, name), size: st.size, mtimeMs: st.mtimeMs });
        else notYet.push(name);
      }
      return notYet;
    };
    let pending = await look(names);
    // an empty file may stay empty for good: it is looked at again next read, not waited for
    pending = pending.filter((name) => (this.observed.get(name)?.size ?? 0) > 0);
    if (pending.length > 0 && stableFor > 0) {
      await this.sleep(stableFor, signal);
      pending = await look(pending, Math.min(CLOCK_SLACK_MS, stableFor / 2));
      if (pending.length) this.ctx.logger.debug('files still being written; read later', { source: this.ctx.sourceId, files: pending });
    }
    return sortOldestFirst(files);
  }

  private async *readFile(file: DropFile, readThisWalk: Map<string, string>): AsyncIterable<SourceBatch<FileDropCursor>> {
    const src = this.ctx.sourceId;
    if (file.size > this.config.max_file_bytes) {
      // not even read into memory: named by its size and time, not its hash
      const reason = `the file is ${formatBytes(file.size)}, more than max_file_bytes ${formatBytes(this.config.max_file_bytes)}: split it into smaller files`;
      const id = `big:${createHash('sha256').update(`${file.name}\n${file.size}\n${file.mtimeMs}`).digest('hex').slice(0, 16)}:file`;
      yield this.fileProblemBatch(file, undefined, id, reason);
      return;
    }

    let bytes: Buffer;
    try {
      bytes = await fs.readFile(file.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // taken away meanwhile
      throw new AdapterError('SOURCE_UNREACHABLE', src, `${file.path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, true);
    }
    if (this.config.complete_when === 'size_stable' && bytes.length !== file.size) {
      this.observed.delete(file.name); // still changing after all: look again next read
      return;
    }
    const hash = sha256(bytes);
    const prefix = hash.slice(0, 16);
    const fileId = `${prefix}:file`;

    const earlier = readThisWalk.get(hash);
    let entry = await this.archive.lookup(hash);
    // written by an older version, which also indexed files refused as a whole (no rows read, one
    // bad): such a file may be dropped again after a config fix, and must then be read
    if (entry && entry.rows === 0 && entry.bad_rows > 0) entry = undefined;
    if (earlier !== undefined || (entry && (await this.archive.has(entry.archived_as)))) {
      const first = earlier ?? `${entry?.name} (archived as ${entry?.archived_as} on ${entry?.processed_at})`;
      this.ctx.logger.warn('file already processed (same content); archived as a duplicate, its rows are not read again', { source: src, file: file.name, first });
      yield this.fileBatch(file, hash, [], { duplicate: true, columns: [], delimiter: ',', rows: 0, bad: [] });
      return;
    }
    readThisWalk.set(hash, file.name);

    // marked before parsing: if this file brought the bridge down last time, it is not parsed again
    const crashed = this.staleMarks.has(hash) ? undefined : await this.archive.readingOf(hash);
    if (crashed) {
      const reason = `${READING_CRASH_REASON} (it was being read since ${crashed.started_at}): split it into smaller files, or save it again from Excel, and drop it again`;
      this.ctx.logger.error('the bridge stopped while reading this file last time; it is quarantined instead of being read again', { source: src, file: file.name, since: crashed.started_at });
      yield this.fileProblemBatch(file, hash, fileId, reason, { clearReading: true });
      return;
    }
    // in the index but not in the archive: a crash between the index and the move; finish under the same name
    const archivedAs = entry?.archived_as;
    if (archivedAs) this.ctx.logger.info('finishing an interrupted archive: the file is read again (the ledger skips what it has), then moved', { source: src, file: file.name, archived_as: archivedAs });

    try {
      await this.archive.markReading(hash, { name: file.name, started_at: this.ctx.now().toISOString() });
    } catch (err) {
      throw new AdapterError('SOURCE_UNREACHABLE', src, `archive folder ${this.archive.dir} cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); files are not read until it can`, true);
    }
    let sheet: Sheet | undefined;
    let problem: string | undefined;
    try {
      sheet = await this.readSheet(file.name, bytes, this.config);
    } catch (err) {
      // parsing is on bytes in memory: any error will come back on every read, so it is the file's
      problem = err instanceof FileProblem ? err.message : `the file cannot be read (${(err as Error).message})`;
    }
    try {
      await this.archive.doneReading(hash);
      this.staleMarks.delete(hash);
    } catch (err) {
      this.staleMarks.add(hash);
      this.ctx.logger.warn('could not clear the reading mark in the processed-files index; after a restart this file would be quarantined as if it had stopped the bridge', { source: src, file: file.name, index: this.archive.indexPath, error: (err as Error).message });
    }
    if (!sheet) {
      yield this.fileProblemBatch(file, hash, fileId, problem ?? 'the file cannot be read');
      return;
    }

    let keyColumn: string | undefined;
    if (this.config.key_column !== undefined) {
      const wanted = this.config.key_column;
      keyColumn = sheet.columns.find((c) => c === wanted) ?? sheet.columns.find((c) => c.toLowerCase() === wanted.toLowerCase());
      if (keyColumn === undefined) {
        yield this.fileProblemBatch(file, hash, fileId, `the key column "${wanted}" is not in the header (columns: ${sheet.columns.join(', ')})`, { columns: sheet.columns, delimiter: sheet.delimiter });
        return;
      }
    }

    const records: SourceRecord[] = [];
    const bad: ReportRow[] = [];
    const keys: KeyState = { keyRows: new Map(), occurrences: new Map() };
    for (const r of sheet.rows) {
      const rec = this.toRecord(file.name, sheet, r, keyColumn, keys);
      records.push(rec.record);
      if (rec.bad) bad.push(rec.bad);
    }
    if (bad.length) this.ctx.logger.warn('file has rows that cannot be read; they are quarantined and listed in its errors report', { source: src, file: file.name, bad_rows: bad.length, rows: records.length });

    const summary = { archivedAs, columns: sheet.columns, delimiter: sheet.delimiter ?? (this.config.csv.delimiter === 'auto' ? ',' : this.config.csv.delimiter), rows: records.length, bad };
    const size = this.config.batch_size;
    const count = Math.max(1, Math.ceil(records.length / size));
    const done = { settled: 0 };
    for (let i = 0; i < count; i++) yield this.fileBatch(file, hash, records.slice(i * size, (i + 1) * size), summary, { index: i, count, done });
  }

  /**
   * A file refused as a whole: one quarantined record `<hash>:file`. It is archived with its
   * errors report but not indexed as processed, so once the reason is fixed (the config, most
   * often) the same file dropped again is read.
   */
  private fileProblemBatch(file: DropFile, hash: string | undefined, id: string, reason: string, extra: { columns?: readonly string[]; delimiter?: string; clearReading?: boolean } = {}): SourceBatch<FileDropCursor> {
    return this.fileBatch(file, hash, [{ externalId: id, raw: { _file: file.name }, problem: `${file.name}: ${reason}` }], {
      refused: true,
      clearReading: extra.clearReading,
      columns: extra.columns ?? [],
      delimiter: extra.delimiter ?? ',',
      rows: 0,
      bad: [{ row: '', key: id, reason, cells: [] }],
    });
  }

  /**
   * A row as a record; a row that cannot be read is still a record, with `problem` set.
   *
   * The key is the `key_column` cell, or else the row's content key (see `contentKey`): it does
   * not depend on the file, so the same row keeps its key when the file is saved again with rows
   * added, or a corrected copy is dropped.
   */
  private toRecord(fileName: string, sheet: Sheet, r: SheetRow, keyColumn: string | undefined, keys: KeyState): { record: SourceRecord; bad?: ReportRow } {
    const raw: Record<string, unknown> = {};
    sheet.columns.forEach((c, i) => (raw[c] = r.cells[i] ?? ''));
    raw._file = fileName;
    raw._row = r.row;
    const fallbackId = contentKey(sheet.columns, r.cells, keys.occurrences);

    let problem: string | undefined;
    let keyTrusted = true; // a row whose cells may be shifted has no key we can believe
    if (r.width > sheet.columns.length) {
      const where = sheet.format === 'xlsx' ? `a value in column ${columnLetters(r.width)}` : `${r.width} cells`;
      problem = `the row has more cells than the header: ${where}, the header has ${sheet.columns.length} columns (a stray ${sheet.delimiter ? `"${printable(sheet.delimiter)}"` : 'cell'}?)`;
      keyTrusted = false;
    } else if (sheet.strictWidth && r.cells.length < sheet.columns.length) {
      problem = `the row has ${r.cells.length} cells, the header has ${sheet.columns.length} columns (a missing "${printable(sheet.delimiter ?? ',')}", or a line break inside an unquoted cell?)`;
      keyTrusted = false;
    } else {
      for (const [i, c] of r.cells.entries()) {
        if (typeof c !== 'string' || c.length <= this.config.max_cell_chars) continue;
        const chars = [...c].length;
        if (chars > this.config.max_cell_chars) {
          problem = `column "${sheet.columns[i] ?? `column_${i + 1}`}" has ${chars.toLocaleString('en-US')} characters, more than max_cell_chars ${this.config.max_cell_chars.toLocaleString('en-US')}`;
          break;
        }
      }
    }

    let externalId = fallbackId;
    if (keyColumn !== undefined && keyTrusted) {
      const key = String(raw[keyColumn] ?? '').trim();
      const firstRow = keys.keyRows.get(key);
      if (key === '') {
        problem ??= `the key column "${keyColumn}" is empty`;
      } else if (CONTROL_CHARS.test(key)) {
        problem ??= `the key contains control characters (${JSON.stringify(key)} in column "${keyColumn}"; a line break or tab inside the id?): type it on one line`;
      } else if (firstRow !== undefined) {
        problem ??= `the key "${key}" is already used by row ${firstRow} of this file`;
      } else {
        keys.keyRows.set(key, r.row);
        externalId = key;
      }
    }

    if (!problem) return { record: { externalId, raw } };
    return {
      record: { externalId, raw, problem: `${fileName} row ${r.row}: ${problem}` },
      bad: { row: r.row, key: externalId, reason: problem, cells: r.cells },
    };
  }

  /**
   * One batch of a file. The file is archived when its last batch is settled (after the ledger
   * commit of every batch of it); a batch never settled (dry run, crash, stop) leaves it waiting.
   */
  private fileBatch(
    file: DropFile,
    hash: string | undefined,
    records: SourceRecord[],
    summary: FileSummary,
    part: { index: number; count: number; done: { settled: number } } = { index: 0, count: 1, done: { settled: 0 } },
  ): SourceBatch<FileDropCursor> {
    let settled = false;
    return {
      records,
      cursor: undefined,
      settle: async () => {
        if (settled) return;
        settled = true;
        part.done.settled++;
        if (part.done.settled === part.count) await this.archiveFile(file, hash, summary);
      },
    };
  }

  private async archiveFile(file: DropFile, hash: string | undefined, summary: FileSummary): Promise<void> {
    const src = this.ctx.sourceId;
    // the file must still be what was read: a file saved again meanwhile is read again next time
    let unchanged: boolean;
    try {
      if (hash === undefined) {
        const st = await fs.stat(file.path); // a file too large to read: its size and time say it
        unchanged = st.size === file.size && st.mtimeMs === file.mtimeMs;
      } else {
        unchanged = sha256(await fs.readFile(file.path)) === hash;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.ctx.logger.warn('file disappeared before it could be archived (its records are in the ledger)', { source: src, file: file.name });
        return;
      }
      throw err;
    }
    if (!unchanged) {
      this.ctx.logger.warn('file changed while it was being read; it stays and is read again next time (the ledger skips rows it already has)', { source: src, file: file.name });
      return;
    }

    const archivedAs = summary.archivedAs ?? (await this.archive.freeName(file.name, summary.duplicate));
    try {
      if (summary.refused) {
        // not indexed: dropped again (after a config fix), the same file is read. Moved first, so
        // a move that fails (the file open in Excel) leaves no report without a file beside it.
        await this.archive.moveIn(file.path, archivedAs);
        await this.archive.writeErrorsReport(archivedAs, summary.columns, summary.bad, summary.delimiter);
      } else {
        if (hash !== undefined && !summary.duplicate) {
          // the index first: a crash before the move then finishes the move under this same name
          const entry: ProcessedEntry = { name: file.name, archived_as: archivedAs, processed_at: this.ctx.now().toISOString(), rows: summary.rows, bad_rows: summary.bad.length };
          await this.archive.remember(hash, entry);
        }
        if (summary.bad.length) await this.archive.writeErrorsReport(archivedAs, summary.columns, summary.bad, summary.delimiter);
        await this.archive.moveIn(file.path, archivedAs);
      }
      // quarantined after a crash while reading it: now archived, a copy dropped again is read afresh
      if (summary.clearReading && hash !== undefined) await this.archive.doneReading(hash);
    } catch (err) {
      // the records are committed; a file that cannot be moved now (open in Excel on a share, a
      // full disk) is read again next time, which the ledger finds unchanged, and moved then
      this.ctx.logger.warn('file could not be archived; it stays and is archived on a later read', { source: src, file: file.name, archive: this.archive.dir, error: (err as Error).message });
      return;
    }
    if (file.marker) await fs.unlink(file.marker).catch(() => undefined);
    this.observed.delete(file.name);
    this.ctx.logger.info(summary.duplicate ? 'duplicate file archived' : 'file archived', {
      source: src,
      file: file.name,
      archived_as: path.join(this.archive.dir, archivedAs),
      rows: summary.rows,
      bad_rows: summary.bad.length,
      ...(summary.bad.length ? { errors_report: path.join(this.archive.dir, errorsReportName(archivedAs)) } : {}),
    });
  }
}

/** `*` and `?` wildcards, whole name, case-insensitive. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The key of a row without `key_column`: `row:<16 hex digits>:<n>`, a hash of the row's values
 * and the how-manieth row with exactly those values it is in the file. The values are taken by
 * header name (the column order does not matter), trimmed, in Unicode NFC, with line breaks as
 * `\n`; empty cells are left out (an empty column added to the sheet changes nothing). Nothing
 * of the file goes in — not its name, its other rows, or the row's position.
 */
export function contentKey(columns: readonly string[], cells: readonly CellValue[], occurrences: Map<string, number>): string {
  const pairs: [string, string][] = [];
  cells.forEach((cell, i) => {
    const value = normaliseCell(cell);
    if (value !== '') pairs.push([normaliseCell(columns[i] ?? `column_${i + 1}`), value]);
  });
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = sha256(JSON.stringify(pairs)).slice(0, 16);
  const n = (occurrences.get(hash) ?? 0) + 1;
  occurrences.set(hash, n);
  return `row:${hash}:${n}`;
}

function normaliseCell(value: CellValue): string {
  return String(value).replace(/\r\n?/g, '\n').trim().normalize('NFC');
}

async function statFile(file: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    const st = await fs.stat(file);
    return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

function sortOldestFirst(files: DropFile[]): DropFile[] {
  return files.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function printable(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : delimiter;
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const fileDropAdapterFactory: AdapterFactory<FileDropConfig> = {
  kind: 'file-drop',
  description: 'CSV and XLSX files dropped in a folder by staff (offline channels); archived after the ledger commit, with an errors report for bad rows',
  configSchema: fileDropConfigSchema as unknown as AdapterFactory<FileDropConfig>['configSchema'],
  create: (config, ctx) => new FileDropAdapter(config, ctx),
};
