/**
 * The rest adapter's pagination styles and auth against nock: page (with the Bebeja simulator
 * elsewhere), offset, cursor token and Link header; API key, bearer and basic auth.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { nextLink, RestAdapter } from '../../src/adapters/rest/rest-adapter.js';
import { restConfigSchema } from '../../src/adapters/rest/rest-config.js';
import { silentLogger } from '../../src/util/logger.js';

const BASE = 'http://source.test';
const row = (id: number) => ({ id, judul: `J${id}`, isi: `I${id}`, updated_at: `2024-01-01T00:00:${String(id).padStart(2, '0')}+07:00` });

function adapter(over: Record<string, unknown>): RestAdapter {
  process.env.PAGINATION_KEY = 'k-123456';
  const config = restConfigSchema.parse({ type: 'rest', base_url: BASE, records_path: '/items', auth: { type: 'api_key', header: 'X-Key', value: '${PAGINATION_KEY}' }, ...over });
  return new RestAdapter(config, { sourceId: 'src', logger: silentLogger(), now: () => new Date('2026-01-01T00:00:00Z') });
}

async function ids(a: RestAdapter): Promise<string[]> {
  const out: string[] = [];
  for await (const b of a.read(undefined)) out.push(...b.records.map((r) => r.externalId));
  await a.close();
  return out;
}

beforeAll(() => {
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
});
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

describe('rest pagination styles', () => {
  it('offset: walks offset=0,2,4 with the records path as a JSON path', async () => {
    nock(BASE).get('/items').query({ offset: '0', limit: '2' }).reply(200, { results: { items: [row(1), row(2)] } });
    nock(BASE).get('/items').query((q) => q.limit === '2' && typeof q.updated_since === 'string').reply(200, { results: { items: [row(3)] } });
    expect(await ids(adapter({ records_field: '$.results.items', pagination: { type: 'offset', page_size: 2 } }))).toEqual(['1', '2', '3']);
  });

  it('cursor: follows the next token until it is null', async () => {
    nock(BASE).get('/items').query({ per_page: '2' }).reply(200, { data: [row(1), row(2)], meta: { next: 'tok-A' } });
    nock(BASE).get('/items').query({ per_page: '2', after: 'tok-A' }).reply(200, { data: [row(3), row(4)], meta: { next: 'tok-B' } });
    nock(BASE).get('/items').query({ per_page: '2', after: 'tok-B' }).reply(200, { data: [row(5)], meta: { next: null } });
    expect(await ids(adapter({ pagination: { type: 'cursor', token_param: 'after', token_path: 'meta.next', page_size: 2 } }))).toEqual(['1', '2', '3', '4', '5']);
  });

  it('link: follows rel="next" on the same host, sending the credentials', async () => {
    nock(BASE, { reqheaders: { 'x-key': 'k-123456' } })
      .get('/items')
      .query({ per_page: '2' })
      .reply(200, { data: [row(1), row(2)] }, { Link: `<${BASE}/items?page=2&per_page=2>; rel="next", <${BASE}/items?page=9>; rel="last"` });
    nock(BASE, { reqheaders: { 'x-key': 'k-123456' } }).get('/items').query({ page: '2', per_page: '2' }).reply(200, { data: [row(3)] });
    expect(await ids(adapter({ pagination: { type: 'link', page_size: 2 } }))).toEqual(['1', '2', '3']);
  });

  it('cursor: the saved cursor moves only after the last page (the server order is not by time)', async () => {
    nock(BASE).get('/items').query({ per_page: '2' }).reply(200, { data: [row(9), row(1)], meta: { next: 'A' } });
    nock(BASE).get('/items').query({ per_page: '2', after: 'A' }).reply(200, { data: [row(2)], meta: { next: null } });
    const cursors: unknown[] = [];
    for await (const b of adapter({ pagination: { type: 'cursor', token_param: 'after', token_path: 'meta.next', page_size: 2 } }).read(undefined)) cursors.push(b.cursor);
    expect(cursors[0]).toEqual({ updated_at: new Date(0).toISOString(), id: '' });
    expect(cursors[1]).toEqual({ updated_at: new Date('2024-01-01T00:00:09+07:00').toISOString(), id: '9' });
  });

  it('cursor: a repeated token stops the walk instead of looping', async () => {
    nock(BASE).get('/items').query({ per_page: '2' }).reply(200, { data: [row(1), row(2)], meta: { next: 'A' } });
    nock(BASE).get('/items').query({ per_page: '2', after: 'A' }).reply(200, { data: [row(3), row(4)], meta: { next: 'A' } });
    await expect(ids(adapter({ pagination: { type: 'cursor', token_param: 'after', token_path: 'meta.next', page_size: 2 } }))).rejects.toThrow(/repeats an earlier one/);
  });

  it('link: a relative next link resolves against the request URL', async () => {
    nock(BASE).get('/items').query({ per_page: '2' }).reply(200, { data: [row(1), row(2)] }, { Link: '<?page=2&per_page=2>; rel="next"' });
    nock(BASE).get('/items').query({ page: '2', per_page: '2' }).reply(200, { data: [row(3)] });
    expect(await ids(adapter({ pagination: { type: 'link', page_size: 2 } }))).toEqual(['1', '2', '3']);
  });

  it('link: refuses to follow a next link to another host', async () => {
    nock(BASE).get('/items').query(true).reply(200, { data: [row(1)] }, { Link: '<http://evil.test/items?page=2>; rel="next"' });
    await expect(ids(adapter({ pagination: { type: 'link', page_size: 2 } }))).rejects.toThrow(/another host/);
  });

  it.each([
    ['<https://a/x?p=2>; rel="next"', 'https://a/x?p=2'],
    ['<https://a/x?p=1>; rel="prev", <https://a/x?p=3>; rel="next"', 'https://a/x?p=3'],
    ['<https://a/x?p=3>; rel="last"', undefined],
    ['<https://a/x?p=3>; rel="next last"', 'https://a/x?p=3'],
    [undefined, undefined],
  ])('nextLink(%s)', (header, expected) => {
    expect(nextLink(header)).toBe(expected);
  });
});

describe('rest auth', () => {
  it.each([
    [{ type: 'bearer', token: '${PAGINATION_KEY}' }, { authorization: 'Bearer k-123456' }],
    [{ type: 'basic', username: 'dinas', password: '${PAGINATION_KEY}' }, { authorization: `Basic ${Buffer.from('dinas:k-123456').toString('base64')}` }],
    [{ type: 'api_key', header: 'X-Key', value: '${PAGINATION_KEY}' }, { 'x-key': 'k-123456' }],
  ])('%j', async (auth, headers) => {
    const scope = nock(BASE, { reqheaders: headers }).get('/items').query(true).reply(200, { data: [] });
    expect(await ids(adapter({ auth }))).toEqual([]);
    expect(scope.isDone()).toBe(true);
  });
});
