/** Backfill progress: plain lines when not on a terminal (logs, cron mail), a live bar on one. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { intakeProgress } from '../../src/cli/progress.js';

function stream(isTTY: boolean): { s: NodeJS.WriteStream; text: () => string } {
  const s = new PassThrough() as unknown as NodeJS.WriteStream & { columns: number };
  let text = '';
  (s as unknown as PassThrough).on('data', (d: Buffer) => (text += d.toString()));
  Object.assign(s, { isTTY, columns: 80, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { s, text: () => text };
}

describe('intake progress', () => {
  it('off a terminal: line-based, at most one line per interval, and a final line with the count', () => {
    const { s, text } = stream(false);
    const p = intakeProgress(s, 60_000);
    for (let i = 1; i <= 500; i++) p.update('bebeja', i * 100);
    p.stop();
    const lines = text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^progress bebeja: pulled 100 \(\d+\/s\)$/);
    expect(lines[1]).toMatch(/^progress bebeja: pulled 50000 \(\d+\/s\)$/);
  });

  it('on a terminal: a bar with the count and the rate', () => {
    const { s, text } = stream(true);
    const p = intakeProgress(s);
    p.update('bebeja', 1234);
    p.stop();
    expect(text()).toMatch(/bebeja \| pulled 1234 \| \d+\/s/);
  });
});
