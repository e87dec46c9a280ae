/**
 * How the bridge talks to a LAPOR! v3 deployment, in one place for every caller (delivery, status
 * sync, `lapor masters`): the configured base URL, the two credential headers, proxy / TLS /
 * timeouts from the shared client, no redirects (the app-token header would follow one to another
 * host), a cap on the reply size, and the destination's rate limit shared by all callers.
 */
import type { AxiosInstance } from 'axios';
import { createHttpClient } from '../../net/http-client.js';
import { limitRate } from '../sink-support.js';
import { laporV3AuthHeaders, type LaporV3Config } from './lapor-v3-config.js';

export interface LaporV3HttpOptions {
  /** Largest reply read; a larger one fails the call. */
  readonly maxReplyBytes: number;
  /** Keep connections open between calls (default true; one-off commands pass false). */
  readonly keepAlive?: boolean;
  /** Take a slot of the destination's rate limit before each call (default true). */
  readonly rateLimited?: boolean;
}

/** Close it with `destroyHttpClient` from src/net/http-client.ts. */
export function laporV3Http(config: LaporV3Config, o: LaporV3HttpOptions): AxiosInstance {
  const http = createHttpClient({
    baseURL: config.base_url.replace(/\/+$/, ''),
    timeoutMs: config.timeout,
    connectTimeoutMs: config.connect_timeout,
    tls: config.tls,
    keepAlive: o.keepAlive,
    headers: { Accept: 'application/json', ...laporV3AuthHeaders(config) },
    axios: { validateStatus: () => true, maxRedirects: 0, maxContentLength: o.maxReplyBytes },
  });
  // one limiter per destination name: delivery and status sync together stay within the rate
  if ((o.rateLimited ?? true) && config.rate_limit_per_second > 0) limitRate(http, config.rate_limit_per_second, config.name);
  return http;
}
