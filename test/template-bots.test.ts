import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

const CREATE_TB = `mutation($input: CreateTemplateBotInput!) { createTemplateBot(input: $input) {
  templateBot { id name keywords headerMediaUrl active
    bodyParameters { contactField value } buttonParameters { value } } } }`;
const UPDATE_TB = `mutation($input: UpdateTemplateBotInput!) { updateTemplateBot(input: $input) {
  templateBot { id name headerMediaUrl bodyParameters { value } template { name } } } }`;
const LIST_TB = `query($first: Int) { templateBots(first: $first) { edges { node {
  id name template { name bodyParameterCount } } } } }`;
const NODE = 'query($id: ID!) { node(id: $id) { id ... on TemplateBot { name } } }';

let t: TestApp;
let tenant: TestTenant;
const templates: Record<string, string> = {};

const admin = (query: string, variables: Record<string, unknown> = {}) =>
  t.gql(tenant.subdomain, tenant.adminKey, query, variables);
const orderBot = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  triggerType: 'CONTAINS',
  keywords: ['order'],
  templateId: templates.order_confirmation,
  bodyParameters: [{ contactField: 'FIRST_NAME' }, { value: '#1042' }, { value: '$59.90' }],
  buttonParameters: [{ value: '1042' }],
  ...extra,
});

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
  expect((await admin('mutation { syncTemplates { created } }')).body.errors).toBeUndefined();
  const list = await admin('{ templates(first: 20) { edges { node { id name } } } }');
  for (const { node } of list.body.data!.templates.edges) templates[node.name] = node.id;
});
afterAll(() => t.stop());

describe('template bots', () => {
  it('the admin creates one; template_bots.read reads it, its template needs templates.read', async () => {
    const res = await admin(CREATE_TB, { input: orderBot('Order status') });
    expect(res.body.errors).toBeUndefined();
    const bot = res.body.data!.createTemplateBot.templateBot;
    expect(bot).toMatchObject({
      keywords: ['order'],
      active: true,
      bodyParameters: [
        { contactField: 'FIRST_NAME', value: null },
        { contactField: null, value: '#1042' },
        { contactField: null, value: '$59.90' },
      ],
      buttonParameters: [{ value: '1042' }],
    });
    const both = await t.createToken(tenant, ['template_bots.read', 'templates.read']);
    const full = await t.gql(tenant.subdomain, both, LIST_TB);
    expect(full.body.errors).toBeUndefined();
    expect(full.body.data?.templateBots.edges[0].node.template).toEqual({
      name: 'order_confirmation',
      bodyParameterCount: 3,
    });
    const only = await t.createToken(tenant, ['template_bots.read']);
    const partial = await t.gql(tenant.subdomain, only, LIST_TB);
    expect(partial.body.data?.templateBots.edges[0].node).toEqual({
      id: bot.id,
      name: 'Order status',
      template: null,
    });
    expect(codes(partial)).toEqual(['FORBIDDEN']);
    expect(partial.body.errors?.[0]?.path).toEqual([
      'templateBots',
      'edges',
      0,
      'node',
      'template',
    ]);
    expect(partial.body.errors?.[0]?.message).toContain('"templates.read"');
  });

  it.each([
    ['too few body parameters', { bodyParameters: [{ value: 'a' }] }, 'bodyParameters'],
    [
      'too many body parameters',
      { bodyParameters: Array(4).fill({ value: 'a' }) },
      'bodyParameters',
    ],
    ['a missing button parameter', { buttonParameters: [] }, 'buttonParameters'],
    [
      'a parameter with both a field and a value',
      { bodyParameters: [{ contactField: 'EMAIL', value: 'x' }, { value: 'b' }, { value: 'c' }] },
      'bodyParameters.0',
    ],
    [
      'a media link for a text-header template',
      { headerMediaUrl: 'https://example.com/a.png' },
      'headerMediaUrl',
    ],
    ['a malformed template id', { templateId: 'nope' }, 'templateId'],
  ])('refuses %s with BAD_USER_INPUT on %s', async (_what, extra, field) => {
    const res = await admin(CREATE_TB, { input: orderBot('Invalid', extra) });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
  });

  it.each([
    ['shipping_update', { headerMediaUrl: 'not a url' }, 'headerMediaUrl'],
    ['shipping_update', {}, 'headerMediaUrl'],
    ['welcome_message', {}, 'headerParameter'],
    ['appointment_reminder', {}, 'templateId'],
  ])('refuses a mapping that does not fit %s (%j) on %s', async (name, extra, field) => {
    const bodyParameters = Array(name === 'welcome_message' ? 2 : 3).fill({ value: 'v' });
    const input = orderBot('Invalid', {
      templateId: templates[name],
      bodyParameters,
      buttonParameters: [],
      ...extra,
    });
    const res = await admin(CREATE_TB, { input });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
  });

  it('an unknown template id is NOT_FOUND', async () => {
    const templateId = Buffer.from('Template:00000000-0000-4000-8000-000000000000').toString(
      'base64url',
    );
    expect(codes(await admin(CREATE_TB, { input: orderBot('Invalid', { templateId }) }))).toEqual([
      'NOT_FOUND',
    ]);
  });

  it('updates the template and its mapping together, keeps the mapping otherwise, deletes', async () => {
    const { id } = (await admin(CREATE_TB, { input: orderBot('Survey') })).body.data!
      .createTemplateBot.templateBot;
    const kept = await admin(UPDATE_TB, { input: { id, name: 'Survey bot' } });
    expect(kept.body.data?.updateTemplateBot.templateBot.bodyParameters).toHaveLength(3);
    const misfit = await admin(UPDATE_TB, { input: { id, templateId: templates.feedback_survey } });
    expect(misfit.body.errors?.[0]?.extensions?.field).toBe('bodyParameters');
    const moved = await admin(UPDATE_TB, {
      input: {
        id,
        templateId: templates.feedback_survey,
        bodyParameters: [],
        buttonParameters: [],
        headerMediaUrl: 'https://example.com/v.mp4',
      },
    });
    expect(moved.body.data?.updateTemplateBot.templateBot).toMatchObject({
      name: 'Survey bot',
      headerMediaUrl: 'https://example.com/v.mp4',
      template: { name: 'feedback_survey' },
    });
    const deleted = await admin(
      'mutation($id: ID!) { deleteTemplateBot(input: { id: $id }) { deletedTemplateBotId } }',
      { id },
    );
    expect(deleted.body.data?.deleteTemplateBot.deletedTemplateBotId).toBe(id);
    expect((await admin(NODE, { id })).body.data).toEqual({ node: null });
  });

  it('loads the templates of a page of bots in one query', async () => {
    for (let i = 0; i < 5; i += 1) await admin(CREATE_TB, { input: orderBot(`Batch ${i}`) });
    await admin(LIST_TB, { first: 1 });
    const statements = async (first: number) => {
      const before = t.database.statementCount();
      const res = await admin(LIST_TB, { first });
      expect(res.body.data?.templateBots.edges).toHaveLength(first);
      return t.database.statementCount() - before;
    };
    expect(await statements(6)).toBe(await statements(1));
  });
});

describe('tenant isolation', () => {
  it("another tenant never reaches this tenant's template bots, nor its templates", async () => {
    const tb = (await admin(CREATE_TB, { input: orderBot('Private') })).body.data!.createTemplateBot
      .templateBot;
    const other = await t.createTenant();
    const token = await t.createToken(other, ['*']);
    for (const id of [tb.id, templates.order_confirmation]) {
      expect((await t.gql(other.subdomain, token, NODE, { id })).body).toEqual({
        data: { node: null },
      });
    }
    const lists = await t.gql(
      other.subdomain,
      token,
      '{ templates { totalCount } templateBots { totalCount } }',
    );
    expect(lists.body.data).toEqual({
      templates: { totalCount: 0 },
      templateBots: { totalCount: 0 },
    });
    const as = (query: string, variables: Record<string, unknown>) =>
      t.gql(other.subdomain, other.adminKey, query, variables);
    expect(codes(await as(UPDATE_TB, { input: { id: tb.id, name: 'stolen' } }))).toEqual([
      'NOT_FOUND',
    ]);
    expect(codes(await as(CREATE_TB, { input: orderBot('Theft') }))).toEqual(['NOT_FOUND']);
  });

  it("the database refuses a template bot pointing at another tenant's template", async () => {
    const other = await t.createTenant();
    const [template] = await t.database.db
      .selectFrom('templates')
      .select('id')
      .where('tenant_id', '=', tenant.tenant.id)
      .limit(1)
      .execute();
    const insert = t.database.db.insertInto('template_bots').values({
      tenant_id: other.tenant.id,
      name: 'Cross-tenant',
      trigger_type: 'FIRST_MESSAGE',
      keywords: [],
      template_id: template!.id,
      parameters: JSON.stringify({ header: null, headerMediaUrl: null, body: [], buttons: [] }),
    });
    await expect(insert.execute()).rejects.toMatchObject({
      code: '23503',
      constraint: 'template_bots_template_fk',
    });
  });
});
