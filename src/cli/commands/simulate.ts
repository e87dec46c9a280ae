/** `simulate lapor|bebeja`: a simulator as a standalone server, until Ctrl-C. */
import { BebejaSimulator } from '../../simulators/bebeja-simulator.js';
import { LaporSimulator } from '../../simulators/lapor-simulator.js';
import type { GlobalOptions } from '../context.js';
import { print, printJson, UsageError } from '../output.js';

export async function simulateCommand(g: GlobalOptions, which: 'lapor' | 'bebeja', o: { port: string; host: string }): Promise<number> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port: "${o.port}" is not a port number`);
  const sim = which === 'lapor' ? new LaporSimulator({ port, host: o.host }) : new BebejaSimulator({ port, host: o.host, seed: 'demo' });
  await sim.start();
  const info =
    sim instanceof LaporSimulator
      ? { simulator: 'lapor', base_url: sim.url, env: { LAPOR_BASE_URL: sim.url, LAPOR_TOKEN: sim.bearerToken, LAPOR_APP_TOKEN: sim.appToken } }
      : { simulator: 'bebeja', base_url: sim.url, env: { BEBEJA_URL: sim.url, BEBEJA_API_KEY: sim.apiKey } };
  if (g.json) printJson(info);
  else {
    print(`${which} simulator listening on ${info.base_url}`);
    print('Point the bridge at it with (sandbox credentials, not secrets):');
    for (const [k, v] of Object.entries(info.env)) print(`  export ${k}=${v}`);
    print('Press Ctrl-C to stop.');
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
  return 0;
}
