import { randomBytes } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createContact } from '../src/contacts/repo.js';
import { encodeId } from '../src/ids.js';
import {
  startSecondInstance,
  startTestApp,
  uniqueName,
  type TestApp,
  type TestTenant,
} from './helpers/test-app.js';
import { FakeWhatsApp } from './helpers/fake-whatsapp.js';
import {
  acceptedMessage,
  connectWhatsApp,
  isProbe,
  probe,
  STATUS_CHANGED,
  statusesOf,
  subscribeStatuses,
  type Subscriber,
} from './helpers/messaging.js';

/**
 * messageStatusChanged across two server instances on one database (LISTEN/NOTIFY): the
 * subscriber is on instance 1, Meta's webhooks reach instance 2. Filters, abilities, tenant
 * isolation, and a live subscription ending once its token stops working (how soon: the
 * revocation-to-close delay in bench/subscriptions.ts).
 */
const APP_SECRET = randomBytes(16).toString('hex');

let one: TestApp;
let two: TestApp;
let a: TestTenant;
let b: TestTenant;
let tokenA: string;
let tokenB: string;
const meta = new FakeWhatsApp(APP_SECRET);
const open: Subscriber[] = [];

beforeAll(async () => {
  const defaults = loadConfig({});
  one = await startTestApp({
    whatsapp: { ...defaults.whatsapp, appSecret: APP_SECRET },
    encryptionKey: randomBytes(32),
    dispatcher: { ...defaults.dispatcher, inProcess: false },
  });
  two = await startSecondInstance(one);
  meta.webhookUrl = `${two.url}/webhooks/whatsapp`;
  [a, b] = [await one.createTenant(), await one.createTenant()];
  await connectWhatsApp(one, a, '100000000000011');
  await connectWhatsApp(one, b, '100000000000012');
  tokenA = await one.createToken(a, ['messages.send_text']);
  tokenB = await one.createToken(b, ['messages.send_template']);
});
afterAll(async () => {
  await Promise.all(open.map((s) => s.dispose()));
  await two?.stop();
  await one?.stop();
});

/** A subscriber on instance 1, listening once this resolves. */
async function subscribe(
  tenant: TestTenant,
  secret: string,
  filter: { messageId?: string; contactId?: string } = {},
) {
  const sub = subscribeStatuses(one, tenant, secret, filter);
  open.push(sub);
  await sub.ready();
  return sub;
}
/** Meta's status for a message, posted to instance 2. */
const webhook = (tenant: TestTenant, wamid: string, status: string) =>
  meta.deliver(
    meta.statusPayload(tenant === a ? '100000000000011' : '100000000000012', wamid, status),
  );
const contact = async (tenant: TestTenant) =>
  (
    await createContact(one.database.db, tenant.tenant.id, {
      first_name: uniqueName('c'),
      phone: `+4420794${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`,
    })
  ).id;

/** The id of the tenant's token called `name`, as its admin reads it. */
async function tokenId(tenant: TestTenant, name: string): Promise<string> {
  const res = await two.gql(
    tenant.subdomain,
    tenant.adminKey,
    '{ apiTokens(first: 100) { edges { node { id name } } } }',
  );
  return res.body.data!.apiTokens.edges.find((e: any) => e.node.name === name).node.id;
}
/** revokeApiToken by the admin key over HTTP, on instance 2. */
const revoke = (tenant: TestTenant, id: string) =>
  two.gql(
    tenant.subdomain,
    tenant.adminKey,
    'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }',
    { id },
  );

describe('across instances', () => {
  it('a subscriber on instance 1 sees the statuses a webhook applies on instance 2', async () => {
    const message = await acceptedMessage(one, a);
    const sub = await subscribe(a, tokenA, { messageId: message.id });
    expect(await webhook(a, message.wamid, 'delivered')).toBe(200);
    expect(await webhook(a, message.wamid, 'read')).toBe(200);
    await expect
      .poll(() => sub.events.map((e) => [e.previousStatus, e.status]))
      .toEqual([
        ['SENT', 'DELIVERED'],
        ['DELIVERED', 'READ'],
      ]);
    expect(sub.events[1]!.message).toMatchObject({
      id: encodeId('Message', message.id),
      status: 'READ',
      wamid: message.wamid,
    });
  });
});

describe('fan-out', () => {
  it("loads an event's message once for all of an instance's subscribers", async () => {
    const message = await acceptedMessage(one, a);
    const subs = await Promise.all(
      Array.from({ length: 10 }, () => subscribe(a, tokenA, { messageId: message.id })),
    );
    const before = one.database.statementCount();
    expect(await webhook(a, message.wamid, 'delivered')).toBe(200);
    await expect.poll(() => subs.every((sub) => sub.events.length === 1)).toBe(true);
    for (const sub of subs) expect(sub.events[0]).toMatchObject({ status: 'DELIVERED' });
    // One SELECT for the ten (the webhook itself is applied by instance 2).
    expect(one.database.statementCount() - before).toBeLessThanOrEqual(2);
  });
});

describe('filters', () => {
  it('messageId and contactId narrow the events; no filter gets them all', async () => {
    const [maria, carlos] = [await contact(a), await contact(a)];
    const m1 = await acceptedMessage(one, a, { contactId: maria });
    const m2 = await acceptedMessage(one, a, { contactId: maria });
    const m3 = await acceptedMessage(one, a, { contactId: carlos });
    const byMessage = await subscribe(a, tokenA, { messageId: m1.id });
    const byContact = await subscribe(a, tokenA, { contactId: maria });
    const all = await subscribe(a, tokenA);
    for (const m of [m1, m2, m3]) await webhook(a, m.wamid, 'delivered');
    const ids = (sub: Subscriber) => sub.events.map((e) => e.message!.id);
    await expect.poll(() => ids(all)).toEqual([m1, m2, m3].map((m) => encodeId('Message', m.id)));
    // Each has had every event published so far once a probe published now reaches it.
    await Promise.all([byMessage.ready(), byContact.ready()]);
    expect(ids(byMessage)).toEqual([encodeId('Message', m1.id)]);
    expect(ids(byContact)).toEqual([m1, m2].map((m) => encodeId('Message', m.id)));
  });
});

describe('authorization', () => {
  it('refuses a token without a messages.send_* ability with FORBIDDEN at subscribe', async () => {
    const secret = await one.createToken(a, ['contacts.read', 'templates.read']);
    const sub = subscribeStatuses(one, a, secret);
    open.push(sub);
    await expect.poll(() => sub.errors.length).toBeGreaterThan(0);
    expect(sub.errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(sub.errors[0]!.message).toContain('"messages.send_text"');
    expect(sub.events).toEqual([]);
  });

  /**
   * Runs `cut` (an admin request to instance 2) and waits until the subscriber hears of it. How
   * long that takes is measured by bench/subscriptions.ts (revocation to close), not bounded here.
   */
  async function cutOff(sub: Subscriber, cut: () => Promise<{ body: { errors?: unknown } }>) {
    const res = await cut();
    expect(res.body.errors).toBeUndefined();
    await expect.poll(() => sub.endedAt, { timeout: 5000 }).toBeDefined();
  }

  it('revoking the token ends the live subscription (UNAUTHENTICATED, 4401)', async () => {
    const name = uniqueName('live');
    const secret = await one.createToken(a, ['messages.send_text'], { name });
    const id = await tokenId(a, name);
    const sub = await subscribe(a, secret);
    await cutOff(sub, () => revoke(a, id));
    expect(sub.errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    await expect.poll(() => sub.closed?.code).toBe(4401);
  });

  it('switching API access off ends it the same way (API_ACCESS_DISABLED, 4403)', async () => {
    const tenant = await one.createTenant();
    const secret = await one.createToken(tenant, ['messages.send_media']);
    const sub = await subscribe(tenant, secret);
    await cutOff(sub, () =>
      two.gql(
        tenant.subdomain,
        tenant.adminKey,
        'mutation { setApiAccess(enabled: false) { apiEnabled } }',
      ),
    );
    expect(sub.errors.map((e) => e.extensions?.code)).toEqual(['API_ACCESS_DISABLED']);
    await expect.poll(() => sub.closed?.code).toBe(4403);
  });

  it('a subscription of another token of the tenant lives on', async () => {
    const other = await subscribe(a, tokenA);
    const name = uniqueName('gone');
    const secret = await one.createToken(a, ['messages.send_text'], { name });
    const doomed = await subscribe(a, secret);
    const id = await tokenId(a, name);
    await cutOff(doomed, () => revoke(a, id));
    const message = await acceptedMessage(one, a);
    await webhook(a, message.wamid, 'delivered');
    await expect.poll(() => statusesOf(other, message.id)).toEqual(['QUEUED', 'SENT', 'DELIVERED']);
    expect(other.endedAt).toBeUndefined();
  });
});

describe('tenant isolation', () => {
  it("a subscriber of tenant B never receives tenant A's events", async () => {
    const subA = await subscribe(a, tokenA);
    const subB = await subscribe(b, tokenB);
    const mineA = await acceptedMessage(one, a);
    const mineB = await acceptedMessage(one, b);
    await webhook(a, mineA.wamid, 'delivered');
    await webhook(a, mineA.wamid, 'read');
    await expect
      .poll(() => statusesOf(subA, mineA.id))
      .toEqual(['QUEUED', 'SENT', 'DELIVERED', 'READ']);
    // B's own event comes after A's: once B has it, A's would have arrived before it.
    await webhook(b, mineB.wamid, 'delivered');
    await expect.poll(() => statusesOf(subB, mineB.id)).toEqual(['QUEUED', 'SENT', 'DELIVERED']);
    expect(new Set(subB.events.map((e) => e.message?.id))).toEqual(
      new Set([encodeId('Message', mineB.id)]),
    );
  });
});

describe('SSE', () => {
  it('a GET with Accept: text/event-stream receives the events, until the token is revoked', async () => {
    const name = uniqueName('sse');
    const secret = await one.createToken(a, ['messages.send_text'], { name });
    const message = await acceptedMessage(one, a);
    const query = new URLSearchParams({
      query: print(STATUS_CHANGED),
      variables: JSON.stringify({ messageId: encodeId('Message', message.id) }),
    });
    const abort = new AbortController();
    const response = await fetch(`${one.url}/api/v1/${a.subdomain}/graphql?${query}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${secret}` },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const received: any[] = [];
    const reading = (async () => {
      let buffer = '';
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += chunk.value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const data = buffer
            .slice(0, end)
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5))
            .join('');
          buffer = buffer.slice(end + 2);
          if (data.trim()) received.push(JSON.parse(data));
        }
      }
    })().catch(() => {});
    const events = () => received.map((r) => r.data?.messageStatusChanged).filter(Boolean);
    await expect
      .poll(async () => {
        await probe(one, a, { messageId: message.id });
        return events().length;
      })
      .toBeGreaterThan(0);
    await webhook(a, message.wamid, 'delivered');
    await expect
      .poll(() =>
        events()
          .filter((e) => !isProbe(e))
          .map((e) => e.status),
      )
      .toEqual(['DELIVERED']);
    await revoke(a, await tokenId(a, name));
    await expect.poll(() => received.at(-1)?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await reading; // the stream ends
    abort.abort();
  });
});
