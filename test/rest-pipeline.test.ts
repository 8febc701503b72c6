import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { createLogger } from '../src/logger.js';
import { REST_ROUTES } from '../src/rest/routes.js';
import { scrape, valueOf } from './helpers/metrics.js';
import { expectRestError, restCall } from './helpers/rest-call.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

/**
 * A REST call runs through the same pipeline as a GraphQL request (API.md "The REST face"): it is
 * counted in /metrics under its operation, logged as a request, and charged to the same rate-limit
 * buckets, so a client cannot dodge a limit by switching faces.
 */
// 1 (statuses) + 10 × (edges 1 + node 1 + scalars 0), as in rate-limit.test.ts
const STATUSES = '{ statuses(first: 10) { edges { node { name } } } }';

let t: TestApp; // a small bucket: 30 points, 10 a second, 2 messages a second
let app: App; // a second server on t's database that logs at debug into `lines`
let logged: string;
const lines: string[] = [];

beforeAll(async () => {
  t = await startTestApp({ rateLimit: { bucketSize: 30, restoreRate: 10, sendsPerSecond: 2 } });
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  app = createApp({ config: t.config, db: t.database.db, logger });
  logged = await app.start();
});
afterAll(async () => {
  await app.stop();
  await t.stop();
});

const listStatuses = REST_ROUTES.find((r) => r.method === 'GET' && r.path === '/statuses')!;

describe('observability', () => {
  it('counts REST calls in /metrics under their operation, like GraphQL requests', async () => {
    const tenant = await t.createTenant();
    const token = await t.createToken(tenant, ['statuses.read']);
    const labels = { operation_name: listStatuses.operationId, operation_type: 'query' };
    const before = valueOf(await scrape(t.url), 'gateway_graphql_requests_total', labels) ?? 0;
    for (let i = 0; i < 2; i++) {
      const res = await restCall(t.url, tenant.subdomain, token, 'GET', '/statuses', {
        query: { per_page: 1 },
      });
      expect(res.status, res.text).toBe(200);
    }
    const samples = await scrape(t.url);
    expect(valueOf(samples, 'gateway_graphql_requests_total', labels)).toBe(before + 2);
    expect(
      valueOf(samples, 'gateway_graphql_request_duration_seconds_count', labels),
    ).toBeGreaterThanOrEqual(2);
  });

  it('logs a REST call once, with its request id, tenant and operation, and never the token', async () => {
    const tenant = await t.createTenant();
    const token = await t.createToken(tenant, ['statuses.read']);
    const res = await restCall(logged, tenant.subdomain, token, 'GET', '/statuses', {
      query: { per_page: 10 },
      headers: { 'x-request-id': 'rest-call-1' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('rest-call-1');
    const requests = lines.map((line) => JSON.parse(line)).filter((e) => e.msg === 'request');
    const mine = requests.filter((e) => e.tenant === tenant.subdomain);
    expect(mine, JSON.stringify(mine)).toEqual([
      expect.objectContaining({
        reqId: 'rest-call-1',
        method: 'GET',
        path: `/api/v1/${tenant.subdomain}/statuses`,
        operation: listStatuses.operationId,
        operationType: 'query',
        status: 200,
      }),
    ]);
    expect(lines.join('')).not.toContain(token.slice(4));
  });
});

describe('one rate-limit bucket for both faces', () => {
  const bucketOf = async (tenantId: string) =>
    (
      await t.database.db
        .selectFrom('rate_limit_buckets')
        .select('available')
        .where('tenant_id', '=', tenantId)
        .where('bucket', 'like', 'token:%')
        .executeTakeFirst()
    )?.available;

  it('a REST call is charged to the token’s bucket; GraphQL then finds it spent', async () => {
    const tenant = await t.createTenant();
    const token = await t.createToken(tenant, ['statuses.read']);
    const rest = await restCall(t.url, tenant.subdomain, token, 'GET', '/statuses', {
      query: { per_page: 10 },
    });
    expect(rest.status, rest.text).toBe(200);
    expect(await bucketOf(tenant.tenant.id)).toBeLessThanOrEqual(30 - 21);
    const gql = await t.gql(tenant.subdomain, token, STATUSES);
    expect(gql.status).toBe(429);
    expect(gql.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('GraphQL spends the bucket; the REST call is then 429 with Retry-After', async () => {
    const tenant = await t.createTenant();
    const token = await t.createToken(tenant, ['statuses.read']);
    expect((await t.gql(tenant.subdomain, token, STATUSES)).status).toBe(200);
    const rest = await restCall(t.url, tenant.subdomain, token, 'GET', '/statuses', {
      query: { per_page: 10 },
    });
    expectRestError(rest, 429, 'RATE_LIMITED');
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('sends over GraphQL and REST share the tenant’s messages per second', async () => {
    const tenant = await t.createTenant();
    const token = await t.createToken(tenant, ['messages.send_text']);
    const send = (alias: string) =>
      `${alias}: sendTextMessage(input: { to: { phone: "+442079460958" }, body: "Hi" }) { message { id } }`;
    const two = await t.gql(tenant.subdomain, token, `mutation { ${send('a')} ${send('b')} }`);
    expect(two.body.errors).toBeUndefined();
    const rest = await restCall(t.url, tenant.subdomain, token, 'POST', '/messages/text', {
      body: { phone_number: '+442079460958', message: 'Hi' },
    });
    expectRestError(rest, 429, 'RATE_LIMITED');
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const count = await t.gql(tenant.subdomain, tenant.adminKey, '{ messages { totalCount } }');
    expect(count.body.data).toEqual({ messages: { totalCount: 2 } });
  });
});
