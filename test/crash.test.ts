import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { decodeIdOf } from '../src/ids.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { cleanEnv, startProcess, type Started } from './helpers/process.js';
import { FakeWhatsApp } from './helpers/fake-whatsapp.js';
import { connectWhatsApp } from './helpers/messaging.js';

/**
 * Crash safety of the dispatcher (`npm run dispatcher`, its own process): a burst of messages,
 * the dispatcher SIGKILLed while sends are in flight, started again. Every message reaches Meta
 * exactly once: a send Meta accepted but whose answer was lost is settled by Meta's status
 * webhook (which carries our id) before its in-doubt window ends, so it is never sent twice.
 */
const N = 200;
const APP_SECRET = randomBytes(16).toString('hex');
const KEY = randomBytes(32);

let fake: FakeWhatsApp;
let t: TestApp;
let tenant: TestTenant;
let graphUrl: string;
const dispatchers: Started[] = [];

beforeAll(async () => {
  fake = new FakeWhatsApp(APP_SECRET);
  // ~10 sends in flight at any moment (the dispatcher's concurrency), each answered after 60 ms;
  // Meta's "sent" webhook follows 300 ms after it accepted the message.
  fake.sendDelayMs = 60;
  fake.autoStatuses = { statuses: ['sent', 'delivered'], delayMs: 300 };
  graphUrl = await fake.start();
  const defaults = loadConfig({});
  t = await startTestApp({
    whatsapp: { mode: 'cloud', graphUrl, appSecret: APP_SECRET, verifyToken: undefined },
    encryptionKey: KEY,
    dispatcher: { ...defaults.dispatcher, inProcess: false },
    // The burst is accepted at once: no throttling of the sends here.
    rateLimit: { ...defaults.rateLimit, bucketSize: 100_000, sendsPerSecond: 10_000 },
  });
  fake.webhookUrl = `${t.url}/webhooks/whatsapp`;
  tenant = await t.createTenant();
  const accessToken = await connectWhatsApp(t, tenant, '109876543210987');
  fake.accessTokens.add(accessToken);
});
afterAll(async () => {
  await Promise.all(dispatchers.map((d) => d.stop('SIGKILL')));
  await fake?.settle();
  await t?.stop();
  await fake?.stop();
});

function startDispatcher(): Started {
  const started = startProcess(
    'src/dispatcher-main.ts',
    [],
    cleanEnv({
      DATABASE_URL: t.config.databaseUrl!,
      WHATSAPP_MODE: 'cloud',
      WHATSAPP_GRAPH_URL: graphUrl,
      ENCRYPTION_KEY: KEY.toString('base64'),
      DISPATCH_IN_DOUBT_MS: '1500',
      DISPATCH_LEASE_MS: '3000',
      LOG_LEVEL: 'warn',
    }),
  );
  dispatchers.push(started);
  return started;
}

const rows = () =>
  t.database.db
    .selectFrom('messages')
    .select(['id', 'status', 'wamid', 'attempts'])
    .where('tenant_id', '=', tenant.tenant.id)
    .execute();

it('sends every message exactly once though the dispatcher is killed mid-burst', async () => {
  const token = await t.createToken(tenant, ['messages.send_text']);
  const accepted: string[] = [];
  for (let i = 0; i < N; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, N - i) }, (_, j) =>
        t.gql(
          tenant.subdomain,
          token,
          'mutation($input: SendTextMessageInput!) { sendTextMessage(input: $input) { message { id } } }',
          { input: { to: { phone: '+442079460958' }, body: `Burst ${i + j}` } },
        ),
      ),
    );
    for (const res of batch) {
      expect(res.body.errors).toBeUndefined();
      accepted.push(decodeIdOf('Message', res.body.data!.sendTextMessage.message.id));
    }
  }
  expect(fake.sent).toHaveLength(0);

  const first = startDispatcher();
  await first.waitFor(/dispatcher started/);
  await expect
    .poll(() => fake.sent.length, { timeout: 20_000, interval: 5 })
    .toBeGreaterThan(N / 3);
  await first.stop('SIGKILL');
  const reachedAtKill = new Set(fake.sent.map((s) => s.body.biz_opaque_callback_data as string));
  const recordedAtKill = new Set((await rows()).filter((r) => r.wamid).map((r) => r.id));
  // Accepted by Meta, answer never recorded: only the webhook can tell us.
  const inFlight = [...reachedAtKill].filter((id) => !recordedAtKill.has(id));
  expect(inFlight.length).toBeGreaterThan(0);
  expect(reachedAtKill.size).toBeLessThan(N);

  const second = startDispatcher();
  await second.waitFor(/dispatcher started/);
  // The killed dispatcher's unsent claims wait out their lease (30 s) before they are retried.
  await expect
    .poll(async () => (await rows()).filter((r) => r.status === 'QUEUED').length, {
      timeout: 90_000,
      interval: 250,
    })
    .toBe(0);
  await fake.settle();
  expect(await second.stop('SIGTERM')).toBe(0);

  // Exactly once: every request Meta received names a distinct accepted message.
  const requested = fake.requests
    .filter((r) => r.method === 'POST' && r.path.endsWith('/messages'))
    .map((r) => (r.body as { biz_opaque_callback_data: string }).biz_opaque_callback_data);
  expect(requested).toHaveLength(N);
  expect(new Set(requested)).toEqual(new Set(accepted));

  const wamids = new Map(fake.sent.map((s) => [s.body.biz_opaque_callback_data, s.wamid]));
  const final = await rows();
  expect(final).toHaveLength(N);
  for (const row of final) {
    expect(['SENT', 'DELIVERED'], row.id).toContain(row.status);
    expect(row.wamid, row.id).toBe(wamids.get(row.id));
  }

  // The sends in flight at the kill were recorded from the webhook, not sent again.
  const settled = await t.database.db
    .selectFrom('message_status_events')
    .select('message_id')
    .where('tenant_id', '=', tenant.tenant.id)
    .where('status', '=', 'SENT')
    .where('source', '=', 'webhook')
    .execute();
  const settledIds = new Set(settled.map((s) => s.message_id));
  for (const id of inFlight) expect(settledIds.has(id), id).toBe(true);
  console.info(
    `crash: ${reachedAtKill.size}/${N} reached Meta at the kill, ${inFlight.length} in flight; ` +
      `${settledIds.size} recorded from the webhook, ` +
      `${final.filter((r) => r.attempts > 1).length} claimed twice`,
  );
}, 150_000);
