import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABILITIES, ABILITY_TABLE, type Ability } from '../src/auth/abilities.js';
import { encodeId } from '../src/ids.js';
import { createStatus } from '../src/statuses/repo.js';
import { createApiToken } from '../src/api-tokens/repo.js';
import {
  startTestApp,
  uniqueName,
  type TestApp,
  type TestTenant,
  type GraphQLResponse,
} from './helpers/test-app.js';

/**
 * The ability matrix, generated from the ability table: for every ability, a token holding only
 * that ability runs every operation; it must be allowed exactly the operations that need it and get
 * FORBIDDEN (naming the ability needed) on all others. The admin key and `*` are allowed everything
 * a token can do; admin operations refuse every token.
 */
type Requirement = Ability | 'admin' | 'none';

interface Operation {
  name: string;
  requires: Requirement;
  /** Runs the operation as `secret`; fixtures it needs are made here with the database. */
  run(secret: string): Promise<GraphQLResponse>;
}

let t: TestApp;
let tenant: TestTenant;

const statusFixture = async () =>
  encodeId(
    'Status',
    (
      await createStatus(t.database.db, tenant.tenant.id, {
        name: uniqueName('s'),
        color: '#112233',
      })
    ).id,
  );
const tokenFixture = async () =>
  encodeId(
    'ApiToken',
    (
      await createApiToken(t.database.db, tenant.tenant.id, {
        name: uniqueName('k'),
        abilities: ['statuses.read'],
        expiresAt: null,
      })
    ).apiToken.id,
  );

const OPERATIONS: Operation[] = [
  {
    name: 'viewer',
    requires: 'none',
    run: (s) => t.gql(tenant.subdomain, s, '{ viewer { kind abilities } }'),
  },
  {
    name: 'apiInfo',
    requires: 'none',
    run: (s) => t.gql(tenant.subdomain, s, '{ apiInfo { graphqlEndpoint } }'),
  },
  {
    name: 'abilityCategories',
    requires: 'none',
    run: (s) => t.gql(tenant.subdomain, s, '{ abilityCategories { category } }'),
  },
  {
    name: 'statuses',
    requires: 'statuses.read',
    run: (s) =>
      t.gql(
        tenant.subdomain,
        s,
        '{ statuses(first: 5) { totalCount edges { node { id name } } } }',
      ),
  },
  {
    name: 'node(Status)',
    requires: 'statuses.read',
    run: async (s) =>
      t.gql(
        tenant.subdomain,
        s,
        'query($id: ID!) { node(id: $id) { id ... on Status { name } } }',
        { id: await statusFixture() },
      ),
  },
  {
    name: 'createStatus',
    requires: 'statuses.create',
    run: (s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation($n: String!) { createStatus(input: { name: $n, color: "#abcdef" }) { status { id } } }',
        { n: uniqueName('s') },
      ),
  },
  {
    name: 'updateStatus',
    requires: 'statuses.update',
    run: async (s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation($id: ID!) { updateStatus(input: { id: $id, color: "#000000" }) { status { id } } }',
        { id: await statusFixture() },
      ),
  },
  {
    name: 'deleteStatus',
    requires: 'statuses.delete',
    run: async (s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation($id: ID!) { deleteStatus(input: { id: $id }) { deletedStatusId } }',
        { id: await statusFixture() },
      ),
  },
  {
    name: 'apiTokens',
    requires: 'admin',
    run: (s) => t.gql(tenant.subdomain, s, '{ apiTokens { totalCount } }'),
  },
  {
    name: 'setApiAccess',
    requires: 'admin',
    run: (s) =>
      t.gql(tenant.subdomain, s, 'mutation { setApiAccess(enabled: true) { apiEnabled } }'),
  },
  {
    name: 'createApiToken',
    requires: 'admin',
    run: (s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation { createApiToken(input: { name: "x", abilities: ["statuses.read"] }) { token } }',
      ),
  },
  {
    name: 'updateApiToken',
    requires: 'admin',
    run: async (s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation($id: ID!) { updateApiToken(input: { id: $id, name: "y" }) { apiToken { id } } }',
        { id: await tokenFixture() },
      ),
  },
  {
    name: 'revokeApiToken',
    requires: 'admin',
    run: async (s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }',
        { id: await tokenFixture() },
      ),
  },
  {
    name: 'node(ApiToken)',
    requires: 'admin',
    run: async (s) =>
      t.gql(tenant.subdomain, s, 'query($id: ID!) { node(id: $id) { id } }', {
        id: await tokenFixture(),
      }),
  },
];

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
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
    expect(error.extensions?.code, op.name).toBe('FORBIDDEN');
    if (op.requires === 'admin') expect(error.message).toMatch(/admin key/);
    else expect(error.message).toContain(`"${op.requires}"`);
  }
}

describe.each(ABILITIES.map((ability) => [ability]))('a token with only %s', (ability) => {
  let secret: string;
  beforeAll(async () => {
    secret = await t.createToken(tenant, [ability]);
  });
  it.each(OPERATIONS.map((op) => [op.name, op] as const))('%s', async (_name, op) => {
    const res = await op.run(secret);
    if (op.requires === 'none' || op.requires === ability) expectAllowed(res, op);
    else expectForbidden(res, op);
  });
});

describe('a token with *', () => {
  it.each(OPERATIONS.map((op) => [op.name, op] as const))('%s', async (_name, op) => {
    const secret = await t.createToken(tenant, ['*']);
    const res = await op.run(secret);
    if (op.requires === 'admin') expectForbidden(res, op);
    else expectAllowed(res, op);
  });
});

describe('the admin key', () => {
  it.each(OPERATIONS.map((op) => [op.name, op] as const))('%s', async (_name, op) => {
    expectAllowed(await op.run(tenant.adminKey), op);
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
      tenant.subdomain,
      tenant.adminKey,
      '{ abilityCategories { category abilities } }',
    );
    expect(res.body.data?.abilityCategories).toEqual(
      ABILITY_TABLE.map((r) => ({ category: r.category, abilities: [...r.abilities] })),
    );
  });
});

describe('what a token may read of what it writes', () => {
  it('a create-only token sees the status it created, but cannot list statuses', async () => {
    const secret = await t.createToken(tenant, ['statuses.create']);
    const created = await t.gql(
      tenant.subdomain,
      secret,
      'mutation { createStatus(input: { name: "Only mine", color: "#123" }) { status { id name color } } }',
    );
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data?.createStatus.status).toMatchObject({
      name: 'Only mine',
      color: '#112233',
    });
    const read = await t.gql(tenant.subdomain, secret, `query($id: ID!) { node(id: $id) { id } }`, {
      id: created.body.data?.createStatus.status.id,
    });
    expect(read.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(read.body.data).toEqual({ node: null });
  });
});
