import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/ids.js';
import { createStatus } from '../src/statuses/repo.js';
import { createSource } from '../src/sources/repo.js';
import { createGroup } from '../src/groups/repo.js';
import { REST_ROUTES } from '../src/rest/routes.js';
import { makeContact } from './operations/contacts.js';
import { expectRestError, restCall } from './helpers/rest-call.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

/**
 * Page-numbered lists (API.md "The REST face"): `page` from 1 (default 1), `per_page` 1..100
 * (default 20), `meta { current_page, per_page, total, last_page }` with last_page at least 1;
 * the pages together list every item once, also under filters.
 */
let t: TestApp;
let tenant: TestTenant;
let token: string;
/** The tenant's 45 contacts' ids, and the ids matching each filter. */
const all: string[] = [];
const ids = { status: '', source: '', group: '' };
const match = {
  status: [] as string[],
  source: [] as string[],
  group: [] as string[],
  customer: [] as string[],
  zebra: [] as string[],
};

beforeAll(async () => {
  // Pages of 100 cost hundreds of points each; this file is not about the rate limit.
  t = await startTestApp({
    rateLimit: { bucketSize: 100_000, restoreRate: 1000, sendsPerSecond: 80 },
  });
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
  const db = t.database.db;
  const status = await createStatus(db, tenant.tenant.id, { name: 'Hot', color: '#ff0000' });
  const source = await createSource(db, tenant.tenant.id, { name: 'Fair' });
  const group = await createGroup(db, tenant.tenant.id, { name: 'VIP', description: null });
  Object.assign(ids, {
    status: encodeId('Status', status.id),
    source: encodeId('Source', source.id),
    group: encodeId('Group', group.id),
  });
  for (let i = 0; i < 45; i++) {
    const contact = await makeContact(db, tenant.tenant.id, {
      first_name: `Person ${i}`,
      company: i % 3 === 0 ? 'Zebra Ltd' : 'Other plc',
      type: i % 5 === 0 ? 'customer' : 'lead',
      status_id: i % 4 === 0 ? status.id : null,
      source_id: i % 9 === 0 ? source.id : null,
    });
    const id = encodeId('Contact', contact.id);
    all.push(id);
    if (i % 4 === 0) match.status.push(id);
    if (i % 9 === 0) match.source.push(id);
    if (i % 5 === 0) match.customer.push(id);
    if (i % 3 === 0) match.zebra.push(id);
    if (i < 7) {
      match.group.push(id);
      await db
        .insertInto('contact_groups')
        .values({ tenant_id: tenant.tenant.id, group_id: group.id, contact_id: contact.id })
        .execute();
    }
  }
});
afterAll(() => t.stop());

const list = (query: Record<string, string | number> = {}, path = '/contacts') =>
  restCall(t.url, tenant.subdomain, token, 'GET', path, { query });

/** Every page of the list, in order, checking each page's meta on the way. */
async function walk(query: Record<string, string | number>, perPage: number, total: number) {
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const pages: string[][] = [];
  for (let page = 1; page <= lastPage; page++) {
    const res = await list({ ...query, per_page: perPage, page });
    expect(res.status, res.text).toBe(200);
    expect(res.body.meta).toEqual({
      current_page: page,
      per_page: perPage,
      total,
      last_page: lastPage,
    });
    pages.push(res.body.data.map((row: { id: string }) => row.id));
  }
  return pages;
}

describe('GET /contacts pages', () => {
  it('defaults to page 1 of 20', async () => {
    const res = await list();
    expect(res.status, res.text).toBe(200);
    expect(res.body.meta).toEqual({ current_page: 1, per_page: 20, total: 45, last_page: 3 });
    expect(res.body.data).toHaveLength(20);
  });

  it('lists every contact exactly once across pages of 20: 20, 20, 5', async () => {
    const pages = await walk({}, 20, 45);
    expect(pages.map((p) => p.length)).toEqual([20, 20, 5]);
    const seen = pages.flat();
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...all].sort());
  });

  it('gives all 45 on one page of 100', async () => {
    const res = await list({ per_page: 100 });
    expect(res.status, res.text).toBe(200);
    expect(res.body.meta).toEqual({ current_page: 1, per_page: 100, total: 45, last_page: 1 });
    expect(res.body.data).toHaveLength(45);
  });

  it('answers a page past the end with no items and the true meta', async () => {
    const res = await list({ page: 4 });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      data: [],
      meta: { current_page: 4, per_page: 20, total: 45, last_page: 3 },
    });
  });

  it('has last_page 1 when there is nothing', async () => {
    const empty = await t.createTenant();
    const secret = await t.createToken(empty, ['contacts.read']);
    const res = await restCall(t.url, empty.subdomain, secret, 'GET', '/contacts');
    expect(res.body).toEqual({
      data: [],
      meta: { current_page: 1, per_page: 20, total: 0, last_page: 1 },
    });
  });
});

describe('filters with pages', () => {
  const cases: [string, () => Record<string, string>, () => string[], number][] = [
    ['status_id', () => ({ status_id: ids.status }), () => match.status, 5],
    ['source_id', () => ({ source_id: ids.source }), () => match.source, 2],
    ['group_id', () => ({ group_id: ids.group }), () => match.group, 3],
    ['type', () => ({ type: 'CUSTOMER' }), () => match.customer, 4],
    ['search', () => ({ search: 'zebra' }), () => match.zebra, 4],
    [
      'search and type',
      () => ({ search: 'zebra', type: 'CUSTOMER' }),
      () => match.zebra.filter((id) => match.customer.includes(id)),
      2,
    ],
    [
      'status_id and group_id',
      () => ({ status_id: ids.status, group_id: ids.group }),
      () => match.status.filter((id) => match.group.includes(id)),
      1,
    ],
  ];

  it.each(cases)(
    '%s: the pages list exactly the matches',
    async (_name, query, expected, perPage) => {
      const want = expected();
      expect(want.length).toBeGreaterThan(0);
      const seen = (await walk(query(), perPage, want.length)).flat();
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...want].sort());
    },
  );
});

const listRoutes = REST_ROUTES.filter((r) => r.method === 'GET' && !r.path.includes('{'));

describe.each(listRoutes.map((r) => [r.path]))('GET %s', (path) => {
  it('is a page with meta', async () => {
    const res = await list({ per_page: 100 }, path);
    expect(res.status, res.text).toBe(200);
    expect(Array.isArray(res.body.data)).toBe(true);
    expect(res.body.meta).toMatchObject({ current_page: 1, per_page: 100 });
    expect(res.body.meta.last_page).toBe(Math.max(1, Math.ceil(res.body.meta.total / 100)));
  });

  it.each([
    ['per_page', '101'],
    ['per_page', '0'],
    ['per_page', '-1'],
    ['per_page', 'ten'],
    ['per_page', '2.5'],
    ['page', '0'],
    ['page', '-3'],
    ['page', 'first'],
  ])('refuses %s=%s with 422 naming the parameter', async (name, value) => {
    const res = await list({ [name]: value }, path);
    expectRestError(res, 422, 'BAD_USER_INPUT');
    expect(Object.keys(res.body.errors ?? {})).toContain(name);
  });
});

it('the contract’s list routes are all checked here', () => {
  expect(listRoutes.map((r) => r.path).sort()).toEqual(
    [
      '/contacts',
      '/groups',
      '/message-bots',
      '/sources',
      '/statuses',
      '/template-bots',
      '/templates',
    ].sort(),
  );
});
