import { describe, expect, it } from '@jest/globals';
import { classifyCreate, parseRetryAfter, type CreateFacts } from '../../src/sinks/classify-failure.js';

const now = new Date('2026-01-01T00:00:00Z');

describe('classifyCreate: may the complaint already exist?', () => {
  it.each<[string, CreateFacts, string]>([
    ['201 with id', { status: 201, parsed: true, id: '1' }, 'delivered'],
    ['200 with id', { status: 200, parsed: true, id: '1' }, 'delivered'],
    ['200 without id', { status: 200, parsed: true }, 'in_doubt'],
    ['200 unparsable', { status: 200, parsed: false }, 'in_doubt'],
    ['refused', { errorCode: 'ECONNREFUSED', parsed: false }, 'retry'],
    ['DNS failure', { errorCode: 'ENOTFOUND', parsed: false }, 'retry'],
    ['TLS failure', { errorCode: 'CERT_HAS_EXPIRED', parsed: false }, 'retry'],
    ['timeout', { errorCode: 'ETIMEDOUT', parsed: false }, 'in_doubt'],
    ['reset', { errorCode: 'ECONNRESET', parsed: false }, 'in_doubt'],
    ['408', { status: 408, parsed: false }, 'retry'],
    ['425', { status: 425, parsed: false }, 'retry'],
    ['429', { status: 429, parsed: false }, 'retry'],
    ['503', { status: 503, parsed: false }, 'retry'],
    ['500 with Retry-After', { status: 500, parsed: false, retryAfter: '5' }, 'retry'],
    ['400', { status: 400, parsed: true }, 'rejected'],
    ['422', { status: 422, parsed: true }, 'rejected'],
    ['401', { status: 401, parsed: true }, 'paused'],
    ['403', { status: 403, parsed: true }, 'paused'],
    ['409', { status: 409, parsed: true }, 'exists'],
    ['422 "already exists"', { status: 422, parsed: true, alreadyExists: true }, 'exists'],
    ['500', { status: 500, parsed: false }, 'in_doubt'],
    ['502', { status: 502, parsed: false }, 'in_doubt'],
    ['504', { status: 504, parsed: false }, 'in_doubt'],
  ])('%s → %s', (_name, facts, expected) => {
    expect(classifyCreate(facts, now).class).toBe(expected);
  });

  it('carries the Retry-After delay', () => {
    expect(classifyCreate({ status: 429, parsed: false, retryAfter: '30' }, now)).toEqual({ class: 'retry', retryAfterMs: 30_000 });
  });
});

describe('parseRetryAfter', () => {
  it.each<[string | undefined, number | undefined]>([
    ['120', 120_000],
    ['0', 0],
    ['Thu, 01 Jan 2026 00:01:00 GMT', 60_000],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
    ['', undefined],
  ])('%s → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
