/** Errors an adapter raises, by kind: retriable (try the run again later) or fatal (fix config). */
export class AdapterError extends Error {
  constructor(
    readonly code: 'SOURCE_UNREACHABLE' | 'SOURCE_AUTH' | 'SOURCE_BAD_RESPONSE' | 'SOURCE_CONFIG',
    readonly sourceId: string,
    message: string,
    readonly retriable: boolean,
  ) {
    super(`[${sourceId}] ${message}`);
  }
}
