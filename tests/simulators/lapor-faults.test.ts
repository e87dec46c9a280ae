/** The LAPOR! simulator's random fault profile, rate limit and per-call log, over real HTTP on 127.0.0.1. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  FaultSpecError,
  LaporSimulator,
  formatFaultSpec,
  parseFaultSpec,
  type FaultRule,
  type LaporRequestLog,
} from '../../src/simulators/lapor-simulator.js';

const AUTH = { Authorization: 'Bearer lapor-demo-token', token: 'lapor-demo-app-token' };

function validBody(n = 1): Record<string, unknown> {
  return {
    title: 'Jalan rusak di Labuan',
    content: `Jalan berlubang.\n\nRef: bebeja/${n}`,
    channel: 2,
    classification_id: 1,
    is_anonymous: false,
    is_secret: false,
  };
}

function create(sim: LaporSimulator, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sim.url}/complaints/complaint`, {
    method: 'POST',
    headers: { ...AUTH, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(validBody()),
    ...init,
  });
}

function upload(sim: LaporSimulator): Promise<Response> {
  const form = new FormData();
  form.append('attachments[]', new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xd9])], { type: 'image/jpeg' }), 'foto.jpg');
  return fetch(`${sim.url}/complaints/complaint/file`, { method: 'POST', headers: AUTH, body: form });
}

function search(sim: LaporSimulator, init: RequestInit = {}): Promise<Response> {
  return fetch(`${sim.url}/complaints/search?q=Ref`, { headers: AUTH, ...init });
}

function only(rule: Omit<FaultRule, 'rate' | 'match'> & Partial<FaultRule>): { rules: FaultRule[] } {
  return { rules: [{ match: 'create', rate: 1, ...rule }] };
}

function lastCall(sim: LaporSimulator): LaporRequestLog {
  return sim.requests().at(-1) as LaporRequestLog;
}

/** Polls a condition (no wall-clock assertion: the test timeout is the only limit). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('parseFaultSpec', () => {
  it('parses every kind, statuses, rates and retry-after', () => {
    const spec =
      'create:status=503@0.1,create:429@0.05:retry-after=2,create:store-then-status=500@0.05,create:store-then-hang@0.02,create:reset@0.02,create:malformed@0.02,create:no-id@0.02,any:status=401@0.001';
    expect(parseFaultSpec(spec)).toEqual([
      { match: 'create', kind: 'status', status: 503, rate: 0.1 },
      { match: 'create', kind: '429', rate: 0.05, retryAfter: 2 },
      { match: 'create', kind: 'store-then-status', status: 500, rate: 0.05 },
      { match: 'create', kind: 'store-then-hang', rate: 0.02 },
      { match: 'create', kind: 'reset', rate: 0.02 },
      { match: 'create', kind: 'malformed', rate: 0.02 },
      { match: 'create', kind: 'no-id', rate: 0.02 },
      { match: 'any', kind: 'status', status: 401, rate: 0.001 },
    ]);
    expect(parseFaultSpec(' upload:hang@1 , lookup:store-then-reset@0 ,create:status=503@.5:retry-after=30')).toEqual([
      { match: 'upload', kind: 'hang', rate: 1 },
      { match: 'lookup', kind: 'store-then-reset', rate: 0 },
      { match: 'create', kind: 'status', status: 503, rate: 0.5, retryAfter: 30 },
    ]);
    expect(parseFaultSpec(formatFaultSpec(parseFaultSpec(spec)))).toEqual(parseFaultSpec(spec));
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['create:hang@0.1,', /item 2 "": empty item/],
    ['create:hang', /item 1 "create:hang": missing "@rate"/],
    ['create:hang@0.1@0.2', /more than one "@"/],
    ['hang@0.1', /missing "match:"/],
    ['post:hang@0.1', /unknown match "post"/],
    ['create:explode@0.1', /unknown kind "explode"/],
    ['create:status=5xx@0.1', /status "5xx" is not a three-digit HTTP status/],
    ['create:status=999@0.1', /status "999" is not an HTTP status between 200 and 599/],
    ['create:hang=503@0.1', /kind "hang" takes no status/],
    ['create:429=503@0.1', /kind "429" takes no status/],
    ['create:status=503@', /rate "" is not a number/],
    ['create:status=503@lots', /rate "lots" is not a number/],
    ['create:status=503@1.5', /rate "1.5" is not a probability/],
    ['create:status=503@-0.1', /rate "-0.1" is not a number/],
    ['create:429@0.1:wait=2', /unknown option "wait=2"/],
    ['create:429@0.1:retry-after=soon', /retry-after "soon" is not a whole number/],
    ['create:429@0.1:retry-after=1:retry-after=2', /retry-after given twice/],
    ['create:reset@0.1:retry-after=2', /kind "reset" takes no retry-after/],
  ])('rejects %j, naming the bad part', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(spec)).toThrow(message);
  });

  it('validates profiles given in code too', () => {
    const sim = new LaporSimulator();
    expect(() => sim.setFaultProfile({ rules: [{ match: 'create', kind: 'status', rate: 2 }] })).toThrow(/fault rule 1: rate "2"/);
    expect(() => sim.setFaultProfile({ rules: [{ match: 'create', kind: 'hang', rate: 1, status: 500 }] })).toThrow(FaultSpecError);
    expect(() => sim.setFaultProfile({ seed: 1.5, rules: [] })).toThrow(/seed/);
    expect(() => new LaporSimulator({ faultProfile: { rules: [{ match: 'delete' as never, kind: 'reset', rate: 1 }] } })).toThrow(/unknown match "delete"/);
    expect(() => new LaporSimulator({ rateLimit: 0 })).toThrow(/rateLimit/);
    expect(() => new LaporSimulator({ latencyMs: -1 })).toThrow(/latencyMs/);
  });
});

describe('LaporSimulator random faults', () => {
  const sim = new LaporSimulator();

  beforeAll(async () => {
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });
  beforeEach(() => {
    sim.reset();
    sim.setFaultProfile(undefined);
  });

  it('status: replies the status without storing, with Retry-After when given', async () => {
    sim.setFaultProfile(only({ kind: 'status', status: 503, retryAfter: 7 }));
    const res = await create(sim);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(sim.complaints()).toEqual([]);
    expect(lastCall(sim)).toMatchObject({ status: 503, stored: false, fault: 'status' });
    sim.setFaultProfile(only({ kind: 'status' }));
    expect((await create(sim)).status).toBe(500);
    expect(sim.complaints()).toEqual([]);
  });

  it('store-then-status: stores, then fails; the same key replays the stored id', async () => {
    sim.setFaultProfile(only({ kind: 'store-then-status' }));
    const res = await create(sim, { 'Idempotency-Key': 'k-sts' });
    expect(res.status).toBe(500);
    expect(sim.complaints()).toHaveLength(1);
    const id = sim.complaints()[0]?.id;
    expect(lastCall(sim)).toMatchObject({ status: 500, stored: true, fault: 'store-then-status', complaintId: id, idempotencyKey: 'k-sts' });
    sim.setFaultProfile(undefined);
    const again = await create(sim, { 'Idempotency-Key': 'k-sts' });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ complaint_id: id });
    expect(lastCall(sim)).toMatchObject({ status: 200, stored: false, complaintId: id, idempotencyKey: 'k-sts' });
    expect(lastCall(sim).fault).toBeUndefined();
    expect(sim.complaints()).toHaveLength(1);
  });

  it('hang: never answers, so the client times out; nothing stored; the socket is released', async () => {
    sim.setFaultProfile(only({ kind: 'hang' }));
    await expect(create(sim, {}, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(sim.complaints()).toEqual([]);
    expect(lastCall(sim)).toMatchObject({ status: 0, stored: false, fault: 'hang' });
    await until(() => sim.hangingConnections === 0);
  });

  it('store-then-hang: stores, then never answers', async () => {
    sim.setFaultProfile(only({ kind: 'store-then-hang' }));
    await expect(create(sim, { 'Idempotency-Key': 'k-sth' }, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(sim.complaints().map((c) => c.idempotencyKey)).toEqual(['k-sth']);
    expect(lastCall(sim)).toMatchObject({ status: 0, stored: true, fault: 'store-then-hang', idempotencyKey: 'k-sth' });
  });

  it('reset and store-then-reset: the connection drops without a reply', async () => {
    sim.setFaultProfile(only({ kind: 'reset' }));
    await expect(create(sim)).rejects.toThrow();
    expect(sim.complaints()).toEqual([]);
    expect(lastCall(sim)).toMatchObject({ status: 0, stored: false, fault: 'reset' });
    sim.setFaultProfile(only({ kind: 'store-then-reset' }));
    await expect(create(sim)).rejects.toThrow();
    expect(sim.complaints()).toHaveLength(1);
    expect(lastCall(sim)).toMatchObject({ status: 0, stored: true, fault: 'store-then-reset' });
  });

  it('malformed: stores, then replies 200 with a body that is not JSON', async () => {
    sim.setFaultProfile(only({ kind: 'malformed' }));
    const res = await create(sim);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const text = await res.text();
    expect(text).toBe('<html>Gateway</html>');
    expect(() => JSON.parse(text)).toThrow();
    expect(sim.complaints()).toHaveLength(1);
    expect(lastCall(sim)).toMatchObject({ status: 200, stored: true, fault: 'malformed' });
  });

  it('no-id: stores, then replies 201 without an id', async () => {
    sim.setFaultProfile(only({ kind: 'no-id' }));
    const res = await create(sim);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(sim.complaints()).toHaveLength(1);
    expect(lastCall(sim)).toMatchObject({ status: 201, stored: true, fault: 'no-id', complaintId: sim.complaints()[0]?.id });
  });

  it('429: replies with Retry-After (default 1), not stored', async () => {
    sim.setFaultProfile(only({ kind: '429' }));
    const res = await create(sim);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    sim.setFaultProfile(only({ kind: '429', retryAfter: 2 }));
    expect((await create(sim)).headers.get('retry-after')).toBe('2');
    expect(sim.complaints()).toEqual([]);
    expect(lastCall(sim)).toMatchObject({ status: 429, stored: false, fault: '429' });
  });

  it('applies rules only to matching requests: upload, lookup (search), any', async () => {
    sim.setFaultProfile({ rules: [{ match: 'upload', kind: 'status', status: 502, rate: 1 }] });
    expect((await upload(sim)).status).toBe(502);
    expect(sim.uploads()).toEqual([]);
    expect((await create(sim)).status).toBe(201);

    sim.setFaultProfile({ rules: [{ match: 'upload', kind: 'store-then-status', rate: 1 }] });
    expect((await upload(sim)).status).toBe(500);
    expect(sim.uploads()).toHaveLength(1);
    expect(lastCall(sim)).toMatchObject({ stored: false, fault: 'store-then-status', uploadIds: [sim.uploads()[0]?.id] });

    sim.setFaultProfile({ rules: [{ match: 'lookup', kind: 'hang', rate: 1 }] });
    await expect(search(sim, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect((await create(sim)).status).toBe(201);
    expect((await fetch(`${sim.url}/masters/institutions/external`, { headers: AUTH })).status).toBe(200);

    sim.setFaultProfile({ rules: [{ match: 'any', kind: 'status', status: 401, rate: 1 }] });
    expect((await search(sim)).status).toBe(401);
    expect((await fetch(`${sim.url}/complaints/1000001/complaint`, { headers: AUTH })).status).toBe(401);
    expect((await create(sim)).status).toBe(401);
    expect(sim.complaints()).toHaveLength(2);
  });

  it('applies only after authentication, never to /_sim, and after scripted faults', async () => {
    sim.setFaultProfile({ rules: [{ match: 'any', kind: 'reset', rate: 1 }] });
    const unauth = await fetch(`${sim.url}/complaints/complaint`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(unauth.status).toBe(401);
    expect(lastCall(sim).fault).toBeUndefined();
    expect((await fetch(`${sim.origin}/_sim/calls`)).status).toBe(200);
    expect((await fetch(`${sim.origin}/_sim/complaints`)).status).toBe(200);
    sim.setFaults([{ match: 'create', status: 418 }]);
    expect((await create(sim)).status).toBe(418);
    expect(lastCall(sim).fault).toBe('status');
    await expect(create(sim)).rejects.toThrow();
  });

  it('rolls the same faults for the same seed and the same requests', async () => {
    const rules = parseFaultSpec('create:status=503@0.3,create:store-then-status@0.3,create:no-id@0.2');
    const run = async (seed: number): Promise<string[]> => {
      sim.reset();
      sim.setFaultProfile({ seed, rules });
      const out: string[] = [];
      for (let i = 0; i < 30; i++) {
        const res = await create(sim, { 'Idempotency-Key': `k${i}` });
        await res.arrayBuffer();
        out.push(`${res.status}/${lastCall(sim).fault ?? '-'}/${String(lastCall(sim).stored)}`);
      }
      return out;
    };
    const a = await run(42);
    expect(await run(42)).toEqual(a);
    expect(new Set(a).size).toBeGreaterThanOrEqual(3);
    const b = await run(43);
    expect(b).not.toEqual(a);
    // reset() keeps the profile (seed 43 now) and restarts its dice
    sim.reset();
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await create(sim, { 'Idempotency-Key': `k${i}` });
      await res.arrayBuffer();
      seen.push(`${res.status}/${lastCall(sim).fault ?? '-'}/${String(lastCall(sim).stored)}`);
    }
    expect(seen).toEqual(b.slice(0, 5));
  });

  it('hands the fault profile back as set', () => {
    const rules: FaultRule[] = [{ match: 'create', kind: '429', rate: 0.5, retryAfter: 3 }];
    sim.setFaultProfile({ seed: 9, rules });
    expect(sim.faultProfile).toEqual({ seed: 9, rules });
    sim.setFaultProfile({ rules });
    expect(sim.faultProfile?.seed).toBe(1);
    sim.setFaultProfile(undefined);
    expect(sim.faultProfile).toBeUndefined();
  });
});

describe('LaporSimulator hang and stop()', () => {
  it('closes connections a hang fault holds open when it stops', async () => {
    const sim = new LaporSimulator({ faultProfile: { rules: [{ match: 'any', kind: 'hang', rate: 1 }] } });
    await sim.start();
    try {
      const pending = search(sim);
      const outcome = pending.then(
        () => 'answered',
        () => 'rejected',
      );
      await until(() => sim.hangingConnections === 1);
      await sim.stop();
      expect(await outcome).toBe('rejected');
      expect(sim.hangingConnections).toBe(0);
    } finally {
      await sim.stop();
    }
  });
});

describe('LaporSimulator rate limit and latency', () => {
  let clock = Date.parse('2025-01-15T03:00:00Z');
  const sim = new LaporSimulator({ rateLimit: 3, latencyMs: 5, now: () => new Date(clock) });

  beforeAll(async () => {
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('answers 429 with Retry-After: 1 past the limit in one window, storing nothing', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await create(sim);
      statuses.push(res.status);
      if (res.status === 429) expect(res.headers.get('retry-after')).toBe('1');
      await res.arrayBuffer();
    }
    expect(statuses).toEqual([201, 201, 201, 429, 429]);
    expect(sim.complaints()).toHaveLength(3);
    expect(sim.requests().filter((r) => r.fault === 'rate-limit')).toHaveLength(2);
    expect(sim.requests().filter((r) => r.fault === 'rate-limit').every((r) => !r.stored)).toBe(true);
    // every API route counts
    expect((await search(sim)).status).toBe(429);
    // unauthenticated requests are refused first and do not count
    expect((await fetch(`${sim.url}/complaints/search?q=x`)).status).toBe(401);
  });

  it('admits again once the window slides past', async () => {
    clock += 999;
    expect((await create(sim)).status).toBe(429);
    clock += 1;
    const burst = [];
    for (let i = 0; i < 4; i++) burst.push((await create(sim)).status);
    expect(burst).toEqual([201, 201, 201, 429]);
  });
});

describe('LaporSimulator per-call log', () => {
  const sim = new LaporSimulator();

  beforeAll(async () => {
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('records key, stored, fault and complaint id per call, and serves the log at /_sim/calls', async () => {
    await (await create(sim, { 'Idempotency-Key': 'log-1' })).arrayBuffer();
    await (await create(sim, { 'Idempotency-Key': 'log-1' })).arrayBuffer();
    await (await create(sim)).arrayBuffer();
    const bad = await fetch(`${sim.url}/complaints/complaint`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json', 'Idempotency-Key': 'log-bad' }, body: '{}' });
    expect(bad.status).toBe(422);
    await (await upload(sim)).arrayBuffer();
    await (await search(sim)).arrayBuffer();
    const [c1, c2] = sim.complaints();
    const log = sim.requests();
    expect(log.map((r) => ({ status: r.status, idempotencyKey: r.idempotencyKey, stored: r.stored, complaintId: r.complaintId }))).toEqual([
      { status: 201, idempotencyKey: 'log-1', stored: true, complaintId: c1?.id },
      { status: 200, idempotencyKey: 'log-1', stored: false, complaintId: c1?.id },
      { status: 201, idempotencyKey: null, stored: true, complaintId: c2?.id },
      { status: 422, idempotencyKey: 'log-bad', stored: false, complaintId: undefined },
      { status: 200, idempotencyKey: null, stored: false, complaintId: undefined },
      { status: 200, idempotencyKey: null, stored: false, complaintId: undefined },
    ]);
    expect(log[4]?.uploadIds).toEqual(sim.uploads().map((u) => u.id));
    expect(log.every((r) => r.fault === undefined)).toBe(true);

    const calls = (await (await fetch(`${sim.origin}/_sim/calls`)).json()) as { data: LaporRequestLog[]; total: number };
    expect(calls).toEqual({ data: log, total: log.length });
    const tail = (await (await fetch(`${sim.origin}/_sim/calls?from=4`)).json()) as { data: LaporRequestLog[]; total: number };
    expect(tail.data).toEqual(log.slice(4));
    expect((await fetch(`${sim.origin}/_sim/calls?from=x`)).status).toBe(400);
    const stored = (await (await fetch(`${sim.origin}/_sim/complaints`)).json()) as { data: { id: string; idempotencyKey: string | null }[] };
    expect(stored.data.map((c) => [c.id, c.idempotencyKey])).toEqual([
      [c1?.id, 'log-1'],
      [c2?.id, null],
    ]);
    // the /_sim views do not log themselves
    expect(sim.requests()).toHaveLength(log.length);
  });
});
