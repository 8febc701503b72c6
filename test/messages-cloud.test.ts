import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeIdOf } from '../src/ids.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { metaError } from './helpers/fake-cloud-api.js';
import { FakeWhatsApp } from './helpers/fake-whatsapp.js';
import {
  connectWhatsApp,
  statusesOf,
  subscribeStatuses,
  type Subscriber,
} from './helpers/messaging.js';
import { graphql } from './generated/gql.js';

/**
 * Cloud mode against a Cloud-API-compatible server on loopback: the exact request Meta receives
 * for each kind of message, the wamid it answers, the signed status webhooks it posts back, and a
 * graphql-ws subscriber seeing each status in order. Meta's send errors: final and retryable.
 */
const APP_SECRET = randomBytes(16).toString('hex');
const PHONE_NUMBER_ID = '109876543210987';
const WABA = '102290129340398';
const TO = '+442079460958';

const MESSAGE = graphql(`
  query CloudMessage($id: ID!) {
    message(id: $id) {
      status
      wamid
      attempts
      error {
        code
        title
      }
      deliveredAt
      readAt
      statusHistory {
        status
      }
    }
  }
`);

let fake: FakeWhatsApp;
let t: TestApp;
let tenant: TestTenant;
let token: string;
let accessToken: string;
let sub: Subscriber;

beforeAll(async () => {
  fake = new FakeWhatsApp(APP_SECRET);
  const graphUrl = await fake.start();
  t = await startTestApp({
    whatsapp: { mode: 'cloud', graphUrl, appSecret: APP_SECRET, verifyToken: 'verify-me' },
    encryptionKey: randomBytes(32),
  });
  fake.webhookUrl = `${t.url}/webhooks/whatsapp`;
  tenant = await t.createTenant();
  accessToken = `EAAG${randomBytes(24).toString('hex')}`;
  fake.accessTokens.add(accessToken);
  await connectWhatsApp(t, tenant, PHONE_NUMBER_ID, accessToken);
  fake.templates.set(WABA, [
    {
      id: '7100000000001',
      name: 'order_ready',
      language: 'en_US',
      status: 'APPROVED',
      category: 'UTILITY',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hello {{1}}' },
        { type: 'BODY', text: 'Your order {{1}} is ready: {{2}} to pay.' },
        {
          type: 'BUTTONS',
          buttons: [
            { type: 'QUICK_REPLY', text: 'Thanks' },
            { type: 'URL', text: 'Track', url: 'https://shop.example.com/o/{{1}}' },
          ],
        },
      ],
    },
  ]);
  const synced = await t.gql(
    tenant.subdomain,
    tenant.adminKey,
    'mutation { syncTemplates { total } }',
  );
  expect(synced.body.errors).toBeUndefined();
  token = await t.createToken(tenant, [
    'messages.send_text',
    'messages.send_media',
    'messages.send_template',
  ]);
  sub = subscribeStatuses(t, tenant, token);
  await sub.ready();
});
afterAll(async () => {
  await sub?.dispose();
  await fake?.settle();
  await t?.stop();
  await fake?.stop();
});

type Mutation = 'sendTextMessage' | 'sendMediaMessage' | 'sendTemplateMessage';
const TEXT = { to: { phone: TO }, body: 'Hi there' };

/** Sends, and returns the message's global and database ids. */
async function send(mutation: Mutation, input: Record<string, unknown>) {
  const type = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input`;
  const res = await t.gql(
    tenant.subdomain,
    token,
    `mutation($input: ${type}!) { ${mutation}(input: $input) { message { id } } }`,
    { input },
  );
  expect(res.body.errors).toBeUndefined();
  const id: string = res.body.data![mutation].message.id;
  return { id, dbId: decodeIdOf('Message', id) };
}
const read = async (id: string) =>
  (await t.gql(tenant.subdomain, token, MESSAGE, { id })).body.data!.message!;
const base = (dbId: string) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  to: '442079460958',
  biz_opaque_callback_data: dbId,
});

describe('each kind of message, as Meta receives it', () => {
  const link = 'https://cdn.example.com/files/';
  it.each<[string, Mutation, Record<string, unknown>, Record<string, unknown>]>([
    [
      'text',
      'sendTextMessage',
      TEXT,
      { type: 'text', text: { body: 'Hi there', preview_url: false } },
    ],
    [
      'image with a caption',
      'sendMediaMessage',
      { to: { phone: TO }, kind: 'IMAGE', link: `${link}a.png`, caption: 'Look' },
      { type: 'image', image: { link: `${link}a.png`, caption: 'Look' } },
    ],
    [
      'document with a filename',
      'sendMediaMessage',
      { to: { phone: TO }, kind: 'DOCUMENT', link: `${link}i.pdf`, filename: 'i.pdf' },
      { type: 'document', document: { link: `${link}i.pdf`, filename: 'i.pdf' } },
    ],
    [
      'audio',
      'sendMediaMessage',
      { to: { phone: TO }, kind: 'AUDIO', link: `${link}v.ogg` },
      { type: 'audio', audio: { link: `${link}v.ogg` } },
    ],
    [
      'template with header, body and button parameters',
      'sendTemplateMessage',
      {
        to: { phone: TO },
        name: 'order_ready',
        language: 'en_US',
        headerText: 'Maria',
        bodyParameters: ['#1042', '$59.90'],
        buttonParameters: ['1042'],
      },
      {
        type: 'template',
        template: {
          name: 'order_ready',
          language: { code: 'en_US' },
          components: [
            { type: 'header', parameters: [{ type: 'text', text: 'Maria' }] },
            {
              type: 'body',
              parameters: [
                { type: 'text', text: '#1042' },
                { type: 'text', text: '$59.90' },
              ],
            },
            {
              type: 'button',
              sub_type: 'url',
              index: '1',
              parameters: [{ type: 'text', text: '1042' }],
            },
          ],
        },
      },
    ],
  ])('%s', async (_name, mutation, input, payload) => {
    const { id, dbId } = await send(mutation, input);
    await expect
      .poll(() => statusesOf(sub, dbId), { timeout: 10_000 })
      .toEqual(['QUEUED', 'SENT', 'DELIVERED', 'READ']);

    const requests = fake.requests.filter(
      (r) => (r.body as any)?.biz_opaque_callback_data === dbId,
    );
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'POST',
      path: `/v21.0/${PHONE_NUMBER_ID}/messages`,
      authorization: `Bearer ${accessToken}`,
    });
    expect(requests[0]!.body).toEqual({ ...base(dbId), ...payload });

    const { wamid } = fake.sent.find((s) => s.body.biz_opaque_callback_data === dbId)!;
    const message = await read(id);
    expect(message).toMatchObject({ status: 'READ', wamid, attempts: 1, error: null });
    expect(message.deliveredAt).toEqual(expect.any(String));
    expect(message.readAt).toEqual(expect.any(String));
    expect(message.statusHistory.map((h) => h.status)).toEqual([
      'QUEUED',
      'SENT',
      'DELIVERED',
      'READ',
    ]);
    // DELIVERED and READ were recorded from the fake's signed webhooks.
    const sources = await t.database.db
      .selectFrom('message_status_events')
      .select(['status', 'source'])
      .where('message_id', '=', dbId)
      .where('status', 'in', ['DELIVERED', 'READ'])
      .orderBy('id')
      .execute();
    expect(sources).toEqual([
      { status: 'DELIVERED', source: 'webhook' },
      { status: 'READ', source: 'webhook' },
    ]);
    const events = sub.events.filter((e) => e.message?.id === id);
    expect(events.map((e) => e.previousStatus)).toEqual([null, 'QUEUED', 'SENT', 'DELIVERED']);
  });
});

describe("Meta's send errors", () => {
  it('131047 (outside the 24-hour window) fails the message, with the code in the event', async () => {
    // Meta's answer, as the Cloud API gives it.
    fake.sendFailures.push({
      status: 400,
      body: {
        error: {
          message: '(#131047) Re-engagement message',
          type: 'OAuthException',
          code: 131047,
          error_data: {
            messaging_product: 'whatsapp',
            details: 'More than 24 hours have passed since the recipient last replied.',
          },
          fbtrace_id: 'AbCdEfGh123',
        },
      },
    });
    const { id, dbId } = await send('sendTextMessage', TEXT);
    await expect
      .poll(() => statusesOf(sub, dbId), { timeout: 10_000 })
      .toEqual(['QUEUED', 'FAILED']);
    const failed = sub.events.find((e) => e.message?.id === id && e.status === 'FAILED')!;
    expect(failed.error).toMatchObject({ code: 131047, title: 'Re-engagement message' });
    expect(failed.message).toMatchObject({ status: 'FAILED', wamid: null, attempts: 1 });
    const message = await read(id);
    expect(message).toMatchObject({ status: 'FAILED', wamid: null, attempts: 1 });
    expect(message.error?.code).toBe(131047);
    expect(fake.sent.some((s) => s.body.biz_opaque_callback_data === dbId)).toBe(false);
  });

  it('130429 (throughput) is retried after a backoff, then SENT', async () => {
    fake.sendFailures.push(
      metaError(400, { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 }),
    );
    const { id, dbId } = await send('sendTextMessage', TEXT);
    await expect
      .poll(() => statusesOf(sub, dbId), { timeout: 15_000 })
      .toEqual(['QUEUED', 'SENT', 'DELIVERED', 'READ']);
    const tries = fake.sendLog.filter((s) => s.body.biz_opaque_callback_data === dbId);
    expect(tries.map((s) => s.status)).toEqual([400, 200]);
    // The first retry waits about a second (±20 %), never less than 800 ms.
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(750);
    const message = await read(id);
    expect(message).toMatchObject({ status: 'READ', attempts: 2, error: null });
    expect(message.wamid).toBe(
      fake.sent.find((s) => s.body.biz_opaque_callback_data === dbId)!.wamid,
    );
  });

  it('an answer lost on the way is left in doubt: the webhook records it, no second send', async () => {
    // Meta accepts the message, the answer is lost; its "sent" webhook comes 1.5 s later,
    // after an ordinary retry (~1 s) would have gone, within the in-doubt window (60 s).
    fake.loseAnswers = 1;
    fake.autoStatuses = { statuses: ['sent'], delayMs: 1500 };
    try {
      const { id, dbId } = await send('sendTextMessage', TEXT);
      await expect
        .poll(() => statusesOf(sub, dbId), { timeout: 10_000 })
        .toEqual(['QUEUED', 'SENT']);
      const { wamid } = fake.sent.find((s) => s.body.biz_opaque_callback_data === dbId)!;
      expect(await read(id)).toMatchObject({ status: 'SENT', wamid, attempts: 1 });
      const tries = fake.sendLog.filter((s) => s.body.biz_opaque_callback_data === dbId);
      expect(tries.map((s) => s.status)).toEqual([502]);
    } finally {
      fake.autoStatuses = { statuses: ['sent', 'delivered', 'read'], delayMs: 20 };
    }
  });
});
