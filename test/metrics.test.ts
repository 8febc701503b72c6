import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.js';
import { enqueueMessage } from '../src/messages/repo.js';
import { scrape, valueOf } from './helpers/metrics.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';

const defaults = loadConfig({});
let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  t = await startTestApp({
    dispatcher: { ...defaults.dispatcher, sandboxDelaysMs: { delivered: 50, read: 50 } },
  });
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['statuses.read', 'messages.send_text']);
});
afterAll(() => t.stop());

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('GET /metrics', () => {
  it('counts operations by name and type, with their latency', async () => {
    const query = 'query ListStatuses { statuses { totalCount } }';
    for (let i = 0; i < 3; i++)
      expect((await t.gql(tenant.subdomain, token, query)).status).toBe(200);
    await t.gql(tenant.subdomain, token, '{ statuses { totalCount } }');

    const response = await fetch(`${t.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = await scrape(t.url);
    const labels = { operation_name: 'ListStatuses', operation_type: 'query' };
    expect(valueOf(samples, 'gateway_graphql_requests_total', labels)).toBe(3);
    expect(valueOf(samples, 'gateway_graphql_request_duration_seconds_count', labels)).toBe(3);
    expect(
      valueOf(samples, 'gateway_graphql_request_duration_seconds_bucket', {
        ...labels,
        le: '+Inf',
      }),
    ).toBe(3);
    expect(
      valueOf(samples, 'gateway_graphql_request_duration_seconds_sum', labels),
    ).toBeGreaterThan(0);
    expect(
      valueOf(samples, 'gateway_graphql_requests_total', {
        operation_name: 'anonymous',
        operation_type: 'query',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('counts errors by extensions.code, whether raised before or during execution', async () => {
    const before = await scrape(t.url);
    const count = (samples: typeof before, code: string) =>
      valueOf(samples, 'gateway_graphql_errors_total', { code }) ?? 0;

    expect((await t.gql(tenant.subdomain, 'wmk_not_a_token', '{ viewer { kind } }')).status).toBe(
      401,
    );
    const forbidden = await t.gql(tenant.subdomain, token, '{ contacts { totalCount } }');
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await t.gql(tenant.subdomain, token, 'query Broken { statuses { nope } }');

    const after = await scrape(t.url);
    expect(count(after, 'UNAUTHENTICATED') - count(before, 'UNAUTHENTICATED')).toBe(1);
    expect(count(after, 'FORBIDDEN') - count(before, 'FORBIDDEN')).toBe(1);
    expect(
      count(after, 'GRAPHQL_VALIDATION_FAILED') - count(before, 'GRAPHQL_VALIDATION_FAILED'),
    ).toBe(1);
    // Refused before execution, the operation is still counted under its name and type.
    expect(
      valueOf(after, 'gateway_graphql_requests_total', {
        operation_name: 'Broken',
        operation_type: 'query',
      }),
    ).toBe(1);
  });

  it('shows the subscriptions open over graphql-ws, and counts their operations', async () => {
    const client = createClient({
      url: `${t.url.replace(/^http/, 'ws')}/api/v1/${tenant.subdomain}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const open = () => scrape(t.url).then((s) => valueOf(s, 'gateway_subscriptions_open'));
    try {
      const subscription = client.iterate({
        query: 'subscription Watch { messageStatusChanged { status } }',
      });
      const first = subscription.next();
      expect(await until(open, (n) => n === 1)).toBe(1);
      const sent = await t.gql(
        tenant.subdomain,
        token,
        'mutation Send { sendTextMessage(input: { to: { phone: "+442079460958" }, body: "Hi" }) { message { id } } }',
      );
      expect(sent.body.errors).toBeUndefined();
      expect((await first).value).toMatchObject({ data: { messageStatusChanged: {} } });
      await subscription.return?.();
      expect(await until(open, (n) => n === 0)).toBe(0);
    } finally {
      await client.dispose();
    }
    const samples = await scrape(t.url);
    expect(
      valueOf(samples, 'gateway_graphql_requests_total', {
        operation_name: 'Watch',
        operation_type: 'subscription',
      }),
    ).toBe(1);
    expect(
      valueOf(samples, 'gateway_graphql_requests_total', {
        operation_name: 'Send',
        operation_type: 'mutation',
      }),
    ).toBe(1);
  });

  it("counts the dispatcher's results", async () => {
    const dispatched = (result: string) =>
      scrape(t.url).then((s) => valueOf(s, 'gateway_dispatch_results_total', { result }) ?? 0);
    // Whatever earlier tests queued is dispatched first.
    const depth = () => scrape(t.url).then((s) => valueOf(s, 'gateway_outbox_depth'));
    expect(await until(depth, (n) => n === 0)).toBe(0);
    const [sent, failed] = [await dispatched('sent'), await dispatched('failed')];
    const send = (phone: string) =>
      t.gql(
        tenant.subdomain,
        token,
        `mutation { sendTextMessage(input: { to: { phone: "${phone}" }, body: "Hi" }) { message { id } } }`,
      );
    await send('+442079460958');
    await send('+442079460666'); // the sandbox fails numbers ending in 0666, for good
    expect(
      await until(
        () => dispatched('sent'),
        (n) => n === sent + 1,
      ),
    ).toBe(sent + 1);
    expect(
      await until(
        () => dispatched('failed'),
        (n) => n === failed + 1,
      ),
    ).toBe(failed + 1);
    expect(await dispatched('retry')).toBe(0);
  });

  it('has the process metrics: memory, event loop lag', async () => {
    const samples = await scrape(t.url);
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(valueOf(samples, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
  });
});

describe('outbox gauges', () => {
  let idle: TestApp;
  beforeAll(async () => {
    // No dispatcher here, so what is queued stays queued.
    idle = await startTestApp({ dispatcher: { ...defaults.dispatcher, inProcess: false } });
  });
  afterAll(() => idle.stop());

  it("report the depth and the oldest message's age across tenants, and nothing of other apps", async () => {
    const empty = await scrape(idle.url);
    expect(valueOf(empty, 'gateway_outbox_depth')).toBe(0);
    expect(valueOf(empty, 'gateway_outbox_oldest_age_seconds')).toBe(0);
    // Each app has its own registry: nothing counted by `t` shows here.
    expect(empty.some((s) => s.labels.operation_name === 'ListStatuses')).toBe(false);

    for (const owner of [await idle.createTenant(), await idle.createTenant()]) {
      for (let i = 0; i < 2; i++) {
        await enqueueMessage(idle.database.db, owner.tenant.id, {
          contactId: null,
          toPhone: '+442079460958',
          message: { type: 'TEXT', content: { body: 'Queued', previewUrl: false } },
          templateId: null,
          idempotencyKey: null,
          transport: 'sandbox',
        });
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const samples = await scrape(idle.url);
    expect(valueOf(samples, 'gateway_outbox_depth')).toBe(4);
    expect(valueOf(samples, 'gateway_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'gateway_outbox_oldest_age_seconds')).toBeLessThan(30);
  });
});
