/**
 * Progress of a long intake (`sync --since`, `--full`): a live bar with counts and rate on a
 * terminal (cli-progress), and one plain line every few seconds otherwise (logs, cron mail).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(sourceId: string, pulled: number): void;
  stop(): void;
}

export function intakeProgress(stream: NodeJS.WriteStream, lineEveryMs = 5000): Progress {
  const started = Date.now();
  const rate = (n: number) => Math.round(n / Math.max(0.001, (Date.now() - started) / 1000));
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: '{source} | pulled {value} | {rate}/s | {duration_formatted}', hideCursor: true, clearOnComplete: false, noTTYOutput: false },
      cliProgress.Presets.shades_classic,
    );
    let begun = false;
    return {
      update(sourceId, pulled) {
        if (!begun) {
          bar.start(0, 0, { source: sourceId, rate: 0 });
          begun = true;
        }
        bar.update(pulled, { source: sourceId, rate: rate(pulled) });
      },
      stop() {
        if (begun) bar.stop();
      },
    };
  }
  let last = 0;
  let lastLine: { sourceId: string; pulled: number } | undefined;
  const line = (sourceId: string, pulled: number) => stream.write(`progress ${sourceId}: pulled ${pulled} (${rate(pulled)}/s)\n`);
  return {
    update(sourceId, pulled) {
      lastLine = { sourceId, pulled };
      if (Date.now() - last >= lineEveryMs) {
        last = Date.now();
        line(sourceId, pulled);
      }
    },
    stop() {
      if (lastLine) line(lastLine.sourceId, lastLine.pulled);
    },
  };
}
