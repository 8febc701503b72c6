import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { sql } from 'kysely';
import pg from 'pg';
import type { Config } from '../src/config.js';
import {
  codes,
  startSecondInstance,
  startTestApp,
  type GraphQLResponse,
  type TestApp,
  type TestTenant,
} from './helpers/test-app.js';
import { subscribeStatuses } from './helpers/messaging.js';
import { until } from './helpers/until.js';

// 1 (statuses) + 10 × (edges 1 + node 1 + name 0)
const STATUSES = '{ statuses(first: 10) { edges { node { name } } } }';
const STATUSES_COST = 21;

let t: TestApp; // the defaults: 1000 points, 50 a second, 80 messages a second
let s: TestApp; // a small bucket: 30 points, 10 a second, 2 messages a second
let tenant: TestTenant;

const small: Pick<Config, 'rateLimit'> = {
  rateLimit: { bucketSize: 30, restoreRate: 10, sendsPerSecond: 2 },
};

beforeAll(async () => {
  [t, s] = await Promise.all([startTestApp(), startTestApp(small)]);
  tenant = await s.createTenant();
});
afterAll(() => Promise.all([t.stop(), s.stop()]));

function expectThrottled(res: GraphQLResponse, limit: 'cost' | 'sends') {
  expect(res.status).toBe(429);
  expect(codes(res)).toEqual(['RATE_LIMITED']);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(res.body.errors![0]!.extensions).toMatchObject({ limit, retryAfter });
  expect(res.body.data).toBeUndefined();
}

describe('extensions.cost', () => {
  it('reports the requested cost and the bucket on every response', async () => {
    const own = await t.createTenant();
    const token = await t.createToken(own, ['statuses.read']);
    const res = await t.gql(own.subdomain, token, STATUSES);
    expect(res.status).toBe(200);
    expect(res.cost).toEqual({
      requestedQueryCost: STATUSES_COST,
      actualQueryCost: STATUSES_COST,
      throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 979, restoreRate: 50 },
    });
    const viewer = await t.gql(own.subdomain, token, '{ viewer { kind } }');
    expect(viewer.cost).toMatchObject({ requestedQueryCost: 1, actualQueryCost: 1 });
  });

  it('is on responses with field errors, and on mutations', async () => {
    const own = await t.createTenant();
    const token = await t.createToken(own, ['contacts.read']);
    const denied = await t.gql(own.subdomain, token, `{ viewer { kind } ${STATUSES.slice(1)}`);
    expect(denied.status).toBe(200);
    expect(codes(denied)).toEqual(['FORBIDDEN']);
    expect(denied.cost?.requestedQueryCost).toBe(1 + STATUSES_COST);
    const created = await t.gql(
      own.subdomain,
      own.adminKey,
      'mutation { createStatus(input: { name: "New", color: "#123456" }) { status { id name } } }',
    );
    expect(created.body.errors).toBeUndefined();
    expect(created.cost?.requestedQueryCost).toBe(2); // the payload and the status
  });
});

describe('the cost bucket', () => {
  it('refuses a request the bucket cannot pay with 429 and Retry-After, then refills', async () => {
    const token = await s.createToken(tenant, ['statuses.read']);
    const first = await s.gql(tenant.subdomain, token, STATUSES);
    expect(first.status).toBe(200);
    expect(first.cost?.throttleStatus).toEqual({
      maximumAvailable: 30,
      currentlyAvailable: 30 - STATUSES_COST,
      restoreRate: 10,
    });
    const second = await s.gql(tenant.subdomain, token, STATUSES);
    expectThrottled(second, 'cost');
    expect(second.body.errors![0]!.message).toMatch(/costs 21 points and \d+ of 30 are available/);
    expect(second.cost).toMatchObject({ requestedQueryCost: STATUSES_COST, actualQueryCost: 0 });
    expect(second.cost!.throttleStatus.currentlyAvailable).toBeLessThan(STATUSES_COST);
    // A refusal takes nothing, so polling does not keep the bucket empty.
    await expect
      .poll(async () => (await s.gql(tenant.subdomain, token, STATUSES)).status, {
        timeout: 10_000,
        interval: 250,
      })
      .toBe(200);
  });

  it('is shared by two instances on one database', async () => {
    const token = await s.createToken(tenant, ['statuses.read']);
    const other = await startSecondInstance(s);
    try {
      expect((await s.gql(tenant.subdomain, token, STATUSES)).status).toBe(200);
      expectThrottled(await other.gql(tenant.subdomain, token, STATUSES), 'cost');
    } finally {
      await other.stop();
    }
  });

  it('is kept in an unlogged table: a charge does not wait for the write-ahead log', async () => {
    const { rows } = await sql<{ relpersistence: string }>`
      select relpersistence from pg_class where oid = 'rate_limit_buckets'::regclass`.execute(
      s.database.db,
    );
    expect(rows).toEqual([{ relpersistence: 'u' }]);
  });

  it('is one per token, and one per tenant for the admin key', async () => {
    const [a, b] = await Promise.all([
      s.createToken(tenant, ['statuses.read']),
      s.createToken(tenant, ['statuses.read']),
    ]);
    const otherTenant = await s.createTenant();
    expect((await s.gql(tenant.subdomain, a, STATUSES)).status).toBe(200);
    expectThrottled(await s.gql(tenant.subdomain, a, STATUSES), 'cost');
    expect((await s.gql(tenant.subdomain, b, STATUSES)).status).toBe(200);

    expect((await s.gql(tenant.subdomain, tenant.adminKey, STATUSES)).status).toBe(200);
    expectThrottled(await s.gql(tenant.subdomain, tenant.adminKey, STATUSES), 'cost');
    expect((await s.gql(otherTenant.subdomain, otherTenant.adminKey, STATUSES)).status).toBe(200);
  });

  it('charges graphql-ws operations, and a subscription once when it starts', async () => {
    const own = await s.createTenant();
    const token = await s.createToken(own, ['statuses.read', 'messages.send_text']);
    const bucket = () =>
      s.database.db
        .selectFrom('rate_limit_buckets')
        .select(['available', 'updated_at'])
        .where('tenant_id', '=', own.tenant.id)
        .where('bucket', 'like', 'token:%')
        .executeTakeFirst();

    const sub = subscribeStatuses(s, own, token);
    try {
      await sub.ready();
      // messageStatusChanged 1 + error 1 + message 1, taken from a full bucket of 30
      const charged = await bucket();
      expect(charged?.available).toBe(27);
      await sub.ready();
      await sub.ready();
      expect(await bucket()).toEqual(charged);
    } finally {
      await sub.dispose();
    }

    const client = createClient({
      url: `${s.url.replace(/^http/, 'ws')}/api/v1/${own.subdomain}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const run = () =>
      new Promise<any>((resolve, reject) =>
        client.subscribe({ query: STATUSES }, { next: resolve, error: reject, complete: () => {} }),
      );
    try {
      expect(await run()).toMatchObject({ data: { statuses: { edges: [] } } });
      const refused = await run();
      expect(refused.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'cost' });
      expect(refused.extensions.cost.requestedQueryCost).toBe(STATUSES_COST);
    } finally {
      await client.dispose();
    }
  });
});

describe('concurrent requests of one token', () => {
  // A bucket that does not refill during the test: what it reports is exact.
  let c: TestApp;
  beforeAll(async () => {
    c = await startTestApp({
      rateLimit: { bucketSize: 1000, restoreRate: 0.000001, sendsPerSecond: 80 },
    });
  });
  afterAll(() => c.stop());

  it('are charged together, each seeing the level it would have alone, in fewer statements', async () => {
    const own = await c.createTenant();
    const token = await c.createToken(own, ['statuses.read']);
    expect((await c.gql(own.subdomain, token, '{ viewer { kind } }')).cost).toMatchObject({
      throttleStatus: { currentlyAvailable: 999 },
    });
    const count = () => c.database.statementCount();
    // A charge takes well under a millisecond, often less than the next request takes to arrive:
    // another connection holds the bucket's row lock, so that the first charge waits on it and
    // the requests arriving meanwhile queue on this instance, as they do under load.
    const lock = new pg.Client({ connectionString: c.config.databaseUrl! });
    await lock.connect();
    await lock.query('begin');
    await lock.query('select 1 from rate_limit_buckets where tenant_id = $1 for update', [
      own.tenant.id,
    ]);
    const before = count();
    const pending = Promise.all(
      Array.from({ length: 20 }, () => c.gql(own.subdomain, token, '{ viewer { kind } }')),
    );
    await until(async () => {
      // Inside a transaction, pg_stat_activity is read once unless its snapshot is cleared.
      await lock.query('select pg_stat_clear_snapshot()');
      const { rows } = await lock.query(
        "select 1 from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
      );
      return rows.length > 0;
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the other requests arrive
    await lock.query('commit');
    await lock.end();
    const answers = await pending;
    const statements = count() - before;
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const levels = answers.map((a) => a.cost!.throttleStatus.currentlyAvailable);
    expect(levels.sort((x, y) => y - x)).toEqual(Array.from({ length: 20 }, (_, i) => 998 - i));
    // One statement per request without coalescing (the token itself is cached).
    expect(statements).toBeGreaterThan(0);
    expect(statements).toBeLessThan(20);
  });

  it('are granted exactly as far as the bucket holds, the rest refused', async () => {
    const own = await c.createTenant();
    const token = await c.createToken(own, ['contacts.read']);
    await c.gql(own.subdomain, token, '{ viewer { kind } }');
    // 1 + 100 × (edges 1 + node 1): four fit in the 999 points left, a fifth does not.
    const page = '{ contacts(first: 100) { edges { node { id } } } }';
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => c.gql(own.subdomain, token, page)),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(4);
    for (const refused of answers.filter((a) => a.status !== 200)) expectThrottled(refused, 'cost');
    const after = await c.gql(own.subdomain, token, '{ viewer { kind } }');
    expect(after.cost!.throttleStatus.currentlyAvailable).toBe(999 - 4 * 201 - 1);
  });
});

describe('the sending bucket', () => {
  const send = (alias: string) =>
    `${alias}: sendTextMessage(input: { to: { phone: "+442079460958" }, body: "Hi" }) { message { id } }`;

  it('refuses the sends over the tenant’s messages per second, whoever sends them', async () => {
    const own = await s.createTenant();
    const [a, b] = await Promise.all([
      s.createToken(own, ['messages.send_text']),
      s.createToken(own, ['messages.send_text']),
    ]);
    const two = await s.gql(own.subdomain, a, `mutation { ${send('one')} ${send('two')} }`);
    expect(two.body.errors).toBeUndefined();
    expect(two.cost?.requestedQueryCost).toBe(4);
    // Both within the second the first two took (2 a second: half a second for the next one).
    const third = await s.gql(own.subdomain, a, `mutation { ${send('three')} }`);
    const fourth = await s.gql(own.subdomain, b, `mutation { ${send('four')} }`);
    expectThrottled(third, 'sends');
    expectThrottled(fourth, 'sends');
    expect(third.body.errors![0]!.message).toMatch(/may send 2 messages a second/);
    const count = await s.gql(own.subdomain, own.adminKey, '{ messages { totalCount } }');
    expect(count.body.data).toEqual({ messages: { totalCount: 2 } });

    await expect
      .poll(async () => (await s.gql(own.subdomain, b, `mutation { ${send('later')} }`)).status, {
        timeout: 10_000,
        interval: 250,
      })
      .toBe(200);
  });

  it('refuses an operation that sends more than a second’s worth as QUERY_TOO_COMPLEX', async () => {
    const own = await s.createTenant();
    const token = await s.createToken(own, ['messages.send_text']);
    const res = await s.gql(
      own.subdomain,
      token,
      `mutation { ${['a', 'b', 'c'].map(send).join(' ')} }`,
    );
    expect(res.status).toBe(400);
    expect(codes(res)).toEqual(['QUERY_TOO_COMPLEX']);
  });
});

describe('a read charged while it runs', () => {
  // A read whose bucket this instance knows to be far from empty runs while its charge is made
  // (src/limits/plugin.ts); its answer still waits for the charge and is the refusal when the
  // charge refuses, as when the charge comes first.
  it('answers the refusal when another instance emptied the bucket meanwhile', async () => {
    const own = await t.createTenant();
    const token = await t.createToken(own, ['statuses.read']);
    const first = await t.gql(own.subdomain, token, STATUSES);
    expect(first.status).toBe(200);
    expect(first.cost?.throttleStatus.currentlyAvailable).toBe(1000 - STATUSES_COST);
    // Emptied elsewhere, as by another instance: this one still believes it nearly full.
    await t.database.db
      .updateTable('rate_limit_buckets')
      .set({ available: 0, updated_at: new Date() })
      .where('tenant_id', '=', own.tenant.id)
      .execute();
    const before = t.database.statementCount();
    const ahead = await t.gql(own.subdomain, token, STATUSES);
    // The charge and the read both ran, and the answer is the charge's refusal.
    expect(t.database.statementCount() - before).toBe(2);
    expectThrottled(ahead, 'cost');
    expect(ahead.cost?.throttleStatus.currentlyAvailable).toBeLessThan(STATUSES_COST);
    // Now known to be nearly empty: the next one is charged first, and refused before it runs.
    const after = t.database.statementCount();
    expectThrottled(await t.gql(own.subdomain, token, STATUSES), 'cost');
    expect(t.database.statementCount() - after).toBe(1);
  });

  it('is charged first when its bucket would be less than half full after it', async () => {
    const own = await s.createTenant();
    const token = await s.createToken(own, ['statuses.read']);
    // 30 points: after one read of 21, 9 are left; each later read is charged before it runs.
    expect((await s.gql(own.subdomain, token, STATUSES)).status).toBe(200);
    const before = s.database.statementCount();
    expectThrottled(await s.gql(own.subdomain, token, STATUSES), 'cost');
    expect(s.database.statementCount() - before).toBe(1);
  });
});
