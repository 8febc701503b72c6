import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { encodeId } from '../src/ids.js';
import { expectRestError, restCall } from './helpers/rest-call.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

/**
 * Sends the GraphQL mutations refuse, over REST: 422 BAD_USER_INPUT keyed by the REST field
 * (`phone_number`, `message`, `media_url`, `body_parameters`…, never `to.phone` or `body`), with
 * nothing written. See test/rest-messages.test.ts for the sends that succeed.
 */
let t: TestApp;
let tenant: TestTenant;
let sender: string;

const post = (path: string, body: unknown, headers?: Record<string, string>) =>
  restCall(t.url, tenant.subdomain, sender, 'POST', path, { body, headers });
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

beforeAll(async () => {
  const defaults = loadConfig({});
  t = await startTestApp({ dispatcher: { ...defaults.dispatcher, inProcess: false } });
  tenant = await t.createTenant();
  sender = await t.createToken(tenant, [
    'messages.send_text',
    'messages.send_media',
    'messages.send_template',
  ]);
  const synced = await t.gql(
    tenant.subdomain,
    tenant.adminKey,
    'mutation { syncTemplates { created } }',
  );
  expect(synced.body.errors).toBeUndefined();
});
afterAll(() => t.stop());

describe('refused input: 422 naming the REST field, nothing sent', () => {
  const cases: [string, string, Record<string, unknown>, string, Record<string, string>?][] = [
    ['no recipient', '/messages/text', { message: 'Hi' }, 'phone_number'],
    [
      'both recipients',
      '/messages/text',
      {
        phone_number: '+442079460958',
        contact_id: encodeId('Contact', randomUUID()),
        message: 'Hi',
      },
      'phone_number',
    ],
    ['a bad phone', '/messages/text', { phone_number: '12', message: 'Hi' }, 'phone_number'],
    [
      'a national phone without country',
      '/messages/text',
      { phone_number: '020 7946 0958', message: 'Hi' },
      'phone_number',
    ],
    [
      'a malformed contact_id',
      '/messages/text',
      { contact_id: 'nope', message: 'Hi' },
      'contact_id',
    ],
    [
      'an empty message',
      '/messages/text',
      { phone_number: '+442079460958', message: ' ' },
      'message',
    ],
    ['no message', '/messages/text', { phone_number: '+442079460958' }, 'message'],
    [
      'a message too long',
      '/messages/text',
      { phone_number: '+442079460958', message: 'x'.repeat(4097) },
      'message',
    ],
    [
      'an unknown media_type',
      '/messages/media',
      { phone_number: '+442079460958', media_type: 'gif', media_url: 'https://example.com/a.gif' },
      'media_type',
    ],
    [
      'an http media_url',
      '/messages/media',
      { phone_number: '+442079460958', media_type: 'image', media_url: 'http://example.com/a.png' },
      'media_url',
    ],
    [
      'a caption on audio',
      '/messages/media',
      {
        phone_number: '+442079460958',
        media_type: 'audio',
        media_url: 'https://example.com/a.ogg',
        caption: 'Listen',
      },
      'caption',
    ],
    [
      'a filename on an image',
      '/messages/media',
      {
        phone_number: '+442079460958',
        media_type: 'image',
        media_url: 'https://example.com/a.png',
        filename: 'a.png',
      },
      'filename',
    ],
    [
      'a template without its language',
      '/messages/template',
      { phone_number: '+442079460958', template_name: 'order_confirmation' },
      'template_language',
    ],
    [
      'a template by id and by name',
      '/messages/template',
      {
        phone_number: '+442079460958',
        template_id: encodeId('Template', randomUUID()),
        template_name: 'order_confirmation',
      },
      'template_id',
    ],
    [
      'too few body parameters',
      '/messages/template',
      {
        phone_number: '+442079460958',
        template_name: 'order_confirmation',
        template_language: 'en_US',
        body_parameters: ['Maria'],
        button_parameters: ['1042'],
      },
      'body_parameters',
    ],
    [
      'an empty body parameter',
      '/messages/template',
      {
        phone_number: '+442079460958',
        template_name: 'order_confirmation',
        template_language: 'en_US',
        body_parameters: ['Maria', ' ', '$1'],
        button_parameters: ['1042'],
      },
      'body_parameters',
    ],
    [
      'a missing button parameter',
      '/messages/template',
      {
        phone_number: '+442079460958',
        template_name: 'order_confirmation',
        template_language: 'en_US',
        body_parameters: ['Maria', '#1042', '$1'],
      },
      'button_parameters',
    ],
    [
      'an http media header',
      '/messages/template',
      {
        phone_number: '+442079460958',
        template_name: 'shipping_update',
        template_language: 'en_US',
        header_media_url: 'http://example.com/i.pdf',
        body_parameters: ['Maria', '#1042', 'DHL'],
      },
      'header_media_url',
    ],
    [
      'an Idempotency-Key too long',
      '/messages/text',
      { phone_number: '+442079460958', message: 'Hi' },
      'Idempotency-Key',
      { 'Idempotency-Key': 'k'.repeat(256) },
    ],
  ];

  it.each(cases)('%s', async (_name, path, body, field, headers) => {
    const before = await messageCount();
    const res = await post(path, body, headers);
    expectRestError(res, 422, 'BAD_USER_INPUT');
    expect(Object.keys(res.body.errors), res.text).toEqual([field]);
    expect(res.body.errors[field][0]).toEqual(expect.any(String));
    // The message names the REST field, never the GraphQL one it maps from.
    expect(res.body.message).not.toMatch(
      /\b(?:to\.phone|contactId|templateId|body|kind|link|headerMediaLink|bodyParameters|buttonParameters|idempotencyKey)\b/,
    );
    expect(await messageCount()).toBe(before);
  });

  it('a template that is not APPROVED is refused', async () => {
    const res = await post('/messages/template', {
      phone_number: '+442079460958',
      template_name: 'appointment_reminder',
      template_language: 'en_US',
    });
    expectRestError(res, 422, 'BAD_USER_INPUT');
    expect(res.body.message).toMatch(/PENDING/);
  });

  it('an unknown template is 404', async () => {
    const res = await post('/messages/template', {
      phone_number: '+442079460958',
      template_name: 'no_such_template',
      template_language: 'en_US',
    });
    expectRestError(res, 404, 'NOT_FOUND');
  });
});
