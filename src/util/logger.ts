/**
 * winston logger: JSON lines (journald-friendly), a human format on a TTY, and optionally a
 * daily-rotated file with retention. Every line, on every transport, passes through ONE
 * formatter that removes secrets and personal data (see redact.ts).
 */
import fs from 'node:fs';
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import { redactText, redactValue } from './redact.js';

/** The one place log lines are cleaned: message and every metadata value. */
export const redactFormat = winston.format((info) => {
  const { level, message, ...rest } = info;
  const clean = redactValue(rest) as Record<string, unknown>;
  return Object.assign(info, clean, { level, message: typeof message === 'string' ? redactText(message) : redactValue(message) });
});

export interface LogFileOptions {
  /** Folder of the rotated files (`sp4n-bridge-YYYY-MM-DD.log`). */
  readonly dir: string;
  /** How many days of files to keep. */
  readonly retentionDays: number;
}

export interface LoggerOptions {
  readonly level?: string;
  /** JSON lines (default when the stream is not a TTY) or the human format. */
  readonly json?: boolean;
  /** Where lines go: stderr for one-shot commands (stdout carries results), stdout for the daemon. */
  readonly stream?: NodeJS.WritableStream;
  readonly file?: LogFileOptions;
  readonly silent?: boolean;
}

export function createLogger(options: LoggerOptions = {}): winston.Logger {
  const stream = options.stream ?? process.stderr;
  const json = options.json ?? !(stream as NodeJS.WriteStream).isTTY;
  const human = winston.format.combine(
    winston.format.colorize(),
    winston.format.printf((i) => `${String(i.timestamp)} ${i.level} ${String(i.message)}${metaSuffix(i)}`),
  );
  const transports: winston.transport[] = [new winston.transports.Stream({ stream, format: json ? winston.format.json() : human })];
  if (options.file) {
    fs.mkdirSync(options.file.dir, { recursive: true, mode: 0o750 });
    transports.push(
      new DailyRotateFile({
        dirname: options.file.dir,
        filename: 'sp4n-bridge-%DATE%.log',
        datePattern: 'YYYY-MM-DD',
        maxFiles: `${options.file.retentionDays}d`,
        format: winston.format.json(),
        // log files may be read by the operators' group, never by others
        options: { flags: 'a', mode: 0o640 },
        auditFile: `${options.file.dir}/.sp4n-bridge-audit.json`,
      }),
    );
  }
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    format: winston.format.combine(redactFormat(), winston.format.timestamp()),
    transports,
  });
}

function metaSuffix(info: winston.Logform.TransformableInfo): string {
  const { level: _l, message: _m, timestamp: _t, ...rest } = info;
  const keys = Object.keys(rest);
  return keys.length ? ` ${JSON.stringify(Object.fromEntries(keys.map((k) => [k, rest[k]])))}` : '';
}

export const silentLogger = (): winston.Logger => createLogger({ silent: true });

/** Flushes and closes every transport (a daemon's last lines must reach the file). */
export async function closeLogger(logger: winston.Logger): Promise<void> {
  // a log file is written when its stream closes, after the logger itself has finished
  const files = logger.transports
    .map((t) => (t as unknown as { logStream?: NodeJS.EventEmitter }).logStream)
    .filter((s): s is NodeJS.EventEmitter => s !== undefined)
    .map((s) => new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      setTimeout(resolve, 5000).unref();
    }));
  await new Promise<void>((resolve) => {
    logger.on('finish', () => resolve());
    logger.end();
    setTimeout(resolve, 2000).unref();
  });
  await Promise.all(files);
}
