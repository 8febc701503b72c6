import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { graphql } from './generated/gql.js';
import type { StatusesQuery } from './generated/graphql.js';

const CREATE = graphql(`
  mutation CreateStatus($input: CreateStatusInput!) {
    createStatus(input: $input) {
      status {
        id
        name
        color
        createdAt
      }
    }
  }
`);
const UPDATE = graphql(`
  mutation UpdateStatus($input: UpdateStatusInput!) {
    updateStatus(input: $input) {
      status {
        id
        name
        color
      }
    }
  }
`);
const DELETE = graphql(`
  mutation DeleteStatus($id: ID!) {
    deleteStatus(input: { id: $id }) {
      deletedStatusId
    }
  }
`);
const LIST = graphql(`
  query Statuses($first: Int, $after: String, $last: Int, $before: String) {
    statuses(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges {
        cursor
        node {
          id
          name
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`);

let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  t = await startTestApp();
  tenant = await t.createTenant();
  token = await t.createToken(tenant, [
    'statuses.create',
    'statuses.read',
    'statuses.update',
    'statuses.delete',
  ]);
});
afterAll(() => t.stop());

const create = (name: string, color = '#22c55e') =>
  t.gql(tenant.subdomain, token, CREATE, { input: { name, color } });

describe('statuses', () => {
  it('creates, reads by node id, updates and deletes a status', async () => {
    const created = await create('  Interested  ', '#ABC');
    expect(created.body.errors).toBeUndefined();
    const status = created.body.data!.createStatus!.status!;
    expect(status).toMatchObject({ name: 'Interested', color: '#aabbcc' });

    const node = await t.gql(
      tenant.subdomain,
      token,
      'query($id: ID!) { node(id: $id) { ... on Status { name color } } }',
      { id: status.id },
    );
    expect(node.body.data).toEqual({ node: { name: 'Interested', color: '#aabbcc' } });

    const updated = await t.gql(tenant.subdomain, token, UPDATE, {
      input: { id: status.id, name: 'Very interested' },
    });
    expect(updated.body.data?.updateStatus?.status).toEqual({
      id: status.id,
      name: 'Very interested',
      color: '#aabbcc',
    });

    const deleted = await t.gql(tenant.subdomain, token, DELETE, { id: status.id });
    expect(deleted.body.data?.deleteStatus?.deletedStatusId).toBe(status.id);
    const gone = await t.gql(tenant.subdomain, token, 'query($id: ID!) { node(id: $id) { id } }', {
      id: status.id,
    });
    expect(gone.body).toEqual({ data: { node: null } });
    const again = await t.gql(tenant.subdomain, token, DELETE, { id: status.id });
    expect(codes(again)).toEqual(['NOT_FOUND']);
  });

  it.each([
    ['an empty name', { name: '   ', color: '#fff' }, 'name'],
    ['a name over 100 characters', { name: 'x'.repeat(101), color: '#fff' }, 'name'],
    ['a colour that is not hex', { name: 'ok', color: 'red' }, 'color'],
    ['a colour with 4 digits', { name: 'ok', color: '#abcd' }, 'color'],
  ])(
    'refuses %s with BAD_USER_INPUT naming the field, and writes nothing',
    async (_what, input, field) => {
      const before = await countStatuses();
      const res = await t.gql(tenant.subdomain, token, CREATE, { input });
      expect(res.status).toBe(200);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
      expect(await countStatuses()).toBe(before);
    },
  );

  it('refuses a second status with the same name (any case) as CONFLICT', async () => {
    expect((await create('Hot lead')).body.errors).toBeUndefined();
    const res = await create('HOT LEAD');
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe('name');
    const other = await create('Warm lead');
    const rename = await t.gql(tenant.subdomain, token, UPDATE, {
      input: { id: other.body.data!.createStatus!.status!.id, name: 'hot lead' },
    });
    expect(codes(rename)).toEqual(['CONFLICT']);
  });

  it('allows the same name in two tenants', async () => {
    const second = await t.createTenant();
    const secret = await t.createToken(second, ['statuses.create']);
    expect((await create('Shared name')).body.errors).toBeUndefined();
    const res = await t.gql(second.subdomain, secret, CREATE, {
      input: { name: 'Shared name', color: '#000' },
    });
    expect(res.body.errors).toBeUndefined();
  });

  it.each([
    ['garbage', 'not-an-id', 'BAD_USER_INPUT'],
    [
      'another type',
      Buffer.from('ApiToken:00000000-0000-4000-8000-000000000000').toString('base64url'),
      'BAD_USER_INPUT',
    ],
    [
      'a missing status',
      Buffer.from('Status:00000000-0000-4000-8000-000000000000').toString('base64url'),
      'NOT_FOUND',
    ],
  ])('update with %s as id is %s', async (_what, id, code) => {
    const res = await t.gql(tenant.subdomain, token, UPDATE, { input: { id, name: 'x' } });
    expect(codes(res)).toEqual([code]);
  });

  it('node(id) with a malformed id is BAD_USER_INPUT, not a 500', async () => {
    const res = await t.gql(tenant.subdomain, token, '{ node(id: "%%%") { id } }');
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('pages forwards and backwards by name with stable cursors and a total count', async () => {
    const fresh = await t.createTenant();
    const secret = await t.createToken(fresh, ['statuses.create', 'statuses.read']);
    const names = Array.from({ length: 7 }, (_, i) => `Stage ${i}`);
    for (const name of [...names].reverse()) {
      await t.gql(fresh.subdomain, secret, CREATE, { input: { name, color: '#123456' } });
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: Awaited<ReturnType<typeof t.gql<StatusesQuery>>> = await t.gql(
        fresh.subdomain,
        secret,
        LIST,
        { first: 3, after },
      );
      const page = res.body.data!.statuses!;
      expect(page.totalCount).toBe(7);
      seen.push(...page.edges.map((e) => e.node!.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(names);

    const last = await t.gql(fresh.subdomain, secret, LIST, { last: 2 });
    expect(last.body.data!.statuses!.edges.map((e) => e.node!.name)).toEqual([
      'Stage 5',
      'Stage 6',
    ]);
    expect(last.body.data!.statuses!.pageInfo.hasPreviousPage).toBe(true);
    const before = await t.gql(fresh.subdomain, secret, LIST, {
      last: 2,
      before: last.body.data!.statuses!.pageInfo.startCursor,
    });
    expect(before.body.data!.statuses!.edges.map((e) => e.node!.name)).toEqual([
      'Stage 3',
      'Stage 4',
    ]);
  });

  it.each([
    [{ first: 101 }, 'first'],
    [{ first: -1 }, 'first'],
    [{ last: 500 }, 'last'],
    [{ first: 1, last: 1 }, 'first'],
    [{ after: 'bm90IGEgY3Vyc29y' }, 'after'],
  ])('refuses page arguments %j with BAD_USER_INPUT', async (args, field) => {
    const res = await t.gql(tenant.subdomain, token, LIST, args);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors?.[0]?.extensions?.field).toBe(field);
  });

  it("never shows another tenant's statuses", async () => {
    const other = await t.createTenant();
    const otherToken = await t.createToken(other, ['*']);
    const mine = (await create('Private stage')).body.data!.createStatus!.status!;
    const list = await t.gql(other.subdomain, otherToken, LIST, { first: 100 });
    expect(list.body.data!.statuses!.totalCount).toBe(0);
    const node = await t.gql(
      other.subdomain,
      otherToken,
      'query($id: ID!) { node(id: $id) { id } }',
      { id: mine.id },
    );
    expect(node.body).toEqual({ data: { node: null } });
    for (const doc of [UPDATE, DELETE]) {
      const variables =
        doc === UPDATE ? { input: { id: mine.id, name: 'stolen' } } : { id: mine.id };
      const res = await t.gql(other.subdomain, otherToken, doc as any, variables as any);
      expect(codes(res)).toEqual(['NOT_FOUND']);
    }
    const still = await t.gql(
      tenant.subdomain,
      token,
      'query($id: ID!) { node(id: $id) { ... on Status { name } } }',
      { id: mine.id },
    );
    expect(still.body.data).toEqual({ node: { name: 'Private stage' } });
  });
});

async function countStatuses(): Promise<number> {
  const row = await t.database.db
    .selectFrom('statuses')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenant.tenant.id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
