import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { createDispatcher } from '../src/messages/create-dispatcher.js';
import type { Dispatcher } from '../src/messages/dispatcher.js';
import { CloudApiCache } from '../src/whatsapp/connection.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { FakeWhatsApp } from './helpers/fake-whatsapp.js';
import { connectWhatsApp } from './helpers/messaging.js';

/**
 * The dispatcher's settings, its pace per tenant (SEND_RATE_LIMIT_MPS, shared by every
 * dispatcher), and its cache of the tenants' Cloud API connections, against the loopback Cloud
 * API. Dispatchers are created here (the app's own is off), so each test decides when they run.
 */
const APP_SECRET = randomBytes(16).toString('hex');
const logger = pino({ level: 'silent' });

let fake: FakeWhatsApp;
let t: TestApp;

beforeAll(async () => {
  fake = new FakeWhatsApp(APP_SECRET);
  fake.autoStatuses = null;
  const graphUrl = await fake.start();
  const defaults = loadConfig({});
  t = await startTestApp({
    whatsapp: { mode: 'cloud', graphUrl, appSecret: APP_SECRET, verifyToken: undefined },
    encryptionKey: randomBytes(32),
    dispatcher: { ...defaults.dispatcher, inProcess: false },
  });
});
afterAll(async () => {
  await t?.stop();
  await fake?.stop();
});

/** A tenant with a WhatsApp connection whose token the fake accepts. */
async function connectedTenant(phoneNumberId: string): Promise<TestTenant> {
  const tenant = await t.createTenant();
  fake.accessTokens.add(await connectWhatsApp(t, tenant, phoneNumberId));
  return tenant;
}

/** Queues `count` text messages for the tenant, as accepted sends leave them; returns their ids. */
async function queue(tenant: TestTenant, count: number, label: string): Promise<string[]> {
  const rows = await t.database.db
    .insertInto('messages')
    .values(
      Array.from({ length: count }, (_, i) => ({
        tenant_id: tenant.tenant.id,
        to_phone: `4479460${String(i).padStart(5, '0')}`,
        type: 'TEXT' as const,
        content: JSON.stringify({ body: `${label} ${i}`, previewUrl: false }),
        transport: 'cloud' as const,
      })) as never,
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

const statuses = async (ids: string[]) =>
  (
    await t.database.db.selectFrom('messages').select('status').where('id', 'in', ids).execute()
  ).map((r) => r.status);

function dispatcher(overrides: Partial<Config> = {}): Dispatcher {
  return createDispatcher({ ...t.config, ...overrides }, t.database.db, logger, { pollMs: 20 });
}

/** Arrivals at the fake of the sends naming these message ids, in arrival order. */
const arrivals = (ids: string[]) => {
  const wanted = new Set(ids);
  return fake.sendLog.filter((s) => wanted.has(s.body.biz_opaque_callback_data as string));
};

describe('settings', () => {
  it('reads DISPATCH_CONCURRENCY and DISPATCH_BATCH_SIZE, with defaults that keep up with Meta', () => {
    const defaults = loadConfig({});
    // 1,000 messages/s (Meta's highest tier) at its slowest answers (300 ms) needs 300 in flight.
    expect(defaults.dispatcher).toMatchObject({ concurrency: 300, batchSize: 100 });
    expect(defaults.rateLimit.sendsPerSecond).toBe(80);
    const set = loadConfig({
      DISPATCH_CONCURRENCY: '40',
      DISPATCH_BATCH_SIZE: '15',
      SEND_RATE_LIMIT_MPS: '250',
    });
    expect(set.dispatcher).toMatchObject({ concurrency: 40, batchSize: 15 });
    expect(set.rateLimit.sendsPerSecond).toBe(250);
  });

  it.each([
    ['DISPATCH_CONCURRENCY', '0'],
    ['DISPATCH_CONCURRENCY', 'many'],
    ['DISPATCH_BATCH_SIZE', '1001'],
    ['DISPATCH_BATCH_SIZE', '2.5'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
  });

  it('has no more than DISPATCH_CONCURRENCY sends awaiting their answer at once', async () => {
    const tenant = await connectedTenant('100000000000001');
    const ids = await queue(tenant, 30, 'bounded');
    // Each send is answered 100 ms after it arrived: a slot frees no sooner.
    fake.sendDelayMs = 100;
    const d = dispatcher({
      dispatcher: { ...t.config.dispatcher, concurrency: 4, batchSize: 3 },
      rateLimit: { ...t.config.rateLimit, sendsPerSecond: 1000 },
    });
    d.start();
    try {
      await expect
        .poll(async () => (await statuses(ids)).every((s) => s === 'SENT'), {
          timeout: 20_000,
          interval: 50,
        })
        .toBe(true);
    } finally {
      fake.sendDelayMs = 0;
      await d.stop();
    }
    const at = arrivals(ids).map((s) => s.at);
    expect(at).toHaveLength(30);
    // Counted over the fake's clock: sends that arrived within 95 ms of one another were all
    // awaiting their answer together.
    const together = at.map((end) => at.filter((a) => a > end - 95 && a <= end).length);
    expect(Math.max(...together)).toBeLessThanOrEqual(4);
    expect(Math.max(...together)).toBeGreaterThan(1);
  });
});

describe('pacing', () => {
  it("sends no more than a tenant's rate each second, across two dispatchers, without holding up other tenants", async () => {
    const rate = 10;
    const busy = await connectedTenant('100000000000002');
    const other = await connectedTenant('100000000000003');
    // The busy tenant's backlog is older: oldest first would put it all ahead of the other's.
    const busyIds = await queue(busy, 3 * rate, 'campaign');
    const otherIds = await queue(other, 5, 'receipt');
    const overrides = { rateLimit: { ...t.config.rateLimit, sendsPerSecond: rate } };
    const dispatchers = [dispatcher(overrides), dispatcher(overrides)];
    for (const d of dispatchers) d.start();
    try {
      await expect
        .poll(async () => (await statuses([...busyIds, ...otherIds])).every((s) => s === 'SENT'), {
          timeout: 20_000,
          interval: 100,
        })
        .toBe(true);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
    }

    const busySends = arrivals(busyIds);
    expect(busySends).toHaveLength(busyIds.length);
    // Slots are 1/rate s apart, so any rate + 1 sends in a row span a second at least. Over the
    // fake's clock, arrivals carry the jitter of two dispatchers and of the loopback (a send of
    // one second's end counted in the next when bucketed by calendar second): 200 ms allowed.
    // Unpaced, the 30 sends would arrive within a few tens of milliseconds.
    const times = busySends.map((send) => send.at).sort((a, b) => a - b);
    const spans = times.slice(rate).map((at, i) => at - times[i]!);
    expect(Math.min(...spans)).toBeGreaterThanOrEqual(800);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(1_800);

    // The other tenant's messages went out within the busy tenant's first second's worth.
    const otherSends = arrivals(otherIds);
    expect(otherSends).toHaveLength(otherIds.length);
    const lastOther = otherSends.at(-1)!;
    const busyBefore = busySends.filter(
      (s) => fake.sendLog.indexOf(s) < fake.sendLog.indexOf(lastOther),
    );
    expect(busyBefore.length).toBeLessThanOrEqual(rate + 1);
  }, 30_000);

  it('gives back, on stop, the claims still waiting for their slot', async () => {
    const tenant = await connectedTenant('100000000000008');
    const ids = await queue(tenant, 6, 'stopping');
    // Two a second: a claim books the slots of the next second, three messages of six.
    const d = dispatcher({ rateLimit: { ...t.config.rateLimit, sendsPerSecond: 2 } });
    d.start();
    await expect.poll(() => arrivals(ids).length, { timeout: 10_000, interval: 5 }).toBe(1);
    await d.stop();
    const rows = await t.database.db
      .selectFrom('messages')
      .select(['id', 'status', 'claimed_until', 'sending_started_at'])
      .where('id', 'in', ids)
      .execute();
    const sent = new Set(arrivals(ids).map((s) => s.body.biz_opaque_callback_data));
    expect(rows.filter((r) => r.status === 'SENT').map((r) => r.id)).toEqual([...sent]);
    const unsent = rows.filter((r) => !sent.has(r.id));
    expect(unsent.length).toBeGreaterThanOrEqual(4);
    for (const row of unsent) {
      expect(row).toMatchObject({
        status: 'QUEUED',
        claimed_until: null,
        sending_started_at: null,
      });
    }
  });
});

describe('connection cache', () => {
  it('uses a new access token and phone number once setWhatsAppConnection changed them', async () => {
    const tenant = await t.createTenant();
    const firstToken = await connectWhatsApp(t, tenant, '100000000000004');
    fake.accessTokens.add(firstToken);
    const d = dispatcher({ rateLimit: { ...t.config.rateLimit, sendsPerSecond: 1000 } });
    d.start();
    try {
      const before = await queue(tenant, 3, 'before');
      await expect
        .poll(async () => (await statuses(before)).every((s) => s === 'SENT'), { timeout: 10_000 })
        .toBe(true);

      // The old token stops working at Meta: a dispatcher still using it would fail the send.
      fake.accessTokens.delete(firstToken);
      const secondToken = await connectWhatsApp(t, tenant, '100000000000005');
      fake.accessTokens.add(secondToken);
      const after = await queue(tenant, 3, 'after');
      await expect
        .poll(async () => await statuses(after), { timeout: 10_000 })
        .toEqual(['SENT', 'SENT', 'SENT']);

      const requestsOf = (ids: string[]) =>
        fake.requests.filter((r) => ids.includes((r.body as any)?.biz_opaque_callback_data));
      expect(requestsOf(before).map((r) => [r.path, r.authorization])).toEqual(
        before.map(() => ['/v21.0/100000000000004/messages', `Bearer ${firstToken}`]),
      );
      expect(requestsOf(after).map((r) => [r.path, r.authorization])).toEqual(
        after.map(() => ['/v21.0/100000000000005/messages', `Bearer ${secondToken}`]),
      );
    } finally {
      await d.stop();
    }
  });

  it('keeps the decrypted client while the connection is unchanged: no statement per send', async () => {
    const tenant = await connectedTenant('100000000000006');
    const id = tenant.tenant.id;
    const cache = new CloudApiCache(t.database.db, t.config);
    await cache.refresh([id]);
    const first = await cache.open(id);
    const statements = t.database.statementCount();
    for (let i = 0; i < 10; i += 1) expect(await cache.open(id)).toBe(first);
    expect(t.database.statementCount() - statements).toBe(0);

    await cache.refresh([id]);
    expect(await cache.open(id)).toBe(first);

    await connectWhatsApp(t, tenant, '100000000000007');
    expect(await cache.open(id)).toBe(first); // until the next batch's refresh
    await cache.refresh([id]);
    const second = await cache.open(id);
    expect(second).not.toBe(first);
    expect(second.connection.phone_number_id).toBe('100000000000007');

    await t.database.db.deleteFrom('whatsapp_connections').where('tenant_id', '=', id).execute();
    await cache.refresh([id]);
    await expect(cache.open(id)).rejects.toThrow(/no WhatsApp connection/);
  });
});
