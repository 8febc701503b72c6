import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { encodeId } from '../src/ids.js';
import { expectRestError, restCall, type RestResponse } from './helpers/rest-call.js';
import { startTestApp, uniqueName, type TestApp, type TestTenant } from './helpers/test-app.js';
import { contactFixture } from './operations/contacts.js';
import { messageFixture } from './operations/messages.js';

/**
 * Sending over REST (API.md "The REST face"): POST /messages/text, /media and /template answer 202
 * with the queued message, which the sandbox then sends; GET /messages/{id} shows its status
 * history; `Idempotency-Key` makes a retry safe; refused input is 422 naming the REST field.
 */
let t: TestApp;
let tenant: TestTenant;
let sender: string;

const post = (
  path: string,
  body: unknown,
  options: { secret?: string; headers?: Record<string, string> } = {},
) =>
  restCall(t.url, tenant.subdomain, options.secret ?? sender, 'POST', path, {
    body,
    headers: options.headers,
  });
const getMessage = (id: string, secret = sender) =>
  restCall(t.url, tenant.subdomain, secret, 'GET', `/messages/${id}`);
const messageCount = async () =>
  Number(
    (
      await t.database.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('tenant_id', '=', tenant.tenant.id)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Waits until the sandbox has delivered and read the message; answers its last GET. */
async function readEventually(id: string): Promise<RestResponse> {
  let last: RestResponse | undefined;
  await expect
    .poll(
      async () => {
        last = await getMessage(id);
        return last.body?.data?.status;
      },
      { timeout: 8000 },
    )
    .toBe('READ');
  return last!;
}

/** A queued message as every send answers it: 202, QUEUED, its history starting QUEUED. */
function expectQueued(res: RestResponse) {
  expect(res.status, res.text).toBe(202);
  expect(res.body.data).toMatchObject({
    status: 'QUEUED',
    wamid: null,
    error: null,
  });
  // The history is read after the send commits: the sandbox may have sent it meanwhile.
  expect(res.body.data.status_history[0]).toMatchObject({
    status: 'QUEUED',
    previous_status: null,
    error: null,
  });
  return res.body.data as Record<string, any>;
}

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
    'contacts.read',
  ]);
  const synced = await t.gql(
    tenant.subdomain,
    tenant.adminKey,
    'mutation { syncTemplates { created } }',
  );
  expect(synced.body.errors).toBeUndefined();
});
afterAll(() => t.stop());

describe('each kind of send', () => {
  it('POST /messages/text queues the text; the sandbox sends it; GET shows the history', async () => {
    const res = await post('/messages/text', {
      phone_number: '+44 20 7946 0958',
      message: 'Your order shipped: https://shop.example.com/1042',
      preview_url: true,
    });
    const queued = expectQueued(res);
    expect(queued).toMatchObject({
      type: 'TEXT',
      to: '+442079460958',
      contact_id: null,
      content: { body: 'Your order shipped: https://shop.example.com/1042', preview_url: true },
      idempotency_key: null,
      attempts: 0,
    });

    const read = await readEventually(queued.id);
    expect(read.status).toBe(200);
    const message = read.body.data;
    expect(message.status_history.map((s: { status: string }) => s.status)).toEqual([
      'QUEUED',
      'SENT',
      'DELIVERED',
      'READ',
    ]);
    expect(message.status_history[1]).toMatchObject({ status: 'SENT', previous_status: 'QUEUED' });
    for (const step of message.status_history) {
      expect(new Date(step.occurred_at).toISOString()).toBe(step.occurred_at);
    }
    expect(message.wamid).toMatch(/^wamid\./);
    expect(message.sent_at).toEqual(expect.any(String));
    // The same message GraphQL reads, by the same id.
    const gql = await t.gql(
      tenant.subdomain,
      sender,
      'query($id: ID!) { message(id: $id) { status to } }',
      {
        id: queued.id,
      },
    );
    expect(gql.body.data?.message).toEqual({ status: 'READ', to: '+442079460958' });
  });

  it('POST /messages/media queues a document with its caption and filename', async () => {
    const res = await post('/messages/media', {
      phone_number: '+442079460958',
      media_type: 'document',
      media_url: 'https://shop.example.com/invoices/1042.pdf',
      caption: 'Your invoice',
      filename: 'invoice-1042.pdf',
    });
    const queued = expectQueued(res);
    expect(queued).toMatchObject({
      type: 'MEDIA',
      content: {
        kind: 'DOCUMENT',
        link: 'https://shop.example.com/invoices/1042.pdf',
        caption: 'Your invoice',
        filename: 'invoice-1042.pdf',
      },
    });
    expect((await readEventually(queued.id)).body.data.wamid).toMatch(/^wamid\./);
  });

  it('POST /messages/template queues an approved template by name with its parameters', async () => {
    const res = await post('/messages/template', {
      phone_number: '+442079460958',
      template_name: 'order_confirmation',
      template_language: 'en_US',
      body_parameters: ['Maria', '#1042', '$59.90'],
      button_parameters: ['1042'],
    });
    const queued = expectQueued(res);
    expect(queued).toMatchObject({
      type: 'TEMPLATE',
      content: {
        name: 'order_confirmation',
        language: 'en_US',
        body_parameters: ['Maria', '#1042', '$59.90'],
      },
    });
    await readEventually(queued.id);
  });

  it('sends a template with a media header by template_id', async () => {
    const templates = await restCall(
      t.url,
      tenant.subdomain,
      tenant.adminKey,
      'GET',
      '/templates',
      {
        query: { search: 'shipping_update' },
      },
    );
    const template = templates.body.data[0];
    expect(template.header_parameter).toEqual({ kind: 'MEDIA', count: 1 });
    const res = await post('/messages/template', {
      phone_number: '+442079460958',
      template_id: template.id,
      header_media_url: 'https://shop.example.com/invoices/1042.pdf',
      body_parameters: ['Maria', '#1042', 'DHL Express'],
    });
    expect(expectQueued(res).content.name).toBe('shipping_update');
  });
});

describe('recipients', () => {
  it('sends to contact_id, and links a phone_number that belongs to a contact', async () => {
    const contactId = await contactFixture({ t, tenant });
    const byId = await post('/messages/text', { contact_id: contactId, message: 'Hi there' });
    const queued = expectQueued(byId);
    expect(queued.contact_id).toBe(contactId);
    const byPhone = await post('/messages/text', { phone_number: queued.to, message: 'Again' });
    expect(expectQueued(byPhone).contact_id).toBe(contactId);
  });

  it('leaves contact_id out for a token without contacts.read, as GraphQL refuses it', async () => {
    const contactId = await contactFixture({ t, tenant });
    const textOnly = await t.createToken(tenant, ['messages.send_text']);
    const res = await post(
      '/messages/text',
      { contact_id: contactId, message: 'Hi' },
      { secret: textOnly },
    );
    expect(res.status).toBe(202);
    expect(res.body.data).not.toHaveProperty('contact_id');
    const read = await getMessage(res.body.data.id, textOnly);
    expect(read.status).toBe(200);
    expect(read.body.data).not.toHaveProperty('contact_id');
  });

  it('is 404 for a contact_id of another tenant, and sends nothing', async () => {
    const other = await t.createTenant();
    const before = await messageCount();
    const res = await post('/messages/text', {
      contact_id: await contactFixture({ t, tenant: other }),
      message: 'Hi',
    });
    expectRestError(res, 404, 'NOT_FOUND');
    expect(await messageCount()).toBe(before);
  });
});

describe('Idempotency-Key', () => {
  it('a retried POST returns the first message and sends once', async () => {
    const key = uniqueName('order-1042');
    const body = { phone_number: '+442079460958', message: 'Your order shipped' };
    const first = await post('/messages/text', body, { headers: { 'Idempotency-Key': key } });
    const queued = expectQueued(first);
    expect(queued.idempotency_key).toBe(key);
    const again = await post('/messages/text', body, { headers: { 'Idempotency-Key': key } });
    expect(again.status).toBe(202);
    expect(again.body.data.id).toBe(queued.id);
    const rows = await t.database.db
      .selectFrom('messages')
      .select('id')
      .where('idempotency_key', '=', key)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('the same key with a different message is 409 CONFLICT and writes nothing', async () => {
    const key = uniqueName('k');
    const headers = { 'Idempotency-Key': key };
    expectQueued(
      await post('/messages/text', { phone_number: '+442079460958', message: 'One' }, { headers }),
    );
    const before = await messageCount();
    const text = await post(
      '/messages/text',
      { phone_number: '+442079460958', message: 'Two' },
      { headers },
    );
    expectRestError(text, 409, 'CONFLICT');
    const media = await post(
      '/messages/media',
      {
        phone_number: '+442079460958',
        media_type: 'image',
        media_url: 'https://example.com/a.png',
      },
      { headers },
    );
    expectRestError(media, 409, 'CONFLICT');
    expect(await messageCount()).toBe(before);
  });

  it('without the header, each POST sends again', async () => {
    const body = { phone_number: '+442079460958', message: 'No key' };
    const [a, b] = [await post('/messages/text', body), await post('/messages/text', body)];
    expect(expectQueued(a).id).not.toBe(expectQueued(b).id);
  });
});

describe('GET /messages/{id}', () => {
  it('is 404 for a missing message and another tenant’s, 422 for an id of another type', async () => {
    expectRestError(await getMessage(encodeId('Message', randomUUID())), 404, 'NOT_FOUND');
    const other = await t.createTenant();
    expectRestError(await getMessage(await messageFixture({ t, tenant: other })), 404, 'NOT_FOUND');
    const wrongType = await getMessage(await contactFixture({ t, tenant }));
    expectRestError(wrongType, 422, 'BAD_USER_INPUT');
    expect(Object.keys(wrongType.body.errors)).toEqual(['id']);
  });

  it('reads with any one sending ability', async () => {
    const id = await messageFixture({ t, tenant });
    for (const ability of ['messages.send_text', 'messages.send_media', 'messages.send_template']) {
      const res = await getMessage(id, await t.createToken(tenant, [ability]));
      expect(res.status, ability).toBe(200);
      expect(res.body.data).toMatchObject({
        id,
        type: 'TEXT',
        content: { body: 'From the matrix' },
      });
    }
  });
});
