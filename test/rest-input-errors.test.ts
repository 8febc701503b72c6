import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactFixture, testPhone } from './operations/contacts.js';
import { expectRestError, restCall, type RestCallOptions } from './helpers/rest-call.js';
import { snapshotTenant } from './helpers/rest-fixtures.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

/**
 * The error statuses of the REST face that come from what is sent (API.md "The REST face"): 400
 * malformed JSON, 409 CONFLICT, 413 over REQUEST_MAX_BYTES, 422 BAD_USER_INPUT with `errors`
 * keyed by the snake_case field, 429 RATE_LIMITED with Retry-After, and 500 without detail. A
 * refused write changes nothing.
 */
let t: TestApp;
let small: TestApp; // a 30-point bucket, as in rate-limit.test.ts
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  [t, small] = await Promise.all([
    startTestApp(),
    startTestApp({ rateLimit: { bucketSize: 30, restoreRate: 10, sendsPerSecond: 2 } }),
  ]);
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
});
afterAll(() => Promise.all([t.stop(), small.stop()]));

const call = (method: string, path: string, options?: RestCallOptions) =>
  restCall(t.url, tenant.subdomain, token, method, path, options);

/** Runs `write` and checks it changed nothing of the tenant. */
async function unchanged<T>(write: () => Promise<T>): Promise<T> {
  const before = await snapshotTenant({ t, tenant });
  const result = await write();
  expect(await snapshotTenant({ t, tenant })).toEqual(before);
  return result;
}

describe('400 BAD_REQUEST', () => {
  it.each(['{"first_name": "Ada", ', 'not json', '{"first_name": "Ada",}'])(
    'for a malformed JSON body: %s',
    async (rawBody) => {
      const res = await unchanged(() => call('POST', '/contacts', { rawBody }));
      expectRestError(res, 400, 'BAD_REQUEST');
    },
  );
});

describe('409 CONFLICT', () => {
  it('for a phone number the tenant already has', async () => {
    const phone = testPhone();
    const first = await call('POST', '/contacts', { body: { first_name: 'Ada', phone } });
    expect(first.status, first.text).toBe(201);
    const again = await unchanged(() =>
      call('POST', '/contacts', { body: { first_name: 'Twin', phone } }),
    );
    expectRestError(again, 409, 'CONFLICT');
  });

  it('for a status name the tenant already has, created or renamed into', async () => {
    const body = { name: `Won ${testPhone()}`, color: '#00ff00' };
    expect((await call('POST', '/statuses', { body })).status).toBe(201);
    expectRestError(await unchanged(() => call('POST', '/statuses', { body })), 409, 'CONFLICT');
    const other = await call('POST', '/statuses', {
      body: { name: `Lost ${testPhone()}`, color: '#f00' },
    });
    expect(other.status, other.text).toBe(201);
    const renamed = await unchanged(() =>
      call('PATCH', `/statuses/${other.body.data.id}`, { body: { name: body.name } }),
    );
    expectRestError(renamed, 409, 'CONFLICT');
  });
});

describe('413 over REQUEST_MAX_BYTES', () => {
  it('refuses the body before it is used', async () => {
    const padding = 'x'.repeat(t.config.limits.maxBodyBytes + 1);
    const res = await unchanged(() =>
      call('POST', '/contacts', {
        body: { first_name: 'Big', phone: testPhone(), description: padding },
      }),
    );
    expect(res.status, res.text.slice(0, 300)).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.code).toBe('QUERY_TOO_COMPLEX');
    expect(res.body.message).toBeTypeOf('string');
  });
});

describe('422 BAD_USER_INPUT, errors keyed by the snake_case field', () => {
  const cases: [string, string, () => Promise<string>, () => unknown, string][] = [
    [
      'a missing first_name',
      'POST /contacts',
      async () => '',
      () => ({ phone: testPhone() }),
      'first_name',
    ],
    [
      'a phone that is none',
      'POST /contacts',
      async () => '',
      () => ({ first_name: 'A', phone: 'call me' }),
      'phone',
    ],
    [
      'an email that is none',
      'POST /contacts',
      async () => '',
      () => ({ first_name: 'A', phone: testPhone(), email: 'not-an-email' }),
      'email',
    ],
    [
      'an unknown contact type',
      'POST /contacts',
      async () => '',
      () => ({ first_name: 'A', phone: testPhone(), type: 'friend' }),
      'type',
    ],
    [
      'a malformed status_id',
      'PATCH /contacts/{id}',
      () => contactFixture({ t, tenant }),
      () => ({ status_id: 'nope' }),
      'status_id',
    ],
    [
      'a colour that is none',
      'POST /statuses',
      async () => '',
      () => ({ name: 'X', color: 'blue' }),
      'color',
    ],
    ['a missing name', 'POST /sources', async () => '', () => ({}), 'name'],
    [
      'contact_ids that is no list',
      'POST /groups/{id}/contacts',
      async () =>
        (await call('POST', '/groups', { body: { name: `g ${testPhone()}` } })).body.data.id,
      () => ({ contact_ids: 'everyone' }),
      'contact_ids',
    ],
    [
      'a phone_number that is none',
      'POST /messages/text',
      async () => '',
      () => ({ phone_number: '12', message: 'Hi' }),
      'phone_number',
    ],
    [
      'a text without its message',
      'POST /messages/text',
      async () => '',
      () => ({ phone_number: '+442079460958' }),
      'message',
    ],
  ];

  it.each(cases)('%s (%s)', async (_name, route, id, body, field) => {
    const [method, path] = route.split(' ') as [string, string];
    const target = path.replace('{id}', await id());
    const res = await unchanged(() => call(method, target, { body: body() }));
    expectRestError(res, 422, 'BAD_USER_INPUT');
    expect(Object.keys(res.body.errors ?? {}), res.text).toContain(field);
    const messages = res.body.errors[field];
    expect(Array.isArray(messages) && messages.length > 0, res.text).toBe(true);
    for (const message of messages) expect(message).toBeTypeOf('string');
    for (const key of Object.keys(res.body.errors)) expect(key).toMatch(/^[a-z0-9_]+$/);
  });

  it('for a malformed id in the path', async () => {
    const res = await call('GET', '/contacts/not-an-id');
    expectRestError(res, 422, 'BAD_USER_INPUT');
    expect(Object.keys(res.body.errors ?? {})).toEqual(['id']);
  });
});

describe('429 RATE_LIMITED with Retry-After', () => {
  it('once the token’s bucket is spent, and again once it refills', async () => {
    const own = await small.createTenant();
    const secret = await small.createToken(own, ['statuses.read']);
    const list = () =>
      restCall(small.url, own.subdomain, secret, 'GET', '/statuses', { query: { per_page: 10 } });
    const first = await list();
    expect(first.status, first.text).toBe(200);
    let refused = first;
    for (let i = 0; i < 10 && refused.status === 200; i++) refused = await list();
    expectRestError(refused, 429, 'RATE_LIMITED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await expect
      .poll(async () => (await list()).status, { timeout: 10_000, interval: 250 })
      .toBe(200);
  });
});

describe('500 INTERNAL_SERVER_ERROR', () => {
  it('says nothing of the cause', async () => {
    const own = await t.createTenant();
    await t.database.db.schema.alterTable('statuses').renameTo('statuses_away').execute();
    try {
      const res = await restCall(t.url, own.subdomain, own.adminKey, 'GET', '/statuses');
      expectRestError(res, 500, 'INTERNAL_SERVER_ERROR');
      expect(res.text).not.toMatch(/statuses_away|relation|stack|at /);
    } finally {
      await t.database.db.schema.alterTable('statuses_away').renameTo('statuses').execute();
    }
  });
});
