/// <reference types="vite/client" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABILITIES, ABILITY_TABLE } from '../src/auth/abilities.js';
import { startTestApp, type GraphQLResponse, type TestApp } from './helpers/test-app.js';
import { abilitiesNamed, allows, type MatrixContext, type Operation } from './helpers/matrix.js';

/**
 * The ability matrix, generated from the ability table and the operations every module lists in
 * test/operations/: for every ability, a token holding only that ability runs every operation, and
 * must be allowed exactly those that need it, with FORBIDDEN (naming the ability) on all others.
 * `*` may do all a token may; the admin key may do everything; admin operations refuse every token.
 */
const modules = import.meta.glob<{ operations: Operation[] }>('./operations/*.ts', { eager: true });
const OPERATIONS = Object.values(modules).flatMap((m) => m.operations);

let ctx: MatrixContext;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  ctx = { t, tenant: await t.createTenant() };
});
afterAll(() => t.stop());

function expectAllowed(res: GraphQLResponse, op: Operation) {
  expect(res.status, op.name).toBe(200);
  expect(res.body.errors, `${op.name}: ${JSON.stringify(res.body.errors)}`).toBeUndefined();
}

function expectForbidden(res: GraphQLResponse, op: Operation) {
  expect(res.status, op.name).toBe(200);
  const errors = res.body.errors ?? [];
  expect(errors.length, `${op.name} should be refused`).toBeGreaterThan(0);
  for (const error of errors) {
    expect(error.extensions?.code, `${op.name}: ${error.message}`).toBe('FORBIDDEN');
    if (op.requires === 'admin') expect(error.message).toMatch(/admin key/);
    else
      for (const ability of abilitiesNamed(op.requires))
        expect(error.message).toContain(`"${ability}"`);
  }
}

const rows = OPERATIONS.map((op) => [op.name, op] as const);

describe.each(ABILITIES.map((ability) => [ability]))('a token with only %s', (ability) => {
  let secret: string;
  beforeAll(async () => {
    secret = await t.createToken(ctx.tenant, [ability]);
  });
  it.each(rows)('%s', async (_name, op) => {
    const res = await op.run(ctx, secret);
    if (allows(op.requires, new Set([ability]))) expectAllowed(res, op);
    else expectForbidden(res, op);
  });
});

describe('a token with *', () => {
  let secret: string;
  beforeAll(async () => {
    secret = await t.createToken(ctx.tenant, ['*']);
  });
  it.each(rows)('%s', async (_name, op) => {
    const res = await op.run(ctx, secret);
    if (op.requires === 'admin') expectForbidden(res, op);
    else expectAllowed(res, op);
  });
});

describe('the admin key', () => {
  it.each(rows)('%s', async (_name, op) => {
    expectAllowed(await op.run(ctx, ctx.tenant.adminKey), op);
  });
});

describe('the ability table', () => {
  it('has every ability of API.md once, by category', () => {
    expect(ABILITY_TABLE.map((row) => row.category)).toEqual([
      'Contacts',
      'Statuses',
      'Sources',
      'Templates',
      'Message bots',
      'Template bots',
      'Groups',
      'Message sending',
    ]);
    expect(new Set(ABILITIES).size).toBe(ABILITIES.length);
    expect(ABILITIES).toHaveLength(22);
  });

  it('is what the API reports', async () => {
    const res = await t.gql(
      ctx.tenant.subdomain,
      ctx.tenant.adminKey,
      '{ abilityCategories { category abilities } }',
    );
    expect(res.body.data?.abilityCategories).toEqual(
      ABILITY_TABLE.map((r) => ({ category: r.category, abilities: [...r.abilities] })),
    );
  });

  it('every ability guards at least one operation of the matrix, on its own', () => {
    const unguarded = ABILITIES.filter(
      (ability) => !OPERATIONS.some((op) => op.requires === ability),
    );
    expect(unguarded).toEqual([]);
  });
});

describe('what a token may read of what it writes', () => {
  it('a create-only token sees the status it created, but cannot read it back later', async () => {
    const secret = await t.createToken(ctx.tenant, ['statuses.create']);
    const created = await t.gql(
      ctx.tenant.subdomain,
      secret,
      'mutation { createStatus(input: { name: "Only mine", color: "#123" }) { status { id name color } } }',
    );
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data?.createStatus.status).toMatchObject({
      name: 'Only mine',
      color: '#112233',
    });
    const read = await t.gql(
      ctx.tenant.subdomain,
      secret,
      `query($id: ID!) { node(id: $id) { id } }`,
      {
        id: created.body.data?.createStatus.status.id,
      },
    );
    expect(read.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(read.body.data).toEqual({ node: null });
  });
});
