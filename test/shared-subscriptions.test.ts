import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createContact } from '../src/contacts/repo.js';
import { encodeId } from '../src/ids.js';
import { startTestApp, uniqueName, type TestApp, type TestTenant } from './helpers/test-app.js';
import { FakeWhatsApp } from './helpers/fake-whatsapp.js';
import { acceptedMessage, connectWhatsApp, isProbe, probe, wsClient } from './helpers/messaging.js';
import { scrape, valueOf } from './helpers/metrics.js';

/**
 * Subscribers of one tenant with the same document, variables and abilities share one execution
 * per event (src/subscriptions/shared-execution.ts): they get identical payloads, the event is
 * executed once for them (gateway_subscription_executions_total), and nothing is shared across
 * variables, abilities or tenants; a revoked token's subscribers end alone.
 */
const APP_SECRET = randomBytes(16).toString('hex');

let t: TestApp;
/** Each test has tenants of its own: no other test's subscribers hear their events. */
let a: TestTenant;
let b: TestTenant;
const phones = new Map<TestTenant, string>();
const meta = new FakeWhatsApp(APP_SECRET);
const open: Raw[] = [];

beforeAll(async () => {
  const defaults = loadConfig({});
  t = await startTestApp({
    whatsapp: { ...defaults.whatsapp, appSecret: APP_SECRET },
    encryptionKey: randomBytes(32),
    dispatcher: { ...defaults.dispatcher, inProcess: false },
  });
  meta.webhookUrl = `${t.url}/webhooks/whatsapp`;
});
beforeEach(async () => {
  [a, b] = [await connectedTenant(), await connectedTenant()];
});

async function connectedTenant(): Promise<TestTenant> {
  const tenant = await t.createTenant();
  const phone = `1${randomBytes(7).readUIntBE(0, 6).toString().padStart(14, '0').slice(0, 14)}`;
  await connectWhatsApp(t, tenant, phone);
  phones.set(tenant, phone);
  return tenant;
}
afterAll(async () => {
  await Promise.all(open.map((s) => s.dispose()));
  await t?.stop();
});

const WATCH = `subscription Watch($messageId: ID) {
  messageStatusChanged(messageId: $messageId) { occurredAt status previousStatus message { id status } }
}`;
const WATCH_CONTACT = `subscription WatchContact($messageId: ID) {
  messageStatusChanged(messageId: $messageId) { occurredAt status message { id contact { firstName } } }
}`;

/** A graphql-ws subscriber keeping every result exactly as received. */
interface Raw {
  /** Results other than readiness probes, as received. */
  results: { data?: any; errors?: { message: string; extensions?: any }[] }[];
  closed: { code: number } | undefined;
  /** The readiness probes it received, by their occurredAt. */
  probes: Set<string>;
  /** Resolves once a probe published now has reached it (it listens; earlier events are in). */
  settle(): Promise<void>;
  dispose(): Promise<void>;
}

function subscribeRaw(tenant: TestTenant, secret: string, query: string, messageId?: string): Raw {
  const client = wsClient(t, tenant, secret, ({ code }) => (raw.closed = { code }));
  const probes = new Set<string>();
  const raw: Raw = {
    results: [],
    closed: undefined,
    probes,
    async settle() {
      // One probe at a time, another only if it was missed (published before it listened).
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (raw.closed) throw new Error(`Closed with ${raw.closed.code}.`);
        const mine = await probe(t, tenant, { messageId });
        const missed = Date.now() + 1000;
        while (!probes.has(mine) && Date.now() < missed) await sleep(20);
        if (probes.has(mine)) return;
        if (Date.now() > deadline) throw new Error('No probe reached the subscriber.');
      }
    },
    dispose: async () => {
      await client.dispose();
    },
  };
  client.subscribe(
    { query, variables: { messageId: messageId && encodeId('Message', messageId) } },
    {
      next: (result: any) => {
        const event = result.data?.messageStatusChanged;
        if (event && isProbe(event)) probes.add(event.occurredAt);
        else raw.results.push(result);
      },
      error: () => {},
      complete: () => {},
    },
  );
  open.push(raw);
  return raw;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Publishes one probe `subs` all let through and waits until each has it: every event published
 * before it has then been executed for each of their groups (a group keeps its events' order).
 */
async function barrier(tenant: TestTenant, subs: Raw[], messageId?: string): Promise<void> {
  const mine = await probe(t, tenant, { messageId });
  await expect.poll(() => subs.every((sub) => sub.probes.has(mine))).toBe(true);
}

const executions = async () =>
  valueOf(await scrape(t.url), 'gateway_subscription_executions_total') ?? Number.NaN;

const webhook = (tenant: TestTenant, wamid: string, status: string) =>
  meta.deliver(meta.statusPayload(phones.get(tenant)!, wamid, status));

describe('shared execution', () => {
  it('subscribers with the same document, variables and abilities get identical payloads from one execution', async () => {
    const secret = await t.createToken(a, ['messages.send_text']);
    const other = await t.createToken(a, ['messages.send_text']);
    const message = await acceptedMessage(t, a);
    const subs = [
      subscribeRaw(a, secret, WATCH, message.id),
      subscribeRaw(a, secret, WATCH, message.id),
      subscribeRaw(a, other, WATCH, message.id),
    ];
    for (const sub of subs) await sub.settle();
    await barrier(a, subs, message.id);
    const before = await executions();
    expect(await webhook(a, message.wamid, 'delivered')).toBe(200);
    await expect.poll(() => subs.every((sub) => sub.results.length === 1)).toBe(true);
    expect(await executions()).toBe(before + 1);
    expect(subs[0]!.results[0]).toEqual({
      data: {
        messageStatusChanged: {
          occurredAt: expect.any(String),
          status: 'DELIVERED',
          previousStatus: 'SENT',
          message: { id: encodeId('Message', message.id), status: 'DELIVERED' },
        },
      },
    });
    for (const sub of subs) expect(sub.results).toEqual(subs[0]!.results);
  });
});

describe('not shared', () => {
  it('different variables or abilities execute apart; a field refused to one is refused to it alone', async () => {
    const maria = uniqueName('Maria');
    const { id: contactId } = await createContact(t.database.db, a.tenant.id, {
      first_name: maria,
      phone: `+4420794${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`,
    });
    const message = await acceptedMessage(t, a, { contactId });
    const reader = await t.createToken(a, ['messages.send_text', 'contacts.read']);
    const sender = await t.createToken(a, ['messages.send_text']);
    const withContacts = subscribeRaw(a, reader, WATCH_CONTACT, message.id);
    const without = subscribeRaw(a, sender, WATCH_CONTACT, message.id);
    const unfiltered = subscribeRaw(a, reader, WATCH_CONTACT);
    for (const sub of [withContacts, without, unfiltered]) await sub.settle();
    await barrier(a, [withContacts, without, unfiltered], message.id);
    const before = await executions();
    expect(await webhook(a, message.wamid, 'delivered')).toBe(200);
    const mine = (sub: Raw) =>
      sub.results.filter(
        (r) =>
          r.data?.messageStatusChanged?.status === 'DELIVERED' &&
          r.data.messageStatusChanged.message?.id === encodeId('Message', message.id),
      );
    await expect
      .poll(() => [withContacts, without, unfiltered].map((sub) => mine(sub).length))
      .toEqual([1, 1, 1]);
    // Three keys (abilities differ; variables differ), three executions of the one event.
    expect(await executions()).toBe(before + 3);
    expect(mine(withContacts)[0]!.data.messageStatusChanged.message.contact).toEqual({
      firstName: maria,
    });
    expect(mine(unfiltered)[0]).toEqual(mine(withContacts)[0]);
    const refused = mine(without)[0]!;
    expect(refused.data.messageStatusChanged.message.contact).toBeNull();
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
  });

  it("another tenant's subscribers with the same document never receive its events", async () => {
    const secretA = await t.createToken(a, ['messages.send_text']);
    const secretB = await t.createToken(b, ['messages.send_text']);
    const message = await acceptedMessage(t, a);
    const subA = subscribeRaw(a, secretA, WATCH);
    const subB = subscribeRaw(b, secretB, WATCH);
    await subA.settle();
    await subB.settle();
    await barrier(a, [subA]);
    await barrier(b, [subB]);
    const before = await executions();
    expect(await webhook(a, message.wamid, 'delivered')).toBe(200);
    await expect
      .poll(() =>
        subA.results.some(
          (r) =>
            r.data?.messageStatusChanged?.status === 'DELIVERED' &&
            r.data.messageStatusChanged.message?.id === encodeId('Message', message.id),
        ),
      )
      .toBe(true);
    // One execution, for A's group; B's group ran nothing.
    expect(await executions()).toBe(before + 1);
    // Anything sent to B before a probe published now would have reached it before the probe.
    await subB.settle();
    const idsOfA = new Set(subA.results.map((r) => r.data?.messageStatusChanged?.message?.id));
    expect(
      subB.results.filter((r) => idsOfA.has(r.data?.messageStatusChanged?.message?.id)),
    ).toEqual([]);
  });
});

describe('authorization, per subscriber', () => {
  it('revoking one token ends its subscribers alone; those of a token with the same abilities go on', async () => {
    const name = uniqueName('doomed');
    const doomedSecret = await t.createToken(a, ['messages.send_text'], { name });
    const keptSecret = await t.createToken(a, ['messages.send_text']);
    const doomed = [subscribeRaw(a, doomedSecret, WATCH), subscribeRaw(a, doomedSecret, WATCH)];
    const kept = [subscribeRaw(a, keptSecret, WATCH), subscribeRaw(a, keptSecret, WATCH)];
    for (const sub of [...doomed, ...kept]) await sub.settle();
    const tokens = await t.gql(
      a.subdomain,
      a.adminKey,
      '{ apiTokens(first: 100) { edges { node { id name } } } }',
    );
    const id = tokens.body.data!.apiTokens.edges.find((e: any) => e.node.name === name).node.id;
    const revoked = await t.gql(
      a.subdomain,
      a.adminKey,
      'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }',
      { id },
    );
    expect(revoked.body.errors).toBeUndefined();
    for (const sub of doomed) {
      await expect.poll(() => sub.closed?.code).toBe(4401);
      expect(sub.results.flatMap((r) => r.errors ?? []).map((e) => e.extensions?.code)).toEqual([
        'UNAUTHENTICATED',
      ]);
    }
    const message = await acceptedMessage(t, a);
    expect(await webhook(a, message.wamid, 'delivered')).toBe(200);
    const got = (sub: Raw) =>
      sub.results.some(
        (r) =>
          r.data?.messageStatusChanged?.status === 'DELIVERED' &&
          r.data.messageStatusChanged.message?.id === encodeId('Message', message.id),
      );
    await expect.poll(() => kept.every(got)).toBe(true);
    for (const sub of kept) expect(sub.closed).toBeUndefined();
    expect(doomed.some(got)).toBe(false);
  });
});
