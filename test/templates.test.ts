import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countPlaceholders } from '../src/templates/components.js';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { FakeCloudApi, metaError } from './helpers/fake-cloud-api.js';

const WABA = '102290129340398';
const TOKEN = `EAAG${randomBytes(24).toString('hex')}Zx9Q`;
const SYNC = 'mutation { syncTemplates { source created updated unchanged removed total } }';
const SET = `mutation($input: SetWhatsAppConnectionInput!) {
  setWhatsAppConnection(input: $input) {
    whatsAppConnection { connected mode phoneNumberId wabaId accessTokenHint }
  }
}`;
const LIST = `query($filter: TemplateFilter, $first: Int) {
  templates(filter: $filter, first: $first) { totalCount edges { node { id name status removedAt } } }
}`;

let fake: FakeCloudApi;
let cloud: TestApp;
let sandbox: TestApp;
let tenant: TestTenant;
let reader: string;
/** Every response body seen, to prove the access token never comes back. */
const seen: string[] = [];

async function gql(app: TestApp, who: TestTenant, secret: string, query: string, variables = {}) {
  const res = await app.gql(who.subdomain, secret, query, variables);
  seen.push(JSON.stringify(res.body));
  return res;
}

const metaTemplate = (i: number, overrides: Record<string, unknown> = {}) => ({
  id: String(7_000_000 + i),
  name: `promo_${String(i).padStart(3, '0')}`,
  language: 'en_US',
  status: 'APPROVED',
  category: 'MARKETING',
  components: [{ type: 'BODY', text: `Offer ${i} for {{1}}`.repeat(1 + (i % 2)) }],
  ...overrides,
});

beforeAll(async () => {
  fake = new FakeCloudApi();
  const graphUrl = await fake.start();
  const whatsapp = {
    mode: 'cloud' as const,
    graphUrl,
    appSecret: undefined,
    verifyToken: undefined,
  };
  cloud = await startTestApp({ whatsapp, encryptionKey: randomBytes(32) });
  sandbox = await startTestApp({ encryptionKey: randomBytes(32) });
  tenant = await cloud.createTenant();
  reader = await cloud.createToken(tenant, ['templates.read']);
  fake.accessTokens.add(TOKEN);
  fake.templates.set(
    WABA,
    Array.from({ length: 60 }, (_, i) => metaTemplate(i)),
  );
  const set = await gql(cloud, tenant, tenant.adminKey, SET, {
    input: { phoneNumberId: '109876543210987', wabaId: WABA, accessToken: TOKEN },
  });
  expect(set.body.errors).toBeUndefined();
});
afterAll(async () => {
  await Promise.all([cloud?.stop(), sandbox?.stop(), fake?.stop()]);
});

describe('syncTemplates in cloud mode', () => {
  it('reads every page of the account with the Bearer token', async () => {
    fake.requests.length = 0;
    const res = await gql(cloud, tenant, tenant.adminKey, SYNC);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.syncTemplates).toEqual({
      source: 'CLOUD',
      created: 60,
      updated: 0,
      unchanged: 0,
      removed: 0,
      total: 60,
    });
    const calls = fake.requests.filter((r) => r.path === `/v21.0/${WABA}/message_templates`);
    expect(calls).toHaveLength(3); // 25 + 25 + 10
    expect(calls.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(calls[0]!.query.get('after')).toBeNull();
    expect(calls[1]!.query.get('after')).toBeTruthy();
    expect(calls[0]!.query.get('fields')).toContain('components');
    const list = await gql(cloud, tenant, reader, LIST, { first: 100 });
    expect(list.body.data?.templates.totalCount).toBe(60);
  });

  it('updates what changed, flags what Meta no longer lists, adds what is new', async () => {
    const listed = fake.templates.get(WABA)!;
    listed[0] = { ...listed[0]!, status: 'PAUSED' };
    const [removed] = listed.splice(1, 1);
    listed.push(metaTemplate(99));
    const res = await gql(cloud, tenant, tenant.adminKey, SYNC);
    expect(res.body.data?.syncTemplates).toEqual({
      source: 'CLOUD',
      created: 1,
      updated: 1,
      unchanged: 58,
      removed: 1,
      total: 60,
    });
    const all = await gql(cloud, tenant, reader, LIST, { first: 100 });
    const names = all.body.data?.templates.edges.map((e: any) => e.node.name);
    expect(names).not.toContain(removed!.name);
    expect(names).toContain('promo_099');
    expect(all.body.data?.templates.edges[0].node).toMatchObject({
      name: 'promo_000',
      status: 'PAUSED',
    });
    const withRemoved = await gql(cloud, tenant, reader, LIST, {
      first: 100,
      filter: { includeRemoved: true, search: removed!.name },
    });
    expect(withRemoved.body.data?.templates.edges).toEqual([
      { node: expect.objectContaining({ name: removed!.name, removedAt: expect.any(String) }) },
    ]);
    const again = await gql(cloud, tenant, tenant.adminKey, SYNC);
    expect(again.body.data?.syncTemplates).toMatchObject({ created: 0, updated: 0, removed: 0 });
  });

  it('turns Meta errors into WHATSAPP_ERROR, never a 500, and changes nothing', async () => {
    fake.failNext(
      /message_templates$/,
      metaError(500, {
        message: 'An unexpected error has occurred. Please retry your request later.',
        type: 'OAuthException',
        code: 2,
      }),
    );
    const res = await gql(cloud, tenant, tenant.adminKey, SYNC);
    expect(res.status).toBe(200);
    expect(codes(res)).toEqual(['WHATSAPP_ERROR']);
    expect(res.body.errors?.[0]?.message).toMatch(/unexpected error has occurred/);
    expect(res.body.errors?.[0]?.extensions?.whatsapp).toMatchObject({ httpStatus: 500, code: 2 });
    const list = await gql(cloud, tenant, reader, LIST, { first: 1 });
    expect(list.body.data?.templates.totalCount).toBe(60);

    const wrong = await cloud.createTenant();
    await gql(cloud, wrong, wrong.adminKey, SET, {
      input: { phoneNumberId: '100000000000001', wabaId: WABA, accessToken: `EAAGwrong${TOKEN}` },
    });
    const refused = await gql(cloud, wrong, wrong.adminKey, SYNC);
    expect(codes(refused)).toEqual(['WHATSAPP_ERROR']);
    expect(refused.body.errors?.[0]?.message).toMatch(/Invalid OAuth access token/);
    expect(refused.body.errors?.[0]?.extensions?.whatsapp).toMatchObject({
      code: 190,
      type: 'OAuthException',
    });
  });
});

describe('templates', () => {
  let owner: TestTenant;
  let secret: string;
  beforeAll(async () => {
    owner = await sandbox.createTenant();
    secret = await sandbox.createToken(owner, ['templates.read']);
  });

  it('sandbox sync loads the built-in set without a connection, once', async () => {
    const first = await gql(sandbox, owner, owner.adminKey, SYNC);
    expect(first.body.data?.syncTemplates).toEqual({
      source: 'SANDBOX',
      created: 8,
      updated: 0,
      unchanged: 0,
      removed: 0,
      total: 8,
    });
    const second = await gql(sandbox, owner, owner.adminKey, SYNC);
    expect(second.body.data?.syncTemplates).toMatchObject({ created: 0, unchanged: 8 });
  });

  it.each([
    [
      { status: 'APPROVED' },
      ['login_code', 'order_confirmation', 'shipping_update', 'summer_sale', 'welcome_message'],
    ],
    [{ status: 'PENDING' }, ['appointment_reminder']],
    [{ status: 'REJECTED' }, ['flash_coupon']],
    [{ category: 'AUTHENTICATION' }, ['login_code']],
    [{ language: 'es' }, ['welcome_message']],
    [{ search: 'SHIP' }, ['order_confirmation', 'shipping_update']],
    [{ search: '%' }, ['flash_coupon']],
    [{ category: 'UTILITY', status: 'APPROVED' }, ['order_confirmation', 'shipping_update']],
  ])('filters %j', async (filter, names) => {
    const res = await gql(sandbox, owner, secret, LIST, { filter });
    expect(res.body.data?.templates.edges.map((e: any) => e.node.name)).toEqual(names);
    expect(res.body.data?.templates.totalCount).toBe(names.length);
  });

  it('derives header, body and button parameters from the components', async () => {
    const res = await gql(
      sandbox,
      owner,
      secret,
      `{ templates(first: 20) { edges { node {
      name category rejectedReason bodyText footerText bodyParameterCount
      header { format text } headerParameter { kind count }
      buttons { index type otpType url phoneNumber parameterCount } } } } }`,
    );
    const byName = Object.fromEntries(
      res.body.data!.templates.edges.map((e: any) => [e.node.name, e.node]),
    );
    expect(byName.order_confirmation).toMatchObject({
      bodyParameterCount: 3,
      header: { format: 'TEXT', text: 'Order confirmed' },
      headerParameter: null,
      footerText: 'Reply STOP to unsubscribe',
      buttons: [
        { index: 0, type: 'URL', url: 'https://shop.example.com/orders/{{1}}', parameterCount: 1 },
      ],
    });
    expect(byName.shipping_update).toMatchObject({
      bodyParameterCount: 3,
      header: { format: 'DOCUMENT', text: null },
      headerParameter: { kind: 'MEDIA', count: 1 },
      buttons: [{ type: 'PHONE_NUMBER', phoneNumber: '+15550100200', parameterCount: 0 }],
    });
    expect(byName.summer_sale.buttons.map((b: any) => [b.type, b.parameterCount])).toEqual([
      ['QUICK_REPLY', 0],
      ['QUICK_REPLY', 0],
      ['URL', 0],
    ]);
    expect(byName.summer_sale.headerParameter).toEqual({ kind: 'MEDIA', count: 1 });
    expect(byName.login_code).toMatchObject({
      category: 'AUTHENTICATION',
      bodyParameterCount: 1,
      header: null,
      buttons: [{ type: 'OTP', otpType: 'COPY_CODE', parameterCount: 1 }],
    });
    expect(byName.welcome_message.headerParameter).toEqual({ kind: 'TEXT', count: 1 });
    expect(byName.appointment_reminder.headerParameter).toEqual({ kind: 'LOCATION', count: 1 });
    expect(byName.flash_coupon).toMatchObject({
      rejectedReason: 'PROMOTIONAL',
      buttons: [{ type: 'COPY_CODE', parameterCount: 1 }],
    });
    expect(byName.feedback_survey).toMatchObject({
      bodyParameterCount: 0,
      header: { format: 'VIDEO' },
    });
  });

  it('counts positional and named placeholders', () => {
    expect(countPlaceholders('Hi {{1}}, order {{2}} for {{1}}')).toBe(2);
    expect(countPlaceholders('Hi {{ first_name }}, {{order}} and {{order}}')).toBe(2);
    expect(countPlaceholders('No parameters, {not one}')).toBe(0);
  });

  it("never shows one tenant's templates to another", async () => {
    const list = await gql(sandbox, owner, secret, LIST, { filter: { search: 'login' } });
    const id = list.body.data!.templates.edges[0].node.id;
    const other = await sandbox.createTenant();
    const otherToken = await sandbox.createToken(other, ['*']);
    const node = await gql(sandbox, other, otherToken, 'query($id: ID!) { node(id: $id) { id } }', {
      id,
    });
    expect(node.body).toEqual({ data: { node: null } });
    const byId = await gql(
      sandbox,
      other,
      otherToken,
      'query($id: ID!) { template(id: $id) { id } }',
      { id },
    );
    expect(codes(byId)).toEqual(['NOT_FOUND']);
    expect(byId.body.data).toEqual({ template: null });
    const mine = await gql(sandbox, other, otherToken, LIST);
    expect(mine.body.data?.templates.totalCount).toBe(0);
  });
});

describe('the access token', () => {
  it('reaches Meta as the Bearer token, and no API response nor the database in plaintext', async () => {
    expect(fake.requests.some((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(seen.length).toBeGreaterThan(10);
    const secretPart = TOKEN.slice(4, -4);
    for (const body of seen) expect(body).not.toContain(secretPart);
    const dump = await sql<{ row: string }>`
      SELECT row_to_json(w)::text AS row FROM whatsapp_connections w`.execute(cloud.database.db);
    expect(dump.rows.length).toBeGreaterThan(0);
    for (const { row } of dump.rows) expect(row).not.toContain(secretPart);
  });
});
