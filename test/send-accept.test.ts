import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { decodeIdOf } from '../src/ids.js';
import { enqueueMessage, type NewMessage } from '../src/messages/repo.js';
import { connectWhatsApp } from './helpers/messaging.js';
import { FakeWhatsApp } from './helpers/fake-whatsapp.js';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { until } from './helpers/until.js';

/**
 * Accepting sends under load (issue 14): the SQL one accepted send costs, and group commit —
 * sends arriving while the outbox is being written are written together by one transaction,
 * each caller still getting its own message, its own replay or CONFLICT, and its own error.
 */
const APP_SECRET = randomBytes(16).toString('hex');

let fake: FakeWhatsApp;
let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  fake = new FakeWhatsApp(APP_SECRET);
  const graphUrl = await fake.start();
  t = await startTestApp({
    whatsapp: { mode: 'cloud', graphUrl, appSecret: APP_SECRET, verifyToken: 'verify-me' },
    encryptionKey: randomBytes(32),
    // Bounds far away: the sends bucket must not refuse the bursts below.
    rateLimit: { bucketSize: 100_000, restoreRate: 100_000, sendsPerSecond: 10_000 },
    // Messages stay QUEUED, and the dispatcher's statements stay out of the counts.
    dispatcher: {
      ...loadConfig({ DATABASE_URL: 'postgres://unused' }).dispatcher,
      inProcess: false,
    },
  });
  tenant = await t.createTenant();
  const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
  fake.accessTokens.add(accessToken);
  await connectWhatsApp(t, tenant, '109876543210987', accessToken);
  token = await t.createToken(tenant, ['messages.send_text', 'contacts.create']);
});
afterAll(async () => {
  await t.stop();
  await fake.stop();
});

const SEND = `mutation Send($input: SendTextMessageInput!) {
  sendTextMessage(input: $input) { message { id status } }
}`;

let phones = 0;
/** A UK mobile number of its own. */
const nextPhone = () => `+4475${String(++phones * 10 + 1).padStart(8, '0')}`;

function send(input: { phone?: string; body?: string; idempotencyKey?: string }) {
  return t.gql(tenant.subdomain, token, SEND, {
    input: {
      to: { phone: input.phone ?? nextPhone() },
      body: input.body ?? 'Hello',
      ...(input.idempotencyKey && { idempotencyKey: input.idempotencyKey }),
    },
  });
}

const messageId = (res: { body: { data?: any } }): string =>
  decodeIdOf('Message', res.body.data.sendTextMessage.message.id, 'id');

/** Statements on the app's own pool (the rate-limit pool's left out). */
const outboxStatements = () => t.database.statementCount() - t.app.limitsDatabase.statementCount();

/**
 * Runs `sends` while the tenant's row is locked, so that the first to reach the outbox waits on
 * it (its foreign key check) and the others arrive meanwhile; then lets them through.
 */
async function heldBack<T>(sends: () => Promise<T>[]): Promise<T[]> {
  const lock = new pg.Client({ connectionString: t.config.databaseUrl! });
  await lock.connect();
  try {
    await lock.query('begin');
    await lock.query('select 1 from tenants where id = $1 for update', [tenant.tenant.id]);
    const pending = Promise.all(sends());
    await until(() => someoneWaitsOnALock(lock));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the others arrive
    await lock.query('commit');
    return await pending;
  } finally {
    await lock.end();
  }
}

/** Whether a session of `client`'s database waits on a lock; `client` may be in a transaction. */
async function someoneWaitsOnALock(client: pg.Client): Promise<boolean> {
  // pg_stat_activity is read once per transaction unless its snapshot is cleared.
  await client.query('select pg_stat_clear_snapshot()');
  const { rows } = await client.query(
    `select 1 from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
  );
  return rows.length > 0;
}

describe('one accepted send', () => {
  it('costs one charge of both buckets, one outbox statement and its NOTIFY, nothing else', async () => {
    await send({}); // this instance now knows the tenant is connected
    const before = t.database.statementCount();
    const outboxBefore = outboxStatements();
    const res = await send({});
    expect(res.body.errors).toBeUndefined();
    // The token's bucket and the tenant's sends bucket together; then message + history, and
    // the QUEUED event. Before issue 14 it was 9: a statement per bucket, the connection and the
    // recipient looked up on every send, and the message and its history inserted in a
    // transaction (BEGIN … COMMIT).
    expect(t.database.statementCount() - before).toBe(3);
    expect(outboxStatements() - outboxBefore).toBe(2);
  });

  it('links a phone to its contact by the statement that writes the message', async () => {
    const phone = nextPhone();
    const created = await t.gql(
      tenant.subdomain,
      token,
      `mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }`,
      { input: { phone, firstName: 'Ada' } },
    );
    expect(created.body.errors).toBeUndefined();
    const res = await send({ phone });
    const row = await t.database.db
      .selectFrom('messages')
      .select(['contact_id', 'to_phone'])
      .where('tenant_id', '=', tenant.tenant.id)
      .where('id', '=', messageId(res))
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      contact_id: decodeIdOf('Contact', created.body.data!.createContact.contact.id, 'id'),
      to_phone: phone,
    });
  });

  it('is refused as not connected until the tenant connects, then accepted at once', async () => {
    const other = await t.createTenant();
    const otherToken = await t.createToken(other, ['messages.send_text']);
    const attempt = () =>
      t.gql(other.subdomain, otherToken, SEND, {
        input: { to: { phone: nextPhone() }, body: 'Hi' },
      });
    const refused = await attempt();
    expect(codes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.body.errors![0]!.extensions).toMatchObject({ reason: 'WHATSAPP_NOT_CONNECTED' });
    const accessToken = `EAAG${randomBytes(24).toString('hex')}`;
    fake.accessTokens.add(accessToken);
    await connectWhatsApp(t, other, '109876543210988', accessToken);
    const accepted = await attempt();
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data!.sendTextMessage.message.status).toBe('QUEUED');
  });
});

describe('sends arriving together', () => {
  it('are written together, each answered with its own queued message', async () => {
    const listener = new pg.Client({ connectionString: t.config.databaseUrl! });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => {
      const event = JSON.parse(n.payload!);
      if (event.tenantId === tenant.tenant.id && event.status === 'QUEUED') {
        heard.push(event.messageId);
      }
    });
    await listener.query('listen gateway_events');
    try {
      const before = outboxStatements();
      const answers = await heldBack(() => Array.from({ length: 20 }, () => send({})));
      const statements = outboxStatements() - before;

      expect(answers.map((a) => a.body.errors)).toEqual(Array(20).fill(undefined));
      const ids = answers.map(messageId);
      expect(new Set(ids).size).toBe(20);
      const rows = await t.database.db
        .selectFrom('messages')
        .select(['id', 'status', 'created_at'])
        .where('tenant_id', '=', tenant.tenant.id)
        .where('id', 'in', ids)
        .execute();
      expect(rows.map((r) => r.status)).toEqual(Array(20).fill('QUEUED'));
      // The first two start a writer each and wait on the lock; the 18 arriving meanwhile are
      // written by one statement: three statements (three clocks), each followed by its NOTIFY,
      // where one a send would make 20.
      expect(new Set(rows.map((r) => r.created_at.getTime())).size).toBeLessThanOrEqual(3);
      expect(statements).toBeLessThanOrEqual(6);
      const history = await t.database.db
        .selectFrom('message_status_events')
        .select(['message_id', 'status', 'previous_status'])
        .where('tenant_id', '=', tenant.tenant.id)
        .where('message_id', 'in', ids)
        .execute();
      expect(history).toHaveLength(20);
      expect(new Set(history.map((h) => h.message_id))).toEqual(new Set(ids));
      expect(history.every((h) => h.status === 'QUEUED' && h.previous_status === null)).toBe(true);
      await until(async () => heard.length >= 20);
      expect(new Set(heard)).toEqual(new Set(ids));
    } finally {
      await listener.end();
    }
  });

  it('with one idempotency key make one message, which each of them gets', async () => {
    const key = `same-${randomBytes(4).toString('hex')}`;
    const phone = nextPhone();
    const answers = await heldBack(() => [
      send({}),
      ...Array.from({ length: 3 }, () => send({ phone, body: 'Once', idempotencyKey: key })),
    ]);
    expect(answers.map((a) => a.body.errors)).toEqual(Array(4).fill(undefined));
    const ids = answers.slice(1).map(messageId);
    expect(new Set(ids).size).toBe(1);
    const { count } = await t.database.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('tenant_id', '=', tenant.tenant.id)
      .where('idempotency_key', '=', key)
      .executeTakeFirstOrThrow();
    expect(count).toBe(1);
  });

  it('with one key for two different messages: one is written, the other is a CONFLICT', async () => {
    const key = `differs-${randomBytes(4).toString('hex')}`;
    const phone = nextPhone();
    const answers = await heldBack(() => [
      send({}),
      send({ phone, body: 'First', idempotencyKey: key }),
      send({ phone, body: 'Second', idempotencyKey: key }),
    ]);
    const [written, refused] = answers[1]!.body.errors ? [2, 1] : [1, 2];
    expect(answers[written]!.body.errors).toBeUndefined();
    expect(codes(answers[refused]!)).toEqual(['CONFLICT']);
    const rows = await t.database.db
      .selectFrom('messages')
      .select(['id', 'content'])
      .where('tenant_id', '=', tenant.tenant.id)
      .where('idempotency_key', '=', key)
      .execute();
    expect(rows).toEqual([
      {
        id: messageId(answers[written]!),
        content: { body: written === 1 ? 'First' : 'Second', previewUrl: false },
      },
    ]);
  });

  it('fail one by one: a row the database refuses fails only its own caller', async () => {
    const message = (contactId: string | null): NewMessage => ({
      contactId,
      toPhone: nextPhone(),
      message: { type: 'TEXT', content: { body: 'Batch', previewUrl: false } },
      templateId: null,
      idempotencyKey: null,
      transport: 'cloud',
    });
    const enqueue = (contactId: string | null = null) =>
      enqueueMessage(t.database.db, tenant.tenant.id, message(contactId));
    // The first two are written at once, a writer each; the next four, called meanwhile, are
    // written together, and one of them names a contact that does not exist (a foreign key
    // violation).
    const calls = [
      enqueue(),
      enqueue(),
      enqueue(),
      enqueue('00000000-0000-4000-8000-000000000000'),
      enqueue(),
      enqueue(),
    ];
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({ code: '23503' });
    const ids = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.message.id] : []));
    const stored = await t.database.db
      .selectFrom('messages')
      .select('id')
      .where('tenant_id', '=', tenant.tenant.id)
      .where('id', 'in', ids)
      .execute();
    expect(stored).toHaveLength(5);
  });
});

describe('the token and sends buckets charged together', () => {
  // A cost bucket that does not refill during the test, and 5 messages a second.
  let r: TestApp;
  beforeAll(async () => {
    r = await startTestApp({
      rateLimit: { bucketSize: 1000, restoreRate: 0.000001, sendsPerSecond: 5 },
      dispatcher: {
        ...loadConfig({ DATABASE_URL: 'postgres://unused' }).dispatcher,
        inProcess: false,
      },
    });
  });
  afterAll(() => r.stop());

  it('refuse the sends the tenant has no room for, and charge no points for them', async () => {
    const own = await r.createTenant();
    const sender = await r.createToken(own, ['messages.send_text']);
    const sendOne = () =>
      r.gql(own.subdomain, sender, SEND, { input: { to: { phone: nextPhone() }, body: 'Hi' } });
    // One message of room left, and no refill: its clock is an hour ahead (a clock that went
    // backwards refills nothing).
    await r.database.db
      .insertInto('rate_limit_buckets')
      .values({
        tenant_id: own.tenant.id,
        bucket: 'sends',
        available: 1,
        granted: true,
        updated_at: new Date(Date.now() + 3_600_000),
      } as never)
      .execute();
    // The first waits on the sends bucket's row; the three arriving meanwhile are charged
    // together: the sends bucket is short of them, so their points are given back and each is
    // charged alone, and refused.
    const lock = new pg.Client({ connectionString: r.config.databaseUrl! });
    await lock.connect();
    let answers;
    try {
      await lock.query('begin');
      await lock.query(
        `select 1 from rate_limit_buckets where tenant_id = $1 and bucket = 'sends' for update`,
        [own.tenant.id],
      );
      const pending = Promise.all(Array.from({ length: 4 }, sendOne));
      await until(() => someoneWaitsOnALock(lock));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await lock.query('commit');
      answers = await pending;
    } finally {
      await lock.end();
    }
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.status !== 200);
    expect(refused.map(codes)).toEqual(Array(3).fill(['RATE_LIMITED']));
    expect(refused.map((a) => a.body.errors![0]!.extensions!.limit)).toEqual(
      Array(3).fill('sends'),
    );
    const buckets = await r.database.db
      .selectFrom('rate_limit_buckets')
      .select(['bucket', 'available'])
      .where('tenant_id', '=', own.tenant.id)
      .orderBy('bucket')
      .execute();
    // The accepted send's 2 points only; no message of room left.
    expect(buckets.map((b) => b.bucket)).toEqual(['sends', expect.stringMatching(/^token:/)]);
    expect(buckets[0]!.available).toBeCloseTo(0, 6);
    expect(buckets[1]!.available).toBeCloseTo(998, 3);
    const { count } = await r.database.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('tenant_id', '=', own.tenant.id)
      .executeTakeFirstOrThrow();
    expect(count).toBe(1);
  });
});
