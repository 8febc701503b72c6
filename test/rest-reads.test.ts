import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/ids.js';
import { createMessageBot } from '../src/message-bots/repo.js';
import { SANDBOX_TEMPLATES } from '../src/templates/sandbox.js';
import { expectRestError, restCall } from './helpers/rest-call.js';
import { startTestApp, uniqueName, type TestApp, type TestTenant } from './helpers/test-app.js';
import { messageBotFixture, templateBotFixture } from './operations/bots.js';
import { templateFixture } from './operations/templates.js';

/**
 * The read-only REST routes (API.md "The REST face"): templates, message bots and template bots,
 * each a page of `{ data, meta }` with GraphQL's filters in snake_case, and one object by its
 * GraphQL id; 404 for an id naming nothing in the tenant (another tenant's included), 422 for an
 * id of another type, as GraphQL answers.
 */
let t: TestApp;
let tenant: TestTenant;
let other: TestTenant;
let reader: string;

const get = (path: string, query?: Record<string, string | number>, secret = reader) =>
  restCall(t.url, tenant.subdomain, secret, 'GET', path, { query });
const adminGraphQL = async (query: string, variables: Record<string, unknown> = {}) => {
  const res = await t.gql(tenant.subdomain, tenant.adminKey, query, variables);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
};

beforeAll(async () => {
  // Many list reads of up to 100 items with one token: not what is tested here, so not throttled.
  t = await startTestApp({
    rateLimit: { bucketSize: 1_000_000, restoreRate: 1_000_000, sendsPerSecond: 1_000_000 },
  });
  [tenant, other] = await Promise.all([t.createTenant(), t.createTenant()]);
  reader = await t.createToken(tenant, [
    'templates.read',
    'message_bots.read',
    'template_bots.read',
  ]);
  await adminGraphQL('mutation { syncTemplates { created } }');
});
afterAll(() => t.stop());

describe('GET /templates', () => {
  const total = SANDBOX_TEMPLATES.length;

  it('pages the templates by name with Laravel’s meta, the same ids as GraphQL', async () => {
    const all = await adminGraphQL(`
      {
        templates(first: 100) {
          edges {
            node {
              id
              name
            }
          }
        }
      }
    `);
    const ids = all.templates.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toHaveLength(total);

    const first = await get('/templates', { per_page: 3 });
    expect(first.status).toBe(200);
    expect(first.body.meta).toEqual({
      current_page: 1,
      per_page: 3,
      total,
      last_page: Math.ceil(total / 3),
    });
    expect(first.body.data.map((x: { id: string }) => x.id)).toEqual(ids.slice(0, 3));

    const last = await get('/templates', { per_page: 3, page: Math.ceil(total / 3) });
    expect(last.body.data.map((x: { id: string }) => x.id)).toEqual(
      ids.slice(3 * (Math.ceil(total / 3) - 1)),
    );
    const beyond = await get('/templates', { per_page: 3, page: 99 });
    expect(beyond.status).toBe(200);
    expect(beyond.body).toEqual({
      data: [],
      meta: { current_page: 99, per_page: 3, total, last_page: Math.ceil(total / 3) },
    });

    const defaults = await get('/templates');
    expect(defaults.body.meta).toMatchObject({ current_page: 1, per_page: 20, last_page: 1 });
    expect(defaults.body.data).toHaveLength(total);
  });

  it('filters as GraphQL’s TemplateFilter does, enums in either case', async () => {
    const approved = SANDBOX_TEMPLATES.filter((x) => x.status === 'APPROVED').length;
    expect(approved).toBeLessThan(total);
    for (const status of ['approved', 'APPROVED']) {
      const res = await get('/templates', { status });
      expect(res.body.meta.total).toBe(approved);
      expect(res.body.data.every((x: { status: string }) => x.status === 'APPROVED')).toBe(true);
    }
    const spanish = await get('/templates', { language: 'es' });
    expect(spanish.body.data.map((x: { name: string }) => x.name)).toEqual(['welcome_message']);
    const search = await get('/templates', { search: 'ORDER_conf', category: 'utility' });
    expect(search.body.data.map((x: { name: string }) => x.name)).toEqual(['order_confirmation']);
    const auth = await get('/templates', { category: 'AUTHENTICATION' });
    expect(auth.body.data.map((x: { category: string }) => x.category)).toEqual(
      SANDBOX_TEMPLATES.filter((x) => x.category === 'AUTHENTICATION').map(() => 'AUTHENTICATION'),
    );
  });

  it('refuses a filter or page outside its values with 422 naming the parameter', async () => {
    const status = await get('/templates', { status: 'SHINY' });
    expectRestError(status, 422, 'BAD_USER_INPUT');
    expect(Object.keys(status.body.errors)).toEqual(['status']);
    const removed = await get('/templates', { include_removed: 'maybe' });
    expectRestError(removed, 422, 'BAD_USER_INPUT');
    expect(Object.keys(removed.body.errors)).toEqual(['include_removed']);
    const perPage = await get('/templates', { per_page: 101 });
    expectRestError(perPage, 422, 'BAD_USER_INPUT');
    expect(Object.keys(perPage.body.errors)).toEqual(['per_page']);
  });
});

describe('GET /templates/{id}', () => {
  it('answers the template in snake_case, with what a send must give', async () => {
    const { id } = await templateFixture({ t, tenant }, 'order_confirmation');
    const res = await get(`/templates/${id}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id,
      name: 'order_confirmation',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      header: { format: 'TEXT', text: 'Order confirmed' },
      header_parameter: null,
      body_parameter_count: 3,
      footer_text: 'Reply STOP to unsubscribe',
      buttons: [
        {
          index: 0,
          type: 'URL',
          text: 'Track order',
          url: 'https://shop.example.com/orders/{{1}}',
          phone_number: null,
          otp_type: null,
          parameter_count: 1,
        },
      ],
      meta_id: '900000000000001',
      rejected_reason: null,
      removed_at: null,
    });
    expect(new Date(res.body.data.synced_at).toISOString()).toBe(res.body.data.synced_at);
    // The REST id is the GraphQL id: it works in node(id:).
    const node = await adminGraphQL(
      'query($id: ID!) { node(id: $id) { ... on Template { name } } }',
      {
        id,
      },
    );
    expect(node.node.name).toBe('order_confirmation');
  });

  it('is 404 for a missing template and for another tenant’s, 422 for an id of another type', async () => {
    const missing = await get(`/templates/${encodeId('Template', randomUUID())}`);
    expectRestError(missing, 404, 'NOT_FOUND');
    const theirs = await templateFixture({ t, tenant: other }, 'order_confirmation');
    expectRestError(await get(`/templates/${theirs.id}`), 404, 'NOT_FOUND');
    const wrongType = await get(`/templates/${await messageBotFixture({ t, tenant })}`);
    expectRestError(wrongType, 422, 'BAD_USER_INPUT');
    expect(Object.keys(wrongType.body.errors)).toEqual(['id']);
  });
});

describe('message bots', () => {
  it('lists the bots by name with meta and GraphQL’s BotFilter, and gets one', async () => {
    const prefix = uniqueName('mb');
    const made = [];
    for (const [i, extra] of [
      { triggerType: 'EXACT_MATCH', keywords: ['hours'], active: true },
      { triggerType: 'CONTAINS', keywords: ['price'], active: false },
      { triggerType: 'CONTAINS', keywords: ['refund'], active: true },
    ].entries()) {
      made.push(
        await createMessageBot(t.database.db, tenant.tenant.id, {
          name: `${prefix}-${i}`,
          replyType: 'MEDIA',
          content: {
            text: 'See attached',
            media: { type: 'DOCUMENT', url: 'https://example.com/p.pdf', filename: 'p.pdf' },
          },
          ...extra,
        }),
      );
    }
    const ids = made.map((bot) => encodeId('MessageBot', bot.id));

    const page2 = await get('/message-bots', { search: prefix, per_page: 2, page: 2 });
    expect(page2.status).toBe(200);
    expect(page2.body.meta).toEqual({ current_page: 2, per_page: 2, total: 3, last_page: 2 });
    expect(page2.body.data.map((x: { id: string }) => x.id)).toEqual([ids[2]]);

    const contains = await get('/message-bots', { search: prefix, trigger_type: 'contains' });
    expect(contains.body.data.map((x: { id: string }) => x.id)).toEqual([ids[1], ids[2]]);
    const inactive = await get('/message-bots', { search: prefix, active: 'false' });
    expect(inactive.body.data.map((x: { id: string }) => x.id)).toEqual([ids[1]]);

    const one = await get(`/message-bots/${ids[0]}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual({
      id: ids[0],
      name: `${prefix}-0`,
      trigger_type: 'EXACT_MATCH',
      keywords: ['hours'],
      reply_type: 'MEDIA',
      text: 'See attached',
      header: null,
      footer: null,
      media: { type: 'DOCUMENT', url: 'https://example.com/p.pdf', filename: 'p.pdf' },
      buttons: [],
      cta_button: null,
      active: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
  });

  it('is 404 for a missing bot and another tenant’s, 422 for a template bot’s id', async () => {
    expectRestError(
      await get(`/message-bots/${encodeId('MessageBot', randomUUID())}`),
      404,
      'NOT_FOUND',
    );
    const theirs = await messageBotFixture({ t, tenant: other });
    expectRestError(await get(`/message-bots/${theirs}`), 404, 'NOT_FOUND');
    const wrongType = await get(`/message-bots/${await templateBotFixture({ t, tenant })}`);
    expectRestError(wrongType, 422, 'BAD_USER_INPUT');
    expect(Object.keys(wrongType.body.errors)).toEqual(['id']);
  });
});

describe('template bots', () => {
  it('lists and gets a template bot with its template as template_id', async () => {
    const id = await templateBotFixture({ t, tenant });
    const { id: templateId } = await templateFixture({ t, tenant }, 'feedback_survey');
    const expected = {
      id,
      name: expect.any(String),
      trigger_type: 'FIRST_MESSAGE',
      keywords: [],
      template_id: templateId,
      header_parameter: null,
      header_media_url: 'https://example.com/v.mp4',
      body_parameters: [],
      button_parameters: [],
      active: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    };
    const one = await get(`/template-bots/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toEqual(expected);

    const list = await get('/template-bots', { trigger_type: 'FIRST_MESSAGE' });
    expect(list.status).toBe(200);
    expect(list.body.meta.total).toBe(list.body.data.length);
    expect(list.body.data).toContainEqual(expected);
  });

  it('leaves template_id out for a token without templates.read, as GraphQL refuses it', async () => {
    const id = await templateBotFixture({ t, tenant });
    const botsOnly = await t.createToken(tenant, ['template_bots.read']);
    const one = await get(`/template-bots/${id}`, undefined, botsOnly);
    expect(one.status).toBe(200);
    expect(one.body.data.id).toBe(id);
    expect(one.body.data).not.toHaveProperty('template_id');
    const list = await get('/template-bots', undefined, botsOnly);
    expect(list.status).toBe(200);
    expect(list.body.data.length).toBeGreaterThan(0);
    for (const bot of list.body.data) expect(bot).not.toHaveProperty('template_id');
  });

  it('is 404 for a missing bot and another tenant’s', async () => {
    expectRestError(
      await get(`/template-bots/${encodeId('TemplateBot', randomUUID())}`),
      404,
      'NOT_FOUND',
    );
    const theirs = await templateBotFixture({ t, tenant: other });
    expectRestError(await get(`/template-bots/${theirs}`), 404, 'NOT_FOUND');
  });
});
