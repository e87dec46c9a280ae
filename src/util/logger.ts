/**
 * winston logger: JSON lines (journald-friendly) or a human format on a TTY. Every line passes
 * through the redactor, so secrets and personal data never reach a log.
 */
import winston from 'winston';
import { redactText, redactValue } from './redact.js';

const redactFormat = winston.format((info) => {
  const { level, message, ...rest } = info;
  const clean = redactValue(rest) as Record<string, unknown>;
  return Object.assign(info, clean, { level, message: typeof message === 'string' ? redactText(message) : redactValue(message) });
});

export interface LoggerOptions {
  readonly level?: string;
  readonly json?: boolean;
  readonly stream?: NodeJS.WritableStream;
  readonly silent?: boolean;
}

export function createLogger(options: LoggerOptions = {}): winston.Logger {
  const json = options.json ?? !process.stderr.isTTY;
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    format: winston.format.combine(
      redactFormat(),
      winston.format.timestamp(),
      json ? winston.format.json() : winston.format.combine(winston.format.colorize(), winston.format.printf((i) => `${String(i.timestamp)} ${i.level} ${String(i.message)}${metaSuffix(i)}`)),
    ),
    transports: [options.stream ? new winston.transports.Stream({ stream: options.stream }) : new winston.transports.Stream({ stream: process.stderr })],
  });
}

function metaSuffix(info: winston.Logform.TransformableInfo): string {
  const { level: _l, message: _m, timestamp: _t, ...rest } = info;
  const keys = Object.keys(rest).filter((k) => typeof k === 'string');
  return keys.length ? ` ${JSON.stringify(Object.fromEntries(keys.map((k) => [k, rest[k]])))}` : '';
}

export const silentLogger = (): winston.Logger => createLogger({ silent: true });
