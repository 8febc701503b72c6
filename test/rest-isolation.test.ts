import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { decodeId, encodeId } from '../src/ids.js';
import { contactFixture, testPhone } from './operations/contacts.js';
import { statusFixture } from './operations/core.js';
import { sourceFixture } from './operations/sources.js';
import { groupFixture } from './operations/groups.js';
import { templateFixture } from './operations/templates.js';
import { messageBotFixture, templateBotFixture } from './operations/bots.js';
import { messageFixture } from './operations/messages.js';
import { expectRestError, restCall, type RestCallOptions } from './helpers/rest-call.js';
import { snapshotTenant } from './helpers/rest-fixtures.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

/**
 * Tenant B's token on tenant A's ids over REST: every read and write is 404 NOT_FOUND, as for an
 * id that names nothing (API.md "Errors": another tenant's id is indistinguishable from a missing
 * one), and nothing of A's changes. B's token at A's path is not a token of A at all: 401.
 */
const defaults = loadConfig({});
let t: TestApp;
let a: TestTenant;
let b: TestTenant;
let bToken: string;
/** Tenant A's ids, by type name. */
const A: Record<string, string> = {};
const B: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({
    // Pages of 100 cost hundreds of points each; this file is not about the rate limit.
    rateLimit: { ...defaults.rateLimit, bucketSize: 100_000, restoreRate: 1000 },
    dispatcher: { ...defaults.dispatcher, inProcess: false },
  });
  [a, b] = [await t.createTenant(), await t.createTenant()];
  bToken = await t.createToken(b, ['*']);
  const ofA = { t, tenant: a };
  A.Status = await statusFixture(ofA);
  A.Source = await sourceFixture(ofA);
  A.Group = await groupFixture(ofA);
  A.Contact = await contactFixture(ofA);
  A.Template = (await templateFixture(ofA)).id;
  A.MessageBot = await messageBotFixture(ofA);
  A.TemplateBot = await templateBotFixture(ofA);
  A.Message = await messageFixture(ofA);
  await t.database.db
    .insertInto('contact_groups')
    .values({
      tenant_id: a.tenant.id,
      group_id: decodeId(A.Group).id,
      contact_id: decodeId(A.Contact).id,
    })
    .execute();
  B.Group = await groupFixture({ t, tenant: b });
  B.Contact = await contactFixture({ t, tenant: b });
  await templateFixture({ t, tenant: b });
});
afterAll(() => t.stop());

const asB = (method: string, path: string, options?: RestCallOptions) =>
  restCall(t.url, b.subdomain, bToken, method, path, options);

/** A well-formed id of `typename` that names nothing anywhere. */
const missing = (typename: string) => encodeId(typename, randomUUID());

const byId: [string, string, string, RestCallOptions?][] = [
  ['GET', '/contacts/{id}', 'Contact'],
  ['PUT', '/contacts/{id}', 'Contact', { body: { first_name: 'Mallory' } }],
  ['PATCH', '/contacts/{id}', 'Contact', { body: { company: 'Evil Corp' } }],
  ['DELETE', '/contacts/{id}', 'Contact'],
  ['GET', '/statuses/{id}', 'Status'],
  ['PUT', '/statuses/{id}', 'Status', { body: { name: 'Mallory' } }],
  ['PATCH', '/statuses/{id}', 'Status', { body: { color: '#000000' } }],
  ['DELETE', '/statuses/{id}', 'Status'],
  ['GET', '/sources/{id}', 'Source'],
  ['PUT', '/sources/{id}', 'Source', { body: { name: 'Mallory' } }],
  ['PATCH', '/sources/{id}', 'Source', { body: { name: 'Mallory' } }],
  ['DELETE', '/sources/{id}', 'Source'],
  ['GET', '/groups/{id}', 'Group'],
  ['PUT', '/groups/{id}', 'Group', { body: { name: 'Mallory' } }],
  ['PATCH', '/groups/{id}', 'Group', { body: { description: 'pwned' } }],
  ['DELETE', '/groups/{id}', 'Group'],
  ['GET', '/templates/{id}', 'Template'],
  ['GET', '/message-bots/{id}', 'MessageBot'],
  ['GET', '/template-bots/{id}', 'TemplateBot'],
  ['GET', '/messages/{id}', 'Message'],
];

describe.each(byId)("%s %s with tenant A's id", (method, path, typename, options) => {
  it('is 404 NOT_FOUND, like a missing id, and changes nothing of A', async () => {
    const before = await snapshotTenant({ t, tenant: a });
    const theirs = await asB(method, path.replace('{id}', A[typename]!), options);
    expectRestError(theirs, 404, 'NOT_FOUND');
    expect(await snapshotTenant({ t, tenant: a })).toEqual(before);

    const none = missing(typename);
    const absent = await asB(method, path.replace('{id}', none), options);
    expectRestError(absent, 404, 'NOT_FOUND');
    expect(theirs.body.message.replaceAll(A[typename]!, '<id>')).toBe(
      absent.body.message.replaceAll(none, '<id>'),
    );
  });
});

describe("tenant B's writes naming A's rows", () => {
  const cases: [string, string, () => string, () => unknown][] = [
    [
      'their contact into my group',
      'POST',
      () => `/groups/${B.Group}/contacts`,
      () => ({ contact_ids: [A.Contact] }),
    ],
    [
      'my contact into their group',
      'POST',
      () => `/groups/${A.Group}/contacts`,
      () => ({ contact_ids: [B.Contact] }),
    ],
    [
      'their contact out of their group',
      'DELETE',
      () => `/groups/${A.Group}/contacts`,
      () => ({ contact_ids: [A.Contact] }),
    ],
    [
      'their contact out of my group',
      'DELETE',
      () => `/groups/${B.Group}/contacts`,
      () => ({ contact_ids: [A.Contact] }),
    ],
    [
      'a contact with their status',
      'POST',
      () => '/contacts',
      () => ({ first_name: 'M', phone: testPhone(), status_id: A.Status }),
    ],
    [
      'a contact with their source',
      'POST',
      () => '/contacts',
      () => ({ first_name: 'M', phone: testPhone(), source_id: A.Source }),
    ],
    [
      'a contact in their group',
      'POST',
      () => '/contacts',
      () => ({ first_name: 'M', phone: testPhone(), group_ids: [A.Group] }),
    ],
    [
      'my contact moved to their status',
      'PATCH',
      () => `/contacts/${B.Contact}`,
      () => ({ status_id: A.Status }),
    ],
    [
      'a text to their contact',
      'POST',
      () => '/messages/text',
      () => ({ contact_id: A.Contact, message: 'Hi' }),
    ],
    [
      'media to their contact',
      'POST',
      () => '/messages/media',
      () => ({
        contact_id: A.Contact,
        media_type: 'image',
        media_url: 'https://example.com/a.png',
      }),
    ],
    [
      'a template to their contact',
      'POST',
      () => '/messages/template',
      () => ({
        contact_id: A.Contact,
        template_name: 'order_confirmation',
        template_language: 'en_US',
        body_parameters: ['Maria', '#1042', '$59.90'],
        button_parameters: ['1042'],
      }),
    ],
  ];

  it.each(cases)(
    '%s: 404 NOT_FOUND, and neither tenant changes',
    async (_name, method, path, body) => {
      const [beforeA, beforeB] = await Promise.all([
        snapshotTenant({ t, tenant: a }),
        snapshotTenant({ t, tenant: b }),
      ]);
      expectRestError(await asB(method, path(), { body: body() }), 404, 'NOT_FOUND');
      expect(await snapshotTenant({ t, tenant: a })).toEqual(beforeA);
      expect(await snapshotTenant({ t, tenant: b })).toEqual(beforeB);
    },
  );
});

describe("tenant B's lists", () => {
  it.each(['/contacts', '/statuses', '/sources', '/groups', '/message-bots', '/template-bots'])(
    '%s holds none of A’s rows',
    async (path) => {
      const res = await asB('GET', path, { query: { per_page: 100 } });
      expect(res.status, res.text).toBe(200);
      const ids = res.body.data.map((row: { id: string }) => row.id);
      for (const id of Object.values(A)) expect(ids).not.toContain(id);
    },
  );

  it.each([
    ['status_id', 'Status'],
    ['source_id', 'Source'],
    ['group_id', 'Group'],
  ])('/contacts filtered by A’s %s matches nothing', async (filter, typename) => {
    const res = await asB('GET', '/contacts', { query: { [filter]: A[typename]! } });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      data: [],
      meta: { current_page: 1, per_page: 20, total: 0, last_page: 1 },
    });
  });
});

describe("a token of tenant B at tenant A's path", () => {
  it.each([
    ['GET', '/contacts'],
    ['GET', '/contacts/{id}'],
    ['DELETE', '/contacts/{id}'],
    ['POST', '/messages/text'],
  ])('%s %s is 401 UNAUTHENTICATED, and A changes not', async (method, path) => {
    const before = await snapshotTenant({ t, tenant: a });
    const res = await restCall(
      t.url,
      a.subdomain,
      bToken,
      method,
      path.replace('{id}', A.Contact!),
      method === 'POST' ? { body: { phone_number: '+442079460958', message: 'Hi' } } : {},
    );
    expectRestError(res, 401, 'UNAUTHENTICATED');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await snapshotTenant({ t, tenant: a })).toEqual(before);
  });
});
