import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABILITIES } from '../src/auth/abilities.js';
import { loadConfig } from '../src/config.js';
import { REST_ROUTES } from '../src/rest/routes.js';
import type { RestRoute } from '../src/rest/route.js';
import { abilitiesNamed, allows, type MatrixContext } from './helpers/matrix.js';
import { expectRestError, fillPath, restCall, type RestResponse } from './helpers/rest-call.js';
import { REST_FIXTURES, snapshotTenant, type RestFixture } from './helpers/rest-fixtures.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

/**
 * The ability matrix over REST (API.md "The REST face"): every route, called by a token holding
 * one ability alone, answers its success status only when that ability is the route's, and
 * otherwise 403 FORBIDDEN naming the ability, having changed nothing. The routes come from
 * REST_ROUTES and the expectations from the contract's table (test/helpers/rest-fixtures.ts), and
 * the two must list the same routes, so no route can escape the matrix.
 */
const defaults = loadConfig({});
let t: TestApp;
let ctx: MatrixContext;

beforeAll(async () => {
  t = await startTestApp({
    // Room for ~40 calls per token and 3 sends per token; no dispatcher moving messages on.
    rateLimit: { bucketSize: 100_000, restoreRate: 1000, sendsPerSecond: 1000 },
    dispatcher: { ...defaults.dispatcher, inProcess: false },
  });
  ctx = { t, tenant: await t.createTenant() };
});
afterAll(() => t.stop());

const keyOf = (route: Pick<RestRoute, 'method' | 'path'>) => `${route.method} ${route.path}`;
const rows = REST_ROUTES.map((route) => [keyOf(route), route] as const);

function fixtureOf(route: RestRoute): RestFixture {
  const fixture = REST_FIXTURES[keyOf(route)];
  if (!fixture) throw new Error(`No fixture for ${keyOf(route)} in test/helpers/rest-fixtures.ts`);
  return fixture;
}

/** Runs the route as `secret`; the tenant before and after. */
async function run(route: RestRoute, secret: string) {
  const call = await fixtureOf(route).prepare(ctx);
  const before = await snapshotTenant(ctx);
  const res = await restCall(
    t.url,
    ctx.tenant.subdomain,
    secret,
    route.method,
    fillPath(route.path, call.params),
    call,
  );
  return { res, before, after: await snapshotTenant(ctx) };
}

function expectAllowed(res: RestResponse, route: RestRoute) {
  const where = `${keyOf(route)}: ${res.text.slice(0, 300)}`;
  expect(res.status, where).toBe(fixtureOf(route).status);
  expect(res.headers.get('content-type'), where).toMatch(/^application\/json/);
  expect(res.body?.data, where).toBeTypeOf('object');
}

function expectForbidden(res: RestResponse, route: RestRoute) {
  expectRestError(res, 403, 'FORBIDDEN');
  for (const ability of abilitiesNamed(fixtureOf(route).requires))
    expect(res.body.message, keyOf(route)).toContain(ability);
}

describe('the route table', () => {
  it('every route served has a row in the contract table, and every row is served', () => {
    expect(REST_ROUTES.map(keyOf).sort()).toEqual(Object.keys(REST_FIXTURES).sort());
  });

  it('no route is defined twice', () => {
    const keys = REST_ROUTES.map(keyOf);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
  });

  it.each(rows)('%s documents the ability the contract names', (_key, route) => {
    expect([...route.abilities].sort()).toEqual(
      [...abilitiesNamed(fixtureOf(route).requires)].sort(),
    );
  });
});

describe.each(ABILITIES.map((ability) => [ability]))('a token with only %s', (ability) => {
  let secret: string;
  beforeAll(async () => {
    secret = await t.createToken(ctx.tenant, [ability]);
  });
  it.each(rows)('%s', async (_key, route) => {
    const { res, before, after } = await run(route, secret);
    if (allows(fixtureOf(route).requires, new Set([ability]))) {
      expectAllowed(res, route);
    } else {
      expectForbidden(res, route);
      expect(after, `a refused ${keyOf(route)} changed the tenant`).toEqual(before);
    }
  });
});

describe('a token with *', () => {
  let secret: string;
  beforeAll(async () => {
    secret = await t.createToken(ctx.tenant, ['*']);
  });
  it.each(rows)('%s', async (_key, route) => {
    expectAllowed((await run(route, secret)).res, route);
  });
});

describe('the admin key', () => {
  it.each(rows)('%s', async (_key, route) => {
    expectAllowed((await run(route, ctx.tenant.adminKey)).res, route);
  });
});

describe('what the allowed call did', () => {
  it('a write with its ability changes the tenant; the same call refused does not', async () => {
    const route = REST_ROUTES.find((r) => keyOf(r) === 'POST /statuses')!;
    const [allowed, refused] = await Promise.all([
      t.createToken(ctx.tenant, ['statuses.create']),
      t.createToken(ctx.tenant, ['statuses.read', 'statuses.update', 'statuses.delete']),
    ]);
    const ok = await run(route, allowed);
    expect(ok.after.statuses.length).toBe(ok.before.statuses.length + 1);
    const no = await run(route, refused);
    expectForbidden(no.res, route);
    expect(no.after).toEqual(no.before);
  });
});
