/**
 * The webhook adapter: the local system POSTs complaints to the bridge (DESIGN §6). A request that
 * passes authentication and validation is held, its records queued; `read()` hands what is queued
 * to intake as batches, and the request is answered 202 only when intake settles its batch, i.e.
 * after the ledger commit. A request never answered 202 (shutdown, crash) was not promised
 * anything: the sender retries it, and the ledger sees the same ids and content as unchanged.
 */
import net, { type AddressInfo } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { AdapterContext, AdapterFactory, CheckResult, ReadOptions, SourceAdapter, SourceBatch, SourceRecord } from '../adapter.js';
import { AdapterError } from '../errors.js';
import { WebhookAuthenticator } from './webhook-auth.js';
import { parseWebhookBody } from './webhook-body.js';
import { formatByteSize } from '../../util/byte-size.js';
import { webhookConfigSchema, type WebhookConfig } from './webhook-config.js';

/** `30s`, `1500ms`, `2m`: a duration as config writes it. */
function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** Seconds a sender is told to wait before retrying a request the bridge could not take. */
const RETRY_AFTER_SECONDS = 5;
/** How long close() lets answered requests drain before cutting their connections. */
const CLOSE_GRACE_MS = 5_000;
/** After a walk left requests unsettled, intake is asked again this much later… */
const RENOTIFY_MS = 1_000;
/** …while a request has come back unsettled at most this many times (then `max_wait` ends it). */
const RENOTIFY_LIMIT = 5;

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

/** One accepted request, waiting for the ledger commit of its records. */
interface HeldRequest {
  readonly records: readonly SourceRecord[];
  readonly replayKey?: string;
  state: 'queued' | 'claimed' | 'answered';
  /** The sender hung up before its answer: nobody waits for this request any more. */
  abandoned: boolean;
  /** Waited `max_wait` while its batch was being committed: a 503 unless that batch is settled. */
  expired: boolean;
  /** How many walks handed it out without settling it. */
  returns: number;
  answer(a: Answer): void;
}

const unavailable = (message: string): Answer => ({
  status: 503,
  body: { error: 'unavailable', message: `${message}; nothing was committed: send the request again (signed anew) after ${RETRY_AFTER_SECONDS}s` },
  headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
});

export class WebhookAdapter implements SourceAdapter<undefined> {
  readonly kind = 'webhook';
  readonly capabilities = { incremental: false, writeBack: false, push: true } as const;
  /** The path the local system POSTs to. */
  readonly path: string;
  private readonly auth: WebhookAuthenticator;
  private app: FastifyInstance | undefined;
  private bound: AddressInfo | undefined;
  private closing: Promise<void> | undefined;
  private readonly queue: HeldRequest[] = [];
  private readonly claimed = new Set<HeldRequest>();
  private readonly listeners: (() => void)[] = [];
  private renotify: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: WebhookConfig,
    private readonly ctx: AdapterContext,
  ) {
    this.path = config.path ?? `/webhook/${ctx.sourceId}`;
    this.auth = new WebhookAuthenticator(config.auth, ctx.now);
  }

  /** `http://host:port/path` of the listening endpoint (for tests and logs); throws when not listening. */
  get url(): string {
    const a = this.address();
    if (!a) throw new AdapterError('SOURCE_CONFIG', this.ctx.sourceId, 'the webhook is not listening (call open() first)', false);
    const host = a.host === '0.0.0.0' ? '127.0.0.1' : a.host === '::' ? '[::1]' : a.host.includes(':') ? `[${a.host}]` : a.host;
    return `http://${host}:${a.port}${this.path}`;
  }

  /** The bound address, or undefined when not listening. */
  address(): { host: string; port: number } | undefined {
    return this.bound ? { host: this.bound.address, port: this.bound.port } : undefined;
  }

  /** Requests received and not answered yet (queued, or in a batch not yet settled). */
  get waiting(): number {
    return this.queue.length + this.claimed.size;
  }

  async open(): Promise<void> {
    if (this.app) return;
    this.closing = undefined;
    // loaded on first use: a bridge without a webhook source does not carry fastify in memory
    const { default: Fastify } = await import('fastify');
    // a sender dripping its body cannot hold a connection for ever (fastify's defaults are no limit)
    const app = Fastify({ logger: false, bodyLimit: this.config.body_limit, return503OnClosing: true, requestTimeout: 30_000, connectionTimeout: 60_000 });
    // the signature covers the exact bytes sent, so the body is kept raw and parsed after the check
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.setErrorHandler((err: FastifyError, req, reply) => {
      const a = this.frameworkError(err);
      if (a.status >= 500) this.ctx.logger.error('webhook request failed', { source: this.ctx.sourceId, error: err.message });
      else this.ctx.logger.warn('webhook request refused', { source: this.ctx.sourceId, status: a.status, remote: req.ip, reason: (a.body as { message: string }).message });
      return reply.code(a.status).send(a.body);
    });
    app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', message: `POST complaints to ${this.path}` }));
    app.post(this.path, async (req, reply) => {
      const a = await this.receive(req.headers, req.body, reply, req.ip);
      if (a.headers) void reply.headers(a.headers);
      return reply.code(a.status).send(a.body);
    });
    try {
      await app.listen({ host: this.config.host, port: this.config.port });
    } catch (err) {
      await app.close().catch(() => undefined);
      throw new AdapterError('SOURCE_CONFIG', this.ctx.sourceId, this.listenProblem(err), false);
    }
    this.app = app;
    this.bound = app.server.address() as AddressInfo;
    this.ctx.logger.info('webhook listening', { source: this.ctx.sourceId, url: this.url });
  }

  /**
   * Hands what is queued to intake and returns once the queue is empty; it never waits for new
   * requests (the `onPending` listener says when to read again). Several requests may share one
   * batch, up to `max_records_per_request` records. Each request is handed out at most once per
   * walk: a batch not settled (a failed commit, a dry run) goes back to the front of the queue
   * when the walk ends, its senders still waiting, and intake is asked again a little later.
   */
  async *read(_from?: undefined, options: ReadOptions = {}): AsyncIterable<SourceBatch<undefined>> {
    // kept claimed until the walk ends, so that this walk does not take them again
    const unsettled: HeldRequest[] = [];
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        const taken = this.take();
        if (!taken.length) return;
        let settled = false;
        try {
          yield {
            records: taken.flatMap((r) => r.records),
            cursor: undefined,
            settle: async () => {
              if (settled) return;
              settled = true;
              for (const r of taken) {
                if (r.state === 'answered') continue;
                // settled after its walk ended (and it went back to the queue): committed all the same
                const i = this.queue.indexOf(r);
                if (i >= 0) this.queue.splice(i, 1);
                this.claimed.delete(r);
                r.answer({ status: 202, body: { accepted: r.records.length } });
              }
            },
          };
        } finally {
          if (!settled) unsettled.push(...taken);
        }
      }
    } finally {
      this.unclaim(unsettled);
    }
  }

  onPending(listener: () => void): void {
    this.listeners.push(listener);
    if (this.queue.length) queueMicrotask(() => this.call(listener));
  }

  async check(): Promise<CheckResult> {
    if (this.bound) return { ok: true, message: `listening on ${this.url} (${this.waiting} request(s) waiting for their ledger commit)` };
    // not opened (config check): can we bind the address?
    const problem = await new Promise<unknown>((resolve) => {
      const probe = net.createServer();
      probe.once('error', resolve);
      probe.listen({ host: this.config.host, port: this.config.port }, () => probe.close(() => resolve(undefined)));
    });
    if (problem) return { ok: false, message: `[${this.ctx.sourceId}] ${this.listenProblem(problem)}` };
    return { ok: true, message: `can listen on ${this.config.host}:${this.config.port} (path ${this.path})` };
  }

  /**
   * Answers every request still waiting 503 (nothing of theirs is promised: they were either not
   * committed or their commit was not confirmed to us), then stops listening. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.renotify);
    this.renotify = undefined;
    const app = this.app;
    this.app = undefined;
    this.bound = undefined;
    const waiting = [...this.queue.splice(0), ...this.claimed];
    this.claimed.clear();
    for (const r of waiting) {
      this.auth.forget(r.replayKey);
      r.answer(unavailable('the bridge is shutting down'));
    }
    if (waiting.length) this.ctx.logger.warn('webhook closed with requests waiting; they were answered 503 and will be sent again', { source: this.ctx.sourceId, requests: waiting.length });
    if (!app) return;
    const timer = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
    try {
      await app.close();
    } finally {
      clearTimeout(timer);
    }
  }

  private async receive(headers: IncomingHttpHeaders, body: unknown, reply: FastifyReply, remote: string): Promise<Answer> {
    if (!this.app) return unavailable('the bridge is shutting down');
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const auth = this.auth.verify(headers, raw);
    if (!auth.ok) {
      this.ctx.logger.warn('webhook request refused', { source: this.ctx.sourceId, status: auth.status, remote, reason: auth.message });
      return { status: auth.status, body: { error: auth.code, message: auth.message }, headers: auth.headers };
    }
    const parsed = parseWebhookBody(raw, { idField: this.config.id_field, maxRecords: this.config.max_records_per_request, maxDepth: this.config.max_depth });
    if (!parsed.ok) {
      this.auth.forget(auth.replayKey);
      this.ctx.logger.warn('webhook request refused', { source: this.ctx.sourceId, status: parsed.status, remote, reason: parsed.message });
      return { status: parsed.status, body: { error: parsed.code, message: parsed.message, ...(parsed.errors ? { errors: parsed.errors } : {}) } };
    }
    if (parsed.records.length === 0) return { status: 202, body: { accepted: 0 } };
    if (reply.raw.socket?.destroyed) {
      this.auth.forget(auth.replayKey);
      return unavailable('the sender went away');
    }
    if (this.waiting >= this.config.max_pending_requests) {
      this.auth.forget(auth.replayKey);
      this.ctx.logger.warn('webhook busy: too many requests waiting for their ledger commit', { source: this.ctx.sourceId, waiting: this.waiting });
      return unavailable(`${this.waiting} requests are already waiting for the ledger`);
    }
    return new Promise<Answer>((resolve) => {
      // a request is not held forever (a paused source is not read at all): after max_wait, 503
      const timer = setTimeout(() => this.expire(held), this.config.max_wait);
      timer.unref();
      const held: HeldRequest = {
        records: parsed.records,
        replayKey: auth.replayKey,
        state: 'queued',
        abandoned: false,
        expired: false,
        returns: 0,
        answer: (a) => {
          if (held.state === 'answered') return;
          held.state = 'answered';
          clearTimeout(timer);
          resolve(a);
        },
      };
      reply.raw.once('close', () => {
        if (held.state === 'answered' || reply.raw.writableFinished) return;
        // the sender hung up: it will send again; a request not yet read is dropped, one being
        // committed is finished (harmless either way: the ledger deduplicates)
        held.abandoned = true;
        const i = this.queue.indexOf(held);
        if (i >= 0) {
          this.queue.splice(i, 1);
          this.auth.forget(held.replayKey);
          held.answer(unavailable('the sender went away'));
        }
      });
      this.queue.push(held);
      this.ctx.logger.debug('webhook request queued', { source: this.ctx.sourceId, records: held.records.length, waiting: this.waiting });
      for (const l of this.listeners) this.call(l);
    });
  }

  /** Claims queued requests for one batch: at least one, and together at most `max_records_per_request` records. */
  private take(): HeldRequest[] {
    const taken: HeldRequest[] = [];
    let n = 0;
    while (this.queue.length) {
      const next = this.queue[0] as HeldRequest;
      if (taken.length && n + next.records.length > this.config.max_records_per_request) break;
      this.queue.shift();
      next.state = 'claimed';
      this.claimed.add(next);
      taken.push(next);
      n += next.records.length;
    }
    return taken;
  }

  /**
   * Batches that were never settled: their requests wait again, in their order, ahead of newer
   * ones, and intake is asked again shortly (a failed commit may succeed on the next walk).
   */
  private unclaim(taken: readonly HeldRequest[]): void {
    const back: HeldRequest[] = [];
    for (const r of taken) {
      if (r.state !== 'claimed') continue;
      this.claimed.delete(r);
      if (r.abandoned || r.expired) {
        this.auth.forget(r.replayKey);
        r.answer(r.abandoned ? unavailable('the sender went away') : this.tooLong());
        continue;
      }
      r.state = 'queued';
      r.returns++;
      back.push(r);
    }
    this.queue.unshift(...back);
    if (back.some((r) => r.returns <= RENOTIFY_LIMIT)) this.askAgain();
  }

  /** Calls the onPending listeners once more, a little later (once, however many walks ask). */
  private askAgain(): void {
    if (this.renotify || !this.app) return;
    this.renotify = setTimeout(() => {
      this.renotify = undefined;
      if (!this.app || !this.queue.length) return;
      for (const l of this.listeners) this.call(l);
    }, RENOTIFY_MS);
    this.renotify.unref();
  }

  /** `max_wait` is over: a queued request is answered 503; one being committed, when its batch ends. */
  private expire(held: HeldRequest): void {
    if (held.state === 'answered') return;
    if (held.state === 'claimed') {
      held.expired = true;
      return;
    }
    const i = this.queue.indexOf(held);
    if (i >= 0) this.queue.splice(i, 1);
    this.auth.forget(held.replayKey);
    this.ctx.logger.warn('webhook request waited too long for its ledger commit (is the source paused, or intake failing?); answered 503', { source: this.ctx.sourceId, records: held.records.length, max_wait_ms: this.config.max_wait });
    held.answer(this.tooLong());
  }

  private tooLong(): Answer {
    return unavailable(`the request waited ${formatDuration(this.config.max_wait)} (adapter.max_wait) without being committed (the source may be paused)`);
  }

  private call(listener: () => void): void {
    try {
      listener();
    } catch (err) {
      this.ctx.logger.error('webhook pending listener failed', { source: this.ctx.sourceId, error: (err as Error).message });
    }
  }

  private frameworkError(err: FastifyError): Answer {
    const status = err.statusCode ?? 500;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) {
      return { status: 413, body: { error: 'body_too_large', message: `the body is larger than ${formatByteSize(this.config.body_limit)} (adapter.body_limit): split it into several requests` } };
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) {
      return { status: 415, body: { error: 'unsupported_media_type', message: 'send the body as JSON with "Content-Type: application/json"' } };
    }
    if (status >= 400 && status < 500) return { status, body: { error: 'bad_request', message: err.message } };
    return { status: 500, body: { error: 'internal', message: 'the bridge could not take the request; nothing was committed: send it again later' } };
  }

  private listenProblem(err: unknown): string {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `${this.config.host}:${this.config.port}`;
    switch (code) {
      case 'EADDRINUSE':
        return `cannot listen on ${where}: the port is already in use (another bridge or program listens on it); stop it or change adapter.port`;
      case 'EACCES':
        return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); use a higher adapter.port`;
      case 'EADDRNOTAVAIL':
        return `cannot listen on ${where}: ${this.config.host} is not an address of this machine; check adapter.host`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `cannot listen on ${where}: the host name ${this.config.host} does not resolve; check adapter.host`;
      default:
        return `cannot listen on ${where}: ${code ?? (err as Error).message}`;
    }
  }
}

export const webhookAdapterFactory: AdapterFactory<WebhookConfig> = {
  kind: 'webhook',
  description: 'Complaints POSTed to the bridge (HMAC-SHA256 signed with a timestamp, or a bearer token), answered 202 only after the ledger commit',
  configSchema: webhookConfigSchema as unknown as AdapterFactory<WebhookConfig>['configSchema'],
  create: (config, ctx) => new WebhookAdapter(config, ctx),
};
