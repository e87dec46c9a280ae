/**
 * The environment a bridge config needs to talk to the simulators: the variables the shipped
 * `config/` files reference. Sandbox credentials, not secrets.
 */
import type { BebejaSimulator } from './bebeja-simulator.js';
import type { LaporSimulator } from './lapor-simulator.js';

export function sandboxEnv(bebeja: BebejaSimulator, lapor: LaporSimulator, piiKey: string): Record<string, string> {
  return {
    BEBEJA_URL: bebeja.url,
    BEBEJA_API_KEY: bebeja.apiKey,
    LAPOR_BASE_URL: lapor.url,
    LAPOR_TOKEN: lapor.bearerToken,
    LAPOR_APP_TOKEN: lapor.appToken,
    SP4N_PII_KEY: piiKey,
  };
}
