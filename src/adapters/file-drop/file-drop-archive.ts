/**
 * The archive folder of a file-drop source: processed files moved in under a timestamped name
 * (`20240301-083000-aduan.csv`), an errors report beside a file that had bad rows
 * (`20240301-083000-aduan.csv.errors.csv`), and `.processed.json`, the index of the content
 * hashes already processed, which recognises the same file dropped again, and of the files
 * being parsed right now (so a file that brings the bridge down is quarantined on restart).
 *
 * Nothing here decides *when* a file is archived: the adapter calls in only after the ledger
 * committed the file's records.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { CellValue } from './file-drop-reader.js';

export interface ProcessedEntry {
  /** The name the file was dropped under. */
  readonly name: string;
  /** Its name in the archive folder. */
  readonly archived_as: string;
  readonly processed_at: string;
  readonly rows: number;
  readonly bad_rows: number;
}

/** A file being parsed right now; still there after a restart, it is what brought the bridge down. */
export interface ReadingEntry {
  readonly name: string;
  readonly started_at: string;
}

interface IndexFile {
  version: 1;
  /** Files whose rows are in the ledger (never a file refused as a whole: that one may be dropped again). */
  files: Record<string, ProcessedEntry>;
  /** Files being parsed; see `markReading`. */
  reading?: Record<string, ReadingEntry>;
}

/** One line of the errors report: a bad row, or the whole file (row ''). */
export interface ReportRow {
  readonly row: number | '';
  readonly key: string;
  readonly reason: string;
  readonly cells: readonly CellValue[];
}

export const INDEX_NAME = '.processed.json';

export class DropArchive {
  readonly indexPath: string;

  constructor(
    readonly dir: string,
    private readonly options: { timezone: string; now: () => Date; warn: (message: string, meta: Record<string, unknown>) => void },
  ) {
    this.indexPath = path.join(dir, INDEX_NAME);
  }

  async lookup(hash: string): Promise<ProcessedEntry | undefined> {
    return (await this.readIndex()).files[hash];
  }

  /** Adds a hash to the index. */
  async remember(hash: string, entry: ProcessedEntry): Promise<void> {
    await this.updateIndex((index) => {
      index.files[hash] = entry;
    });
  }

  /**
   * Marks a file as being parsed, before parsing starts. A file that exhausts memory (or makes
   * the parser hang until the process is killed) would otherwise be read again on every restart;
   * with the mark still there, the restarted bridge quarantines it instead of reading it.
   */
  async markReading(hash: string, entry: ReadingEntry): Promise<void> {
    await this.updateIndex((index) => {
      (index.reading ??= {})[hash] = entry;
    });
  }

  async readingOf(hash: string): Promise<ReadingEntry | undefined> {
    return (await this.readIndex()).reading?.[hash];
  }

  /** The file was parsed (or, after a crash, archived): the mark goes. */
  async doneReading(hash: string): Promise<void> {
    if (!(await this.readingOf(hash))) return;
    await this.updateIndex((index) => {
      if (index.reading) delete index.reading[hash];
      if (index.reading && Object.keys(index.reading).length === 0) delete index.reading;
    });
  }

  /**
   * Read, change, write to a temp file, rename: a crash leaves the old index whole. An index left
   * empty is removed (a dry run, which only marks and unmarks files, leaves the archive as it was).
   */
  private async updateIndex(change: (index: IndexFile) => void): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const index = await this.readIndex();
    change(index);
    if (Object.keys(index.files).length === 0 && !index.reading) {
      await fs.rm(this.indexPath, { force: true });
      return;
    }
    const tmp = `${this.indexPath}.tmp-${process.pid}`;
    await fs.writeFile(tmp, `${JSON.stringify(index, null, 2)}\n`);
    await fs.rename(tmp, this.indexPath);
  }

  async has(name: string): Promise<boolean> {
    return exists(path.join(this.dir, name));
  }

  /** `<YYYYMMDD-HHmmss>-[duplicate-]<name>`, with `-2`, `-3`, ... after the time if that is taken. */
  async freeName(name: string, duplicate = false): Promise<string> {
    const stamp = DateTime.fromJSDate(this.options.now(), { zone: this.options.timezone }).toFormat('yyyyMMdd-HHmmss');
    const rest = `${duplicate ? 'duplicate-' : ''}${name}`;
    for (let n = 1; ; n++) {
      const candidate = n === 1 ? `${stamp}-${rest}` : `${stamp}-${n}-${rest}`;
      if (!(await this.has(candidate)) && !(await this.has(errorsReportName(candidate)))) return candidate;
    }
  }

  /** Moves a file in; across disks (EXDEV) by copy, then delete. */
  async moveIn(src: string, archivedName: string): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const dest = path.join(this.dir, archivedName);
    try {
      await fs.rename(src, dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await fs.copyFile(src, dest, fs.constants.COPYFILE_EXCL);
      await fs.unlink(src);
    }
  }

  /**
   * `<archived name>.errors.csv`: row, key, reason, then the row's original cells. UTF-8 with BOM
   * and CRLF, so Excel opens it with the right characters; the delimiter is the dropped file's own
   * (a `;` file came from an Excel whose list separator is `;`, and that Excel expects `;` back).
   */
  async writeErrorsReport(archivedName: string, columns: readonly string[], rows: readonly ReportRow[], delimiter: string): Promise<string> {
    await fs.mkdir(this.dir, { recursive: true });
    const width = Math.max(columns.length, ...rows.map((r) => r.cells.length));
    const header = ['row', 'key', 'reason', ...Array.from({ length: width }, (_, i) => columns[i] ?? `column_${i + 1}`)];
    const pad = (cells: readonly CellValue[]) => Array.from({ length: width }, (_, i) => cells[i] ?? '');
    const lines = [header, ...rows.map((r) => [r.row, r.key, r.reason, ...pad(r.cells)])].map((cells) => cells.map((c) => csvField(c, delimiter)).join(delimiter));
    const name = errorsReportName(archivedName);
    await fs.writeFile(path.join(this.dir, name), `\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
    return name;
  }

  private async readIndex(): Promise<IndexFile> {
    let text: string;
    try {
      text = await fs.readFile(this.indexPath, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, files: {} };
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Partial<IndexFile>;
      if (parsed && typeof parsed.files === 'object' && parsed.files !== null) {
        const reading = typeof parsed.reading === 'object' && parsed.reading !== null ? parsed.reading : undefined;
        return reading ? { version: 1, files: parsed.files, reading } : { version: 1, files: parsed.files };
      }
    } catch {
      // fall through: kept aside below, and a fresh index is started
    }
    // the index only saves work (the ledger already skips a file read twice); keep the bad one for a look
    const aside = `${this.indexPath}.unreadable-${Date.now()}`;
    await fs.rename(this.indexPath, aside).catch(() => undefined);
    this.options.warn('the processed-files index could not be read; a new one is started (a file dropped again is then read again, and the ledger skips its records)', { index: this.indexPath, kept_as: aside });
    return { version: 1, files: {} };
  }
}

export function errorsReportName(archivedName: string): string {
  return `${archivedName}.errors.csv`;
}

/**
 * Quoted when needed. A cell Excel would run as a formula (starting with = @ or + - other than a
 * plain number such as a latitude -6.3) gets a leading apostrophe: the report is for people; the
 * original file is archived as it was.
 */
function csvField(value: CellValue, delimiter: string): string {
  let text = String(value);
  if (/^[=@\t\r]/.test(text) || (/^[+-]/.test(text) && !/^[+-]\d+([.,]\d+)?$/.test(text))) text = `'${text}`;
  return text.includes('"') || text.includes(delimiter) || /[\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
