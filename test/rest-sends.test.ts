import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { REST_ROUTES } from '../src/rest/routes.js';
import { expectRestError, fillPath, restCall } from './helpers/rest-call.js';
import { REST_FIXTURES, snapshotTenant } from './helpers/rest-fixtures.js';
import { startTestApp, uniqueName, type TestApp, type TestTenant } from './helpers/test-app.js';

/**
 * `Idempotency-Key` on POST /messages/* is GraphQL's `idempotencyKey` (API.md "The REST face"): a
 * retry returns the first message and sends nothing. And while a tenant's API access is off,
 * every route refuses its tokens with 403 API_ACCESS_DISABLED.
 */
const defaults = loadConfig({});
let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  t = await startTestApp({ dispatcher: { ...defaults.dispatcher, inProcess: false } });
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
});
afterAll(() => t.stop());

const messageRows = () =>
  t.database.db
    .selectFrom('messages')
    .select(['id', 'idempotency_key'])
    .where('tenant_id', '=', tenant.tenant.id)
    .execute();

describe.each(['/messages/text', '/messages/media', '/messages/template'])(
  'POST %s with Idempotency-Key',
  (path) => {
    const send = async (key: string | undefined, body?: unknown) => {
      const call = await REST_FIXTURES[`POST ${path}`]!.prepare({ t, tenant });
      return restCall(t.url, tenant.subdomain, token, 'POST', path, {
        body: body ?? call.body,
        headers: key === undefined ? {} : { 'idempotency-key': key },
      });
    };

    it('returns the first message on a retry, and makes one row', async () => {
      const key = uniqueName('retry');
      const before = (await messageRows()).length;
      const first = await send(key);
      expect(first.status, first.text).toBe(202);
      const again = await send(key);
      expect(again.status, again.text).toBe(202);
      expect(again.body.data.id).toBe(first.body.data.id);
      const rows = await messageRows();
      expect(rows).toHaveLength(before + 1);
      expect(rows.filter((r) => r.idempotency_key === key)).toHaveLength(1);
    });

    it('sends again under another key, or none', async () => {
      const before = (await messageRows()).length;
      const ids = new Set<string>();
      for (const key of [uniqueName('a'), uniqueName('b'), undefined, undefined]) {
        const res = await send(key);
        expect(res.status, res.text).toBe(202);
        ids.add(res.body.data.id);
      }
      expect(ids.size).toBe(4);
      expect(await messageRows()).toHaveLength(before + 4);
    });
  },
);

describe('an Idempotency-Key reused', () => {
  it('for a different message is 409 CONFLICT, and sends nothing', async () => {
    const key = uniqueName('reuse');
    const send = (message: string) =>
      restCall(t.url, tenant.subdomain, token, 'POST', '/messages/text', {
        body: { phone_number: '+442079460958', message },
        headers: { 'idempotency-key': key },
      });
    expect((await send('First')).status).toBe(202);
    const before = await messageRows();
    expectRestError(await send('Something else'), 409, 'CONFLICT');
    expect(await messageRows()).toEqual(before);
  });

  it('the message sent shows in GET /messages/{id}, with its status history', async () => {
    const sent = await restCall(t.url, tenant.subdomain, token, 'POST', '/messages/text', {
      body: { phone_number: '+442079460958', message: 'Where is it?' },
      headers: { 'idempotency-key': uniqueName('read') },
    });
    expect(sent.status, sent.text).toBe(202);
    const read = await restCall(
      t.url,
      tenant.subdomain,
      token,
      'GET',
      `/messages/${sent.body.data.id}`,
    );
    expect(read.status, read.text).toBe(200);
    expect(read.body.data).toMatchObject({ id: sent.body.data.id, status: 'QUEUED' });
    expect(Array.isArray(read.body.data.status_history), read.text).toBe(true);
  });
});

describe('API access off', () => {
  let off: TestTenant;
  let secret: string;
  beforeAll(async () => {
    off = await t.createTenant();
    secret = await t.createToken(off, ['*']);
    const res = await t.gql(
      off.subdomain,
      off.adminKey,
      'mutation { setApiAccess(enabled: false) { apiEnabled } }',
    );
    expect(res.body.data).toEqual({ setApiAccess: { apiEnabled: false } });
  });

  it.each(REST_ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s is 403 API_ACCESS_DISABLED for a token, and changes nothing',
    async (key, route) => {
      const fixture = REST_FIXTURES[key];
      expect(fixture, `no fixture for ${key}`).toBeDefined();
      const call = await fixture!.prepare({ t, tenant: off });
      const before = await snapshotTenant({ t, tenant: off });
      const res = await restCall(
        t.url,
        off.subdomain,
        secret,
        route.method,
        fillPath(route.path, call.params),
        call,
      );
      expectRestError(res, 403, 'API_ACCESS_DISABLED');
      expect(await snapshotTenant({ t, tenant: off })).toEqual(before);
    },
  );

  it('the admin key still works, and the token again once access is on', async () => {
    const admin = await restCall(t.url, off.subdomain, off.adminKey, 'GET', '/contacts');
    expect(admin.status, admin.text).toBe(200);
    await t.gql(
      off.subdomain,
      off.adminKey,
      'mutation { setApiAccess(enabled: true) { apiEnabled } }',
    );
    const res = await restCall(t.url, off.subdomain, secret, 'GET', '/contacts');
    expect(res.status, res.text).toBe(200);
  });
});
