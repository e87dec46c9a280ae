/**
 * `simulate lapor|bebeja`: a simulator as a standalone server, until SIGINT/SIGTERM.
 *
 * With `--json` it prints exactly one line once listening, for a test or script that spawns it:
 * `{"simulator":"lapor","base_url":…,"origin":…,"env":{…},"options":{…},"pid":…}`.
 * The env values are sandbox credentials, not secrets, so they are printed as they are.
 *
 * `--lifecycle` makes the LAPOR! simulator move complaints through statuses and follow-ups over
 * time (seeded plans, see lapor-lifecycle.ts); `--time-scale X` runs its clock X times faster than
 * real time from start, so a person trying a configuration sees the statuses move.
 */
import { BebejaSimulator, type BebejaSimulatorOptions } from '../../simulators/bebeja-simulator.js';
import { FaultSpecError, formatFaultSpec, LaporSimulator, parseFaultSpec, type LaporSimulatorOptions } from '../../simulators/lapor-simulator.js';
import type { GlobalOptions } from '../context.js';
import { print, UsageError } from '../output.js';

export interface SimulateOptions {
  port: string;
  host: string;
  // lapor
  faults?: string;
  faultSeed?: string;
  latencyMs?: string;
  rateLimit?: string;
  nestId?: boolean;
  dialect?: string;
  lifecycle?: boolean;
  lifecycleSeed?: string;
  timeScale?: string;
  // bebeja
  records?: string;
  ties?: string;
  shuffle?: string;
}

interface ListeningInfo {
  simulator: 'lapor' | 'bebeja';
  base_url: string;
  origin: string;
  env: Record<string, string>;
  options: Record<string, unknown>;
  pid: number;
}

export async function simulateCommand(g: GlobalOptions, which: 'lapor' | 'bebeja', o: SimulateOptions): Promise<number> {
  const port = wholeNumber('--port', o.port, 0, 65535);
  const sim = which === 'lapor' ? new LaporSimulator(laporOptions(port, o)) : new BebejaSimulator(bebejaOptions(port, o));
  await sim.start();
  const info = describe(sim, o);
  if (g.json) process.stdout.write(`${JSON.stringify(info)}\n`);
  else {
    print(`${which} simulator listening on ${info.base_url}${sim instanceof LaporSimulator && sim.dialect === 'legacy-xml' ? ' (legacy XML dialect: POST /api/stream/addstream; bridge destination.dialect: lapor-legacy-xml)' : ''}`);
    for (const [k, v] of Object.entries(info.options)) print(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
    print('Point the bridge at it with (sandbox credentials, not secrets):');
    for (const [k, v] of Object.entries(info.env)) print(`  export ${k}=${v}`);
    if (sim instanceof LaporSimulator) print(`Calls and stored complaints: ${sim.origin}/_sim/calls, ${sim.origin}/_sim/complaints`);
    print('Press Ctrl-C to stop.');
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.stop(); // also closes connections a `hang` fault holds open
  return 0;
}

function laporOptions(port: number, o: SimulateOptions): LaporSimulatorOptions {
  const dialect = o.dialect ?? 'v3';
  if (dialect !== 'v3' && dialect !== 'legacy-xml') throw new UsageError(`--dialect: "${dialect}" is not one of v3, legacy-xml`);
  if (dialect === 'legacy-xml' && o.nestId) throw new UsageError('--nest-id applies to --dialect v3 only (the legacy XML reply has <trackingid>)');
  const options: LaporSimulatorOptions = { port, host: o.host, nestId: o.nestId === true, dialect };
  if (o.faults !== undefined) {
    try {
      options.faultProfile = { rules: parseFaultSpec(o.faults) };
    } catch (err) {
      if (err instanceof FaultSpecError) throw new UsageError(`--faults: ${err.message}`);
      throw err;
    }
    if (o.faultSeed !== undefined) options.faultProfile.seed = wholeNumber('--fault-seed', o.faultSeed, 0, 0xffffffff);
  } else if (o.faultSeed !== undefined) throw new UsageError('--fault-seed needs --faults');
  if (o.latencyMs !== undefined) options.latencyMs = wholeNumber('--latency-ms', o.latencyMs, 0, 600_000);
  if (o.rateLimit !== undefined) options.rateLimit = wholeNumber('--rate-limit', o.rateLimit, 1, 1_000_000);
  addLifecycle(options, o);
  return options;
}

/** `--lifecycle`, `--lifecycle-seed` and `--time-scale` (a fast simulated clock from start). */
function addLifecycle(options: LaporSimulatorOptions, o: SimulateOptions): void {
  if (!o.lifecycle) {
    if (o.lifecycleSeed !== undefined) throw new UsageError('--lifecycle-seed needs --lifecycle');
    if (o.timeScale !== undefined) throw new UsageError('--time-scale needs --lifecycle (it makes the planned statuses move faster)');
    return;
  }
  options.lifecycle = { seed: o.lifecycleSeed !== undefined ? wholeNumber('--lifecycle-seed', o.lifecycleSeed, 0, 0xffffffff) : 1 };
  if (o.timeScale === undefined) return;
  const scale = timeScale(o.timeScale);
  if (options.rateLimit !== undefined && scale !== 1) {
    throw new UsageError('--time-scale cannot be combined with --rate-limit (the rate window would run on the fast clock too)');
  }
  const start = Date.now();
  options.now = () => new Date(start + (Date.now() - start) * scale);
}

/** A number > 0 (at most 10,000,000): how many times faster than real time the clock runs. */
function timeScale(text: string): number {
  const n = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(n > 0 && n <= 10_000_000)) throw new UsageError(`--time-scale: "${text}" is not a number above 0 and at most 10000000 (e.g. 3600: one simulated hour per second)`);
  return n;
}

function bebejaOptions(port: number, o: SimulateOptions): BebejaSimulatorOptions {
  const options: BebejaSimulatorOptions = { port, host: o.host, seed: 'demo' };
  if (o.records !== undefined) options.seed = wholeNumber('--records', o.records, 0, 10_000_000);
  if (o.ties !== undefined) {
    if (o.records === undefined) throw new UsageError('--ties needs --records (it ties generated records)');
    options.ties = wholeNumber('--ties', o.ties, 0, options.seed as number);
  }
  if (o.shuffle !== undefined) {
    const rate = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(o.shuffle) ? Number(o.shuffle) : NaN;
    if (!(rate >= 0 && rate <= 1)) throw new UsageError(`--shuffle: "${o.shuffle}" is not a probability between 0 and 1`);
    options.shuffle = { rate };
  }
  return options;
}

function describe(sim: LaporSimulator | BebejaSimulator, o: SimulateOptions): ListeningInfo {
  if (sim instanceof LaporSimulator) {
    const profile = sim.faultProfile;
    const options: Record<string, unknown> = {};
    if (profile) options.faults = { spec: formatFaultSpec(profile.rules), seed: profile.seed, rules: profile.rules };
    if (o.latencyMs !== undefined) options.latency_ms = Number(o.latencyMs);
    if (o.rateLimit !== undefined) options.rate_limit = Number(o.rateLimit);
    if (o.nestId) options.nest_id = true;
    if (o.lifecycle) {
      options.lifecycle = { seed: o.lifecycleSeed !== undefined ? Number(o.lifecycleSeed) : 1, time_scale: o.timeScale !== undefined ? Number(o.timeScale) : 1 };
    }
    if (sim.dialect === 'legacy-xml') {
      // the dialect a bridge config needs (destination.dialect: lapor-legacy-xml, token: ${LAPOR_TOKEN})
      options.dialect = 'legacy-xml';
      return { simulator: 'lapor', base_url: sim.url, origin: sim.origin, env: { LAPOR_BASE_URL: sim.url, LAPOR_TOKEN: sim.bearerToken }, options, pid: process.pid };
    }
    return {
      simulator: 'lapor',
      base_url: sim.url,
      origin: sim.origin,
      env: { LAPOR_BASE_URL: sim.url, LAPOR_TOKEN: sim.bearerToken, LAPOR_APP_TOKEN: sim.appToken },
      options,
      pid: process.pid,
    };
  }
  const options: Record<string, unknown> = { records: o.records !== undefined ? Number(o.records) : 'demo' };
  const tie = sim.tieGroup();
  if (tie) options.ties = { count: tie.ids.length, updated_at: tie.updated_at, first_id: tie.ids[0], last_id: tie.ids.at(-1) };
  if (o.shuffle !== undefined) options.shuffle = Number(o.shuffle);
  return {
    simulator: 'bebeja',
    base_url: sim.url,
    origin: sim.origin,
    env: { BEBEJA_URL: sim.url, BEBEJA_API_KEY: sim.apiKey },
    options,
    pid: process.pid,
  };
}

/** A whole number in [min, max], or a UsageError naming the flag. */
function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag}: "${text}" is not a whole number between ${min} and ${max}`);
  return n;
}
