import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

/** Sending in sandbox mode: idempotency, template checks, failures, and reading messages back. */
let t: TestApp;
let tenant: TestTenant;
let sender: string;

beforeAll(async () => {
  const defaults = loadConfig({});
  t = await startTestApp({
    dispatcher: { ...defaults.dispatcher, sandboxDelaysMs: { delivered: 50, read: 50 } },
  });
  tenant = await t.createTenant();
  sender = await t.createToken(tenant, [
    'messages.send_text',
    'messages.send_media',
    'messages.send_template',
    'contacts.create',
    'contacts.read',
    'contacts.delete',
  ]);
  const synced = await t.gql(
    tenant.subdomain,
    tenant.adminKey,
    'mutation { syncTemplates { created } }',
  );
  expect(synced.body.errors).toBeUndefined();
});
afterAll(() => t.stop());

const SEND_TEXT = `mutation($input: SendTextMessageInput!) { sendTextMessage(input: $input) { message { id status to contact { id } } } }`;
const SEND_TEMPLATE = `mutation($input: SendTemplateMessageInput!) { sendTemplateMessage(input: $input) { message { id status content { ... on TemplateContent { name language bodyParameters } } } } }`;
const MESSAGE = `query($id: ID!) { message(id: $id) { id status wamid attempts error { code title message details } statusHistory { status previousStatus } } }`;

const send = (input: Record<string, unknown>) =>
  t.gql(tenant.subdomain, sender, SEND_TEXT, { input });
const messageRows = () =>
  t.database.db
    .selectFrom('messages')
    .select('id')
    .where('tenant_id', '=', tenant.tenant.id)
    .execute();
const waitFor = (id: string, status: string) =>
  expect
    .poll(
      async () =>
        (await t.gql(tenant.subdomain, sender, MESSAGE, { id })).body.data?.message.status,
      { timeout: 8000 },
    )
    .toBe(status);

describe('idempotency', () => {
  it('a retried send with the same key returns the first message and sends once', async () => {
    const input = {
      to: { phone: '+442079460958' },
      body: 'Your order shipped',
      idempotencyKey: 'order-1042-shipped',
    };
    const first = await send(input);
    const again = await send(input);
    expect(again.body.data?.sendTextMessage.message.id).toBe(
      first.body.data?.sendTextMessage.message.id,
    );
    const rows = await t.database.db
      .selectFrom('messages')
      .select('id')
      .where('idempotency_key', '=', 'order-1042-shipped')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('the same key for a different message is a CONFLICT and writes nothing', async () => {
    await send({ to: { phone: '+442079460958' }, body: 'One', idempotencyKey: 'k-conflict' });
    const before = (await messageRows()).length;
    const res = await send({
      to: { phone: '+442079460958' },
      body: 'Two',
      idempotencyKey: 'k-conflict',
    });
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe('idempotencyKey');
    expect((await messageRows()).length).toBe(before);
  });
});

describe('recipients', () => {
  it('links a phone to the contact that has it, and keeps the history when the contact is deleted', async () => {
    const created = await t.gql(
      tenant.subdomain,
      sender,
      'mutation { createContact(input: { firstName: "Maria", phone: "+34 612 345 678" }) { contact { id } } }',
    );
    const contactId = created.body.data?.createContact.contact.id;
    const res = await send({ to: { phone: '+34612345678' }, body: 'Hola Maria' });
    const message = res.body.data?.sendTextMessage.message;
    expect(message.contact).toEqual({ id: contactId });
    const byContact = await send({ to: { contactId }, body: 'Second' });
    expect(byContact.body.data?.sendTextMessage.message.to).toBe('+34612345678');

    const list = await t.gql(
      tenant.subdomain,
      sender,
      'query($id: ID!) { node(id: $id) { ... on Contact { messages { totalCount } } } }',
      { id: contactId },
    );
    expect(list.body.data?.node.messages.totalCount).toBe(2);

    await t.gql(
      tenant.subdomain,
      sender,
      'mutation($id: ID!) { deleteContact(input: { id: $id }) { deletedContactId } }',
      { id: contactId },
    );
    const after = await t.gql(
      tenant.subdomain,
      sender,
      'query($id: ID!) { message(id: $id) { to contact { id } } }',
      { id: message.id },
    );
    expect(after.body.data?.message).toEqual({ to: '+34612345678', contact: null });
  });

  it.each([
    [{}, 'to'],
    [{ phone: '+442079460958', contactId: 'x' }, 'to'],
    [{ phone: 'not a phone' }, 'to.phone'],
    [{ contactId: 'garbage' }, 'to.contactId'],
  ])('refuses recipient %j naming %s', async (to, field) => {
    const res = await send({ to, body: 'x' });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
  });

  it('an unknown contact id is NOT_FOUND', async () => {
    const id = Buffer.from('Contact:00000000-0000-4000-8000-000000000000').toString('base64url');
    expect(codes(await send({ to: { contactId: id }, body: 'x' }))).toEqual(['NOT_FOUND']);
  });
});

describe('template messages', () => {
  it('sends an approved template with the right parameters', async () => {
    const res = await t.gql(tenant.subdomain, sender, SEND_TEMPLATE, {
      input: {
        to: { phone: '+442079460958' },
        name: 'order_confirmation',
        language: 'en_US',
        bodyParameters: ['Maria', '#1042', '$59.90'],
        buttonParameters: ['1042'],
      },
    });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.sendTemplateMessage.message.content).toEqual({
      name: 'order_confirmation',
      language: 'en_US',
      bodyParameters: ['Maria', '#1042', '$59.90'],
    });
  });

  it.each([
    [
      {
        name: 'order_confirmation',
        language: 'en_US',
        bodyParameters: ['Maria'],
        buttonParameters: ['1'],
      },
      'bodyParameters',
      'BAD_USER_INPUT',
    ],
    [
      { name: 'order_confirmation', language: 'en_US', bodyParameters: ['a', 'b', 'c'] },
      'buttonParameters',
      'BAD_USER_INPUT',
    ],
    [
      { name: 'shipping_update', language: 'en_US', bodyParameters: ['a', 'b', 'c'] },
      'headerMediaLink',
      'BAD_USER_INPUT',
    ],
    [
      {
        name: 'shipping_update',
        language: 'en_US',
        bodyParameters: ['a', 'b', 'c'],
        headerMediaLink: 'ftp://x/y.pdf',
      },
      'headerMediaLink',
      'BAD_USER_INPUT',
    ],
    [{ name: 'no_such_template', language: 'en_US' }, 'name', 'NOT_FOUND'],
    [{ name: 'order_confirmation' }, 'language', 'BAD_USER_INPUT'],
  ])('refuses %j (%s, %s)', async (input, field, code) => {
    const before = (await messageRows()).length;
    const res = await t.gql(tenant.subdomain, sender, SEND_TEMPLATE, {
      input: { to: { phone: '+442079460958' }, ...input },
    });
    expect(codes(res)).toEqual([code]);
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
    expect((await messageRows()).length).toBe(before);
  });

  it('refuses a template that is not APPROVED', async () => {
    const pending = await t.database.db
      .selectFrom('templates')
      .select(['name', 'language'])
      .where('tenant_id', '=', tenant.tenant.id)
      .where('status', '!=', 'APPROVED')
      .executeTakeFirstOrThrow();
    const res = await t.gql(tenant.subdomain, sender, SEND_TEMPLATE, {
      input: { to: { phone: '+442079460958' }, name: pending.name, language: pending.language },
    });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.message).toMatch(/only APPROVED/);
  });
});

describe('media messages', () => {
  it.each([
    ['an http link', { kind: 'IMAGE', link: 'http://example.com/a.png' }, 'link'],
    ['not a URL', { kind: 'IMAGE', link: 'a.png' }, 'link'],
    [
      'a caption on audio',
      { kind: 'AUDIO', link: 'https://example.com/a.ogg', caption: 'x' },
      'caption',
    ],
    [
      'a filename on an image',
      { kind: 'IMAGE', link: 'https://example.com/a.png', filename: 'a.png' },
      'filename',
    ],
  ])('refuses %s', async (_what, media, field) => {
    const res = await t.gql(
      tenant.subdomain,
      sender,
      'mutation($input: SendMediaMessageInput!) { sendMediaMessage(input: $input) { message { id } } }',
      {
        input: { to: { phone: '+442079460958' }, ...media },
      },
    );
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
  });
});

describe('delivery in the sandbox', () => {
  it('moves a message to READ with its whole history', async () => {
    const id = (await send({ to: { phone: '+442079460958' }, body: 'Lifecycle' })).body.data
      ?.sendTextMessage.message.id;
    await waitFor(id, 'READ');
    const res = await t.gql(tenant.subdomain, sender, MESSAGE, { id });
    expect(res.body.data?.message.statusHistory).toEqual([
      { status: 'QUEUED', previousStatus: null },
      { status: 'SENT', previousStatus: 'QUEUED' },
      { status: 'DELIVERED', previousStatus: 'SENT' },
      { status: 'READ', previousStatus: 'DELIVERED' },
    ]);
    expect(res.body.data?.message.wamid).toMatch(/^wamid\./);
  });

  it('fails a recipient in the documented failing range with Meta-shaped error 131026', async () => {
    const id = (await send({ to: { phone: '+442079460666' }, body: 'Undeliverable' })).body.data
      ?.sendTextMessage.message.id;
    await waitFor(id, 'FAILED');
    const res = await t.gql(tenant.subdomain, sender, MESSAGE, { id });
    expect(res.body.data?.message.error).toMatchObject({
      code: 131026,
      title: 'Message undeliverable',
    });
  });
});

describe('reading messages', () => {
  it('filters by status and type, newest first', async () => {
    const res = await t.gql(
      tenant.subdomain,
      sender,
      '{ failed: messages(filter: { status: FAILED }) { totalCount } templates: messages(filter: { type: TEMPLATE }) { totalCount } all: messages(first: 3) { edges { node { createdAt } } } }',
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.failed.totalCount).toBeGreaterThanOrEqual(1);
    expect(res.body.data?.templates.totalCount).toBe(1);
    const times = res.body.data?.all.edges.map((e: any) => Date.parse(e.node.createdAt));
    expect(times).toEqual([...times].sort((a: number, b: number) => b - a));
  });

  it("never shows another tenant's messages", async () => {
    const id = (await send({ to: { phone: '+442079460958' }, body: 'Private' })).body.data
      ?.sendTextMessage.message.id;
    const other = await t.createTenant();
    const otherToken = await t.createToken(other, ['*']);
    const res = await t.gql(
      other.subdomain,
      otherToken,
      'query($id: ID!) { message(id: $id) { id } node(id: $id) { id } messages { totalCount } }',
      { id },
    );
    expect(res.body).toEqual({ data: { message: null, node: null, messages: { totalCount: 0 } } });
  });
});
