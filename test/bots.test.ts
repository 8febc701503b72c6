import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

const CREATE_MB = `mutation($input: CreateMessageBotInput!) { createMessageBot(input: $input) {
  messageBot { id name triggerType keywords replyType text header footer active
    media { type url filename } buttons { id title } ctaButton { text url } } } }`;
const UPDATE_MB = `mutation($input: UpdateMessageBotInput!) { updateMessageBot(input: $input) {
  messageBot { id name triggerType keywords replyType text header buttons { title } } } }`;
const DELETE_MB = `mutation($id: ID!) { deleteMessageBot(input: { id: $id }) { deletedMessageBotId } }`;
const NODE = 'query($id: ID!) { node(id: $id) { id ... on MessageBot { name } } }';

let t: TestApp;
let tenant: TestTenant;

const admin = (query: string, variables: Record<string, unknown> = {}) =>
  t.gql(tenant.subdomain, tenant.adminKey, query, variables);
const textBot = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  triggerType: 'EXACT_MATCH',
  keywords: ['hi'],
  replyType: 'TEXT',
  text: 'Hello!',
  ...extra,
});

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
});
afterAll(() => t.stop());

describe('message bots', () => {
  it('the admin creates each reply type; a message_bots.read token lists and reads them', async () => {
    const created = await Promise.all([
      admin(CREATE_MB, { input: textBot('Hours', { keywords: ['hours', ' HOURS ', 'open'] }) }),
      admin(CREATE_MB, {
        input: {
          ...textBot('Prices', { triggerType: 'CONTAINS', replyType: 'MEDIA' }),
          media: { type: 'DOCUMENT', url: 'https://example.com/p.pdf', filename: 'p.pdf' },
        },
      }),
      admin(CREATE_MB, {
        input: textBot('Welcome', {
          triggerType: 'FIRST_MESSAGE',
          keywords: [],
          replyType: 'BUTTONS',
          header: 'Hi there',
          buttons: [{ title: 'Shop' }, { title: 'Support', id: 'support' }],
        }),
      }),
      admin(CREATE_MB, {
        input: textBot('Site', {
          replyType: 'CTA_URL',
          ctaButton: { text: 'Open', url: 'https://example.com' },
        }),
      }),
    ]);
    for (const res of created) expect(res.body.errors).toBeUndefined();
    const [hours, prices, welcome, site] = created.map(
      (r) => r.body.data!.createMessageBot.messageBot,
    );
    expect(hours).toMatchObject({
      keywords: ['hours', 'open'],
      active: true,
      media: null,
      buttons: [],
    });
    expect(prices.media).toEqual({
      type: 'DOCUMENT',
      url: 'https://example.com/p.pdf',
      filename: 'p.pdf',
    });
    expect(welcome).toMatchObject({
      keywords: [],
      header: 'Hi there',
      buttons: [
        { id: 'button_1', title: 'Shop' },
        { id: 'support', title: 'Support' },
      ],
    });
    expect(site.ctaButton).toEqual({ text: 'Open', url: 'https://example.com' });

    const reader = await t.createToken(tenant, ['message_bots.read']);
    const list = await t.gql(
      tenant.subdomain,
      reader,
      '{ messageBots { totalCount edges { node { name } } } }',
    );
    expect(list.body.data?.messageBots.edges.map((e: any) => e.node.name)).toEqual([
      'Hours',
      'Prices',
      'Site',
      'Welcome',
    ]);
    const filtered = await t.gql(
      tenant.subdomain,
      reader,
      '{ messageBots(filter: { search: "open" }) { edges { node { name } } } }',
    );
    expect(filtered.body.data?.messageBots.edges).toEqual([{ node: { name: 'Hours' } }]);
    const node = await t.gql(tenant.subdomain, reader, NODE, { id: hours.id });
    expect(node.body.data).toEqual({ node: { id: hours.id, name: 'Hours' } });
    const other = await t.createToken(tenant, ['templates.read']);
    const refused = await t.gql(tenant.subdomain, other, NODE, { id: hours.id });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.body.errors?.[0]?.message).toContain('"message_bots.read"');
  });

  it('updates keep omitted fields, null clears, a new reply type drops content it does not use', async () => {
    const { id } = (
      await admin(CREATE_MB, {
        input: textBot('Menu', { replyType: 'BUTTONS', header: 'Menu', buttons: [{ title: 'A' }] }),
      })
    ).body.data!.createMessageBot.messageBot;
    const renamed = await admin(UPDATE_MB, { input: { id, name: 'Main menu', header: null } });
    expect(renamed.body.data?.updateMessageBot.messageBot).toMatchObject({
      name: 'Main menu',
      header: null,
      replyType: 'BUTTONS',
      buttons: [{ title: 'A' }],
      keywords: ['hi'],
    });
    const switched = await admin(UPDATE_MB, {
      input: { id, replyType: 'TEXT', triggerType: 'FIRST_MESSAGE' },
    });
    expect(switched.body.data?.updateMessageBot.messageBot).toMatchObject({
      replyType: 'TEXT',
      buttons: [],
      text: 'Hello!',
      triggerType: 'FIRST_MESSAGE',
      keywords: [],
    });
  });

  it.each([
    [
      'a media URL that is not a URL',
      { replyType: 'MEDIA', text: null, media: { type: 'IMAGE', url: 'not a url' } },
      'media.url',
    ],
    [
      'an ftp media URL',
      { replyType: 'MEDIA', media: { type: 'IMAGE', url: 'ftp://example.com/a.png' } },
      'media.url',
    ],
    [
      'a javascript: link',
      { replyType: 'CTA_URL', ctaButton: { text: 'Go', url: 'javascript:alert(1)' } },
      'ctaButton.url',
    ],
    [
      'four buttons',
      { replyType: 'BUTTONS', buttons: ['a', 'b', 'c', 'd'].map((title) => ({ title })) },
      'buttons',
    ],
    [
      'a button title over 20 characters',
      { replyType: 'BUTTONS', buttons: [{ title: 'x'.repeat(21) }] },
      'buttons.0.title',
    ],
    ['a TEXT reply without text', { text: null }, 'text'],
    [
      'media on a TEXT reply',
      { media: { type: 'IMAGE', url: 'https://example.com/a.png' } },
      'media',
    ],
    ['a keyword trigger without keywords', { keywords: [] }, 'keywords'],
    ['keywords on FIRST_MESSAGE', { triggerType: 'FIRST_MESSAGE' }, 'keywords'],
    ['an empty name', { name: ' ' }, 'name'],
  ])('refuses %s with BAD_USER_INPUT on %s', async (_what, extra, field) => {
    const res = await admin(CREATE_MB, { input: textBot('Invalid', extra) });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
  });

  it('refuses a duplicate name (any case) as CONFLICT, deletes, and answers NOT_FOUND after', async () => {
    const { id } = (await admin(CREATE_MB, { input: textBot('Once') })).body.data!.createMessageBot
      .messageBot;
    expect(codes(await admin(CREATE_MB, { input: textBot('ONCE') }))).toEqual(['CONFLICT']);
    const deleted = await admin(DELETE_MB, { id });
    expect(deleted.body.data?.deleteMessageBot.deletedMessageBotId).toBe(id);
    expect((await admin(NODE, { id })).body.data).toEqual({ node: null });
    expect(codes(await admin(DELETE_MB, { id }))).toEqual(['NOT_FOUND']);
    expect(codes(await admin(UPDATE_MB, { input: { id, name: 'x' } }))).toEqual(['NOT_FOUND']);
  });
});

describe('tenant isolation', () => {
  it("another tenant never reaches this tenant's message bots", async () => {
    const { id } = (await admin(CREATE_MB, { input: textBot('Private') })).body.data!
      .createMessageBot.messageBot;
    const other = await t.createTenant();
    const token = await t.createToken(other, ['*']);
    const node = await t.gql(other.subdomain, token, NODE, { id });
    expect(node.body).toEqual({ data: { node: null } });
    const list = await t.gql(other.subdomain, token, '{ messageBots { totalCount } }');
    expect(list.body.data).toEqual({ messageBots: { totalCount: 0 } });
    const as = (query: string, variables: Record<string, unknown>) =>
      t.gql(other.subdomain, other.adminKey, query, variables);
    expect(codes(await as(UPDATE_MB, { input: { id, name: 'stolen' } }))).toEqual(['NOT_FOUND']);
    expect(codes(await as(DELETE_MB, { id }))).toEqual(['NOT_FOUND']);
    expect((await admin(NODE, { id })).body.data).toEqual({ node: { id, name: 'Private' } });
  });
});
