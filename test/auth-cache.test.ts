import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiToken } from '../src/api-tokens/repo.js';
import { hashSecret } from '../src/auth/secrets.js';
import { rotateAdminKey } from '../src/tenants/repo.js';
import { encodeId } from '../src/ids.js';
import {
  startSecondInstance,
  startTestApp,
  type TestApp,
  type TestTenant,
} from './helpers/test-app.js';

/**
 * The auth cache (src/auth/auth-cache.ts): a token's requests after its first skip the lookup,
 * and a revocation still takes effect — at once on the instance that made it, within the
 * NOTIFY's delivery on the others (and the CLI's), after the TTL for a change made in SQL by hand,
 * and at once when the event listener was lost (events may have been missed).
 */
const VIEWER = '{ viewer { kind } }';
let t: TestApp;
let second: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await startTestApp({ authCacheTtlMs: 60_000 });
  // A second instance on the same database, as a deployment with two servers has.
  second = await startSecondInstance(t);
  tenant = await t.createTenant();
});
afterAll(async () => {
  await second.stop();
  await t.stop();
});

const tokenId = async (secret: string) =>
  (
    await t.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('token_hash', '=', hashSecret(secret))
      .executeTakeFirstOrThrow()
  ).id;

/** Uses the secret on both instances until each serves it from its cache. */
async function warm(secret: string) {
  for (let i = 0; i < 2; i++) {
    expect((await t.gql(tenant.subdomain, secret, VIEWER)).status).toBe(200);
    expect((await second.gql(tenant.subdomain, secret, VIEWER)).status).toBe(200);
  }
}

describe('auth cache', () => {
  it('looks a token up once: later requests run only the cost bucket statement', async () => {
    const secret = await t.createToken(tenant, ['*']);
    await warm(secret);
    const before = t.database.statementCount();
    expect((await t.gql(tenant.subdomain, secret, VIEWER)).status).toBe(200);
    expect(t.database.statementCount() - before).toBe(1);
  });

  it('a revocation through the API is refused on that instance at once, on the other within a second', async () => {
    const secret = await t.createToken(tenant, ['*']);
    await warm(secret);
    const revoked = await t.gql(
      tenant.subdomain,
      tenant.adminKey,
      'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { active } } }',
      { id: encodeId('ApiToken', await tokenId(secret)) },
    );
    const at = Date.now();
    expect(revoked.body.data?.revokeApiToken.apiToken.active).toBe(false);
    expect((await t.gql(tenant.subdomain, secret, VIEWER)).status).toBe(401);
    await expect
      .poll(async () => (await second.gql(tenant.subdomain, secret, VIEWER)).status, {
        timeout: 1000,
        interval: 5,
      })
      .toBe(401);
    expect(Date.now() - at).toBeLessThan(1000);
  });

  it("a revocation by another process (the CLI's repository call) reaches both instances", async () => {
    const secret = await t.createToken(tenant, ['*']);
    await warm(secret);
    await revokeApiToken(t.database.db, tenant.tenant.id, await tokenId(secret));
    for (const gql of [t.gql, second.gql]) {
      await expect
        .poll(async () => (await gql(tenant.subdomain, secret, VIEWER)).status, {
          timeout: 1000,
          interval: 5,
        })
        .toBe(401);
    }
  });

  it('switching API access off reaches both instances; the admin key keeps working', async () => {
    const other = await t.createTenant();
    const secret = await t.createToken(other, ['*']);
    for (let i = 0; i < 2; i++) {
      expect((await t.gql(other.subdomain, secret, VIEWER)).status).toBe(200);
      expect((await second.gql(other.subdomain, secret, VIEWER)).status).toBe(200);
    }
    const off = await t.gql(
      other.subdomain,
      other.adminKey,
      'mutation { setApiAccess(enabled: false) { apiEnabled } }',
    );
    expect(off.body.data?.setApiAccess.apiEnabled).toBe(false);
    expect((await t.gql(other.subdomain, secret, VIEWER)).status).toBe(403);
    await expect
      .poll(async () => (await second.gql(other.subdomain, secret, VIEWER)).status, {
        timeout: 1000,
        interval: 5,
      })
      .toBe(403);
    expect((await second.gql(other.subdomain, other.adminKey, VIEWER)).status).toBe(200);
  });

  it('a rotated admin key stops working on every instance', async () => {
    const other = await t.createTenant();
    for (let i = 0; i < 2; i++) {
      expect((await second.gql(other.subdomain, other.adminKey, VIEWER)).status).toBe(200);
    }
    const rotated = await rotateAdminKey(t.database.db, other.subdomain);
    await expect
      .poll(async () => (await second.gql(other.subdomain, other.adminKey, VIEWER)).status, {
        timeout: 1000,
        interval: 5,
      })
      .toBe(401);
    expect((await second.gql(other.subdomain, rotated!.adminKey, VIEWER)).status).toBe(200);
  });

  it('forgets everything when the event listener is lost, since events may have been missed', async () => {
    const secret = await t.createToken(tenant, ['*']);
    await warm(secret);
    // Revoked in SQL with no event: the cache alone would go on serving it until its TTL...
    await t.database.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('token_hash', '=', hashSecret(secret))
      .execute();
    expect((await t.gql(tenant.subdomain, secret, VIEWER)).status).toBe(200);
    // ...but a listener that loses its connection empties it.
    const { rows } = await t.database.pool.query<{ pid: number }>(
      `select pg_terminate_backend(pid) from pg_stat_activity
        where datname = current_database() and query like 'LISTEN%'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    await expect
      .poll(async () => (await t.gql(tenant.subdomain, secret, VIEWER)).status, {
        timeout: 2000,
        interval: 5,
      })
      .toBe(401);
  });
});

describe('auth cache TTL', () => {
  let short: TestApp;
  beforeAll(async () => {
    short = await startTestApp({ authCacheTtlMs: 300 });
  });
  afterAll(() => short.stop());

  it('a change made in SQL by hand, with no event, is seen after the TTL', async () => {
    const other = await short.createTenant();
    const secret = await short.createToken(other, ['*']);
    for (let i = 0; i < 2; i++)
      expect((await short.gql(other.subdomain, secret, VIEWER)).status).toBe(200);
    await short.database.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('token_hash', '=', hashSecret(secret))
      .execute();
    const changed = Date.now();
    await expect
      .poll(async () => (await short.gql(other.subdomain, secret, VIEWER)).status, {
        timeout: 2000,
        interval: 20,
      })
      .toBe(401);
    expect(Date.now() - changed).toBeLessThan(300 + 500);
  });
});
