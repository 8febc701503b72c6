import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { loadConfig } from '../src/config.js';

let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  const defaults = loadConfig({});
  t = await startTestApp({
    dispatcher: { ...defaults.dispatcher, sandboxDelaysMs: { delivered: 150, read: 150 } },
  });
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['messages.send_text', 'messages.send_media']);
});
afterAll(() => t.stop());

const SEND_TEXT = `mutation($input: SendTextMessageInput!) { sendTextMessage(input: $input) { message { id status to type content { ... on TextContent { body } } } } }`;

function subscribe(query: string, variables: Record<string, unknown>, secret = token) {
  const client = createClient({
    url: `${t.url.replace(/^http/, 'ws')}/api/v1/${tenant.subdomain}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${secret}` },
    retryAttempts: 0,
  });
  const events: any[] = [];
  let closed: { code: number; reason: string } | undefined;
  const done = new Promise<void>((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (value) => events.push(value),
        error: (error) => {
          closed = error as any;
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return { client, events, done, closed: () => closed };
}

describe('sending in sandbox mode', () => {
  it('accepts a text message as QUEUED and a subscriber sees SENT, DELIVERED, READ in order', async () => {
    const sub = subscribe(
      `subscription { messageStatusChanged { status previousStatus message { id status wamid } } }`,
      {},
    );
    await new Promise((r) => setTimeout(r, 300));
    const res = await t.gql(tenant.subdomain, token, SEND_TEXT, {
      input: { to: { phone: '+44 20 7946 0958' }, body: 'Hello from the sandbox' },
    });
    expect(res.body.errors).toBeUndefined();
    const message = res.body.data!.sendTextMessage.message;
    expect(message).toMatchObject({
      status: 'QUEUED',
      to: '+442079460958',
      type: 'TEXT',
      content: { body: 'Hello from the sandbox' },
    });
    await expect
      .poll(() => sub.events.map((e) => e.data?.messageStatusChanged.status), { timeout: 8000 })
      .toEqual(['QUEUED', 'SENT', 'DELIVERED', 'READ']);
    expect(sub.events.at(-1).data.messageStatusChanged.message).toMatchObject({
      id: message.id,
      status: 'READ',
    });
    expect(sub.events.at(-1).data.messageStatusChanged.message.wamid).toMatch(/^wamid\./);
    await sub.client.dispose();
  });
});

describe('validation', () => {
  it('refuses a non-https media link', async () => {
    const res = await t.gql(
      tenant.subdomain,
      token,
      `mutation { sendMediaMessage(input: { to: { phone: "+447700900123" }, kind: IMAGE, link: "http://example.com/a.png" }) { message { id } } }`,
    );
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe('link');
  });
  it('refuses a template send without the ability', async () => {
    const res = await t.gql(
      tenant.subdomain,
      token,
      `mutation { sendTemplateMessage(input: { to: { phone: "+447700900123" }, name: "x", language: "en_US" }) { message { id } } }`,
    );
    expect(codes(res)).toEqual(['FORBIDDEN']);
  });
});
