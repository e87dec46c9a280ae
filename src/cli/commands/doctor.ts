/**
 * `doctor`: checks every source, the destination and the ledger, and prints OK / WARN / FAIL
 * with a hint for each. Exit code: 1 when any check FAILs, otherwise 0 (WARNs are printed and
 * counted in the summary but do not fail the command); 2 for a bad --timeout.
 */
import { runDoctor, type DoctorCheck, type DoctorReport } from '../../ops/doctor.js';
import { parseDuration } from '../../util/duration.js';
import { redactText } from '../../util/redact.js';
import { ledgerPathFrom, type GlobalOptions } from '../context.js';
import { formatTable, print, printJson, UsageError } from '../output.js';

/** Splits text into lines of at most `width` characters, at spaces where it can. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(/\s+/).filter(Boolean)) {
    while (word.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (!line) line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** The report as table rows; long details and hints continue on the next rows, never cut. */
export function doctorTable(checks: readonly DoctorCheck[], columns = process.stdout.columns): string {
  const nameWidth = Math.max('check'.length, ...checks.map((c) => c.name.length));
  // fit a terminal when there is one (formatTable cuts cells at 60 characters anyway)
  const room = columns ? Math.floor((columns - nameWidth - 'status'.length - 6) / 2) : 60;
  const width = Math.max(30, Math.min(60, room));
  const rows: Record<string, string>[] = [];
  for (const c of checks) {
    const detail = wrapText(redactText(c.detail), width);
    const hint = c.hint ? wrapText(redactText(c.hint), width) : [];
    const n = Math.max(detail.length, hint.length);
    for (let i = 0; i < n; i++) {
      rows.push({ check: i === 0 ? redactText(c.name) : '', status: i === 0 ? c.status : '', detail: detail[i] ?? '', hint: hint[i] ?? '' });
    }
  }
  return formatTable(rows, ['check', 'status', 'detail', 'hint']);
}

export function summaryLine(report: DoctorReport): string {
  const { OK, WARN, FAIL } = report.counts;
  const verdict = FAIL ? 'not ready: fix the FAIL lines (exit 1)' : WARN ? 'working, with warnings to look at (exit 0)' : 'all good (exit 0)';
  return `${OK} OK, ${WARN} WARN, ${FAIL} FAIL — ${verdict}`;
}

export async function doctorCommand(g: GlobalOptions, o: { timeout: string }): Promise<number> {
  const timeoutMs = parseDuration(String(o.timeout ?? '10s'));
  if (timeoutMs === undefined || timeoutMs <= 0) throw new UsageError(`--timeout: "${String(o.timeout)}" is not a duration; use e.g. 10s, 30s, 1m`);
  let fallbackLedgerPath: string | undefined;
  try {
    fallbackLedgerPath = ledgerPathFrom(g);
  } catch {
    // bridge.yaml cannot be read: the config check reports it
  }
  const report = await runDoctor({ configFile: g.config, timeoutMs, fallbackLedgerPath });
  const code = report.ok ? 0 : 1;
  if (g.json) {
    // `check`, not `name`: the JSON redactor masks keys called `name` as personal data
    printJson({
      ok: report.ok,
      summary: { ok: report.counts.OK, warn: report.counts.WARN, fail: report.counts.FAIL },
      checks: report.checks.map((c) => ({ check: c.name, status: c.status, detail: c.detail, ...(c.hint ? { hint: c.hint } : {}) })),
    });
    return code;
  }
  print(doctorTable(report.checks));
  print();
  print(summaryLine(report));
  return code;
}
