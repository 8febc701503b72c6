import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/ids.js';
import { createStatus } from '../src/statuses/repo.js';
import { createSource } from '../src/sources/repo.js';
import { createGroup } from '../src/groups/repo.js';
import {
  codes,
  startTestApp,
  uniqueName,
  type TestApp,
  type TestTenant,
} from './helpers/test-app.js';
import { graphql } from './generated/gql.js';
import type { ContactsQuery, ContactsQueryVariables } from './generated/graphql.js';
import { makeContact, testPhone } from './operations/contacts.js';

const GET = graphql(`
  query ContactWithRelations($id: ID!) {
    contact(id: $id) {
      id
      firstName
      phone
      status {
        name
      }
      source {
        name
      }
      groups {
        name
      }
    }
  }
`);
const LIST = graphql(`
  query Contacts(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $filter: ContactFilter
    $orderBy: ContactOrder
  ) {
    contacts(
      first: $first
      after: $after
      last: $last
      before: $before
      filter: $filter
      orderBy: $orderBy
    ) {
      totalCount
      edges {
        node {
          id
          firstName
          lastName
          phone
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

/** contact(id), the contacts list's filters, order and paging, and how relations load. */
let t: TestApp;
let tenant: TestTenant;
let token: string;

beforeAll(async () => {
  // Pages of 100 contacts with their relations, in bursts: more than the default cost bucket.
  t = await startTestApp({
    rateLimit: { bucketSize: 1_000_000, restoreRate: 1_000_000, sendsPerSecond: 80 },
  });
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
});
afterAll(() => t.stop());

describe('reading contacts', () => {
  it('contact(id) returns the contact, null for an unknown id, BAD_USER_INPUT for a malformed one', async () => {
    const contact = await makeContact(t.database.db, tenant.tenant.id, { first_name: 'Grace' });
    const id = encodeId('Contact', contact.id);
    const found = await t.gql(tenant.subdomain, token, GET, { id });
    expect(found.body.data!.contact).toMatchObject({
      id,
      firstName: 'Grace',
      phone: contact.phone,
    });
    const missing = encodeId('Contact', '00000000-0000-4000-8000-000000000000');
    expect((await t.gql(tenant.subdomain, token, GET, { id: missing })).body).toEqual({
      data: { contact: null },
    });
    expect(codes(await t.gql(tenant.subdomain, token, GET, { id: 'garbage' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it("needs each relation's own ability: a contacts.read token gets the contact and FORBIDDEN on each relation", async () => {
    const db = t.database.db;
    const contact = await makeContact(db, tenant.tenant.id, {
      status_id: (
        await createStatus(db, tenant.tenant.id, { name: uniqueName('s'), color: '#111' })
      ).id,
      source_id: (await createSource(db, tenant.tenant.id, { name: uniqueName('src') })).id,
    });
    const id = encodeId('Contact', contact.id);
    const secret = await t.createToken(tenant, ['contacts.read']);
    const res = await t.gql(tenant.subdomain, secret, GET, { id });
    expect(res.body.data!.contact).toEqual({
      id,
      firstName: 'Ada',
      phone: contact.phone,
      status: null,
      source: null,
      groups: null,
    });
    const errors = res.body.errors!;
    expect(errors.map((e) => [e.extensions?.code, e.path])).toEqual(
      expect.arrayContaining([
        ['FORBIDDEN', ['contact', 'status']],
        ['FORBIDDEN', ['contact', 'source']],
        ['FORBIDDEN', ['contact', 'groups']],
      ]),
    );
    expect(errors).toHaveLength(3);
    expect(errors.find((e) => e.path![1] === 'status')!.message).toContain('"statuses.read"');

    const withStatuses = await t.createToken(tenant, ['contacts.read', 'statuses.read']);
    const partial = await t.gql(tenant.subdomain, withStatuses, GET, { id });
    expect(partial.body.data!.contact!.status).not.toBeNull();
    expect(partial.body.errors!.map((e) => e.path![1]).sort()).toEqual(['groups', 'source']);
  });

  it.each([
    [{ first: 101 }, 'first'],
    [{ last: 101 }, 'last'],
  ])('refuses page arguments %j with BAD_USER_INPUT', async (args, field) => {
    const res = await t.gql(tenant.subdomain, token, LIST, args);
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions?.field).toBe(field);
  });

  it('refuses a malformed filter id with BAD_USER_INPUT naming it', async () => {
    const res = await t.gql(tenant.subdomain, token, LIST, {
      filter: { groupId: encodeId('Status', '00000000-0000-4000-8000-000000000000') },
    });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions?.field).toBe('filter.groupId');
  });
});

describe('filters and order', () => {
  let fresh: TestTenant;
  let secret: string;
  const list = (variables: ContactsQueryVariables) =>
    t.gql<ContactsQuery, ContactsQueryVariables>(fresh.subdomain, secret, LIST, variables);
  const names = async (variables: ContactsQueryVariables) =>
    (await list({ first: 100, ...variables })).body.data!.contacts!.edges.map(
      (e) => e.node!.firstName,
    );
  const refs: Record<string, string> = {};

  beforeAll(async () => {
    fresh = await t.createTenant();
    secret = await t.createToken(fresh, ['contacts.read']);
    const db = t.database.db;
    const tenantId = fresh.tenant.id;
    const hot = await createStatus(db, tenantId, { name: 'Hot', color: '#f00' });
    const fair = await createSource(db, tenantId, { name: 'Fair' });
    const vip = await createGroup(db, tenantId, { name: 'VIP', description: null });
    Object.assign(refs, {
      hot: encodeId('Status', hot.id),
      fair: encodeId('Source', fair.id),
      vip: encodeId('Group', vip.id),
    });
    const people = [
      { first_name: 'Cleo', last_name: 'Zed', type: 'customer', status_id: hot.id },
      { first_name: 'Alan', last_name: 'Turing', company: '50% Off Ltd', source_id: fair.id },
      { first_name: 'Bea', last_name: '', email: 'bea@snail.example', status_id: hot.id },
      { first_name: 'Dan', last_name: 'Abel', type: 'customer', phone: '+442079460111' },
      { first_name: 'Eve', last_name: 'Moss', company: '500 Offers', source_id: fair.id },
    ] as const;
    const start = Date.parse('2026-01-01T00:00:00Z');
    for (const [i, person] of people.entries()) {
      const contact = await makeContact(db, tenantId, {
        ...person,
        created_at: new Date(start + i * 60_000),
        updated_at: new Date(start + (10 - i) * 60_000),
      });
      if (person.first_name !== 'Alan' && person.first_name !== 'Dan') {
        await db
          .insertInto('contact_groups')
          .values({ tenant_id: tenantId, group_id: vip.id, contact_id: contact.id })
          .execute();
      }
    }
  });

  it('orders newest first by default, and by each field both ways', async () => {
    expect(await names({})).toEqual(['Eve', 'Dan', 'Bea', 'Alan', 'Cleo']);
    const order = (field: string, direction: string) =>
      names({ orderBy: { field, direction } as any });
    expect(await order('CREATED_AT', 'ASC')).toEqual(['Cleo', 'Alan', 'Bea', 'Dan', 'Eve']);
    expect(await order('UPDATED_AT', 'DESC')).toEqual(['Cleo', 'Alan', 'Bea', 'Dan', 'Eve']);
    expect(await order('FIRST_NAME', 'ASC')).toEqual(['Alan', 'Bea', 'Cleo', 'Dan', 'Eve']);
    expect(await order('LAST_NAME', 'DESC')).toEqual(['Cleo', 'Alan', 'Eve', 'Dan', 'Bea']);
  });

  it('pages through an order forwards and backwards with a total count', async () => {
    const orderBy = { field: 'FIRST_NAME', direction: 'DESC' } as const;
    const seen: string[] = [];
    let after: string | null | undefined = null;
    for (;;) {
      const res: Awaited<ReturnType<typeof list>> = await list({ first: 2, after, orderBy });
      const page = res.body.data!.contacts!;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e) => e.node!.firstName));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(['Eve', 'Dan', 'Cleo', 'Bea', 'Alan']);
    const last = (await list({ last: 2, orderBy })).body.data!.contacts!;
    expect(last.edges.map((e) => e.node!.firstName)).toEqual(['Bea', 'Alan']);
    const before = await list({ last: 2, before: last.pageInfo.startCursor, orderBy });
    expect(before.body.data!.contacts!.edges.map((e) => e.node!.firstName)).toEqual([
      'Dan',
      'Cleo',
    ]);
  });

  it('filters by status, source, group, type and search, each alone and together', async () => {
    const sorted = async (filter: ContactsQueryVariables['filter']) =>
      (await names({ filter })).sort();
    expect(await sorted({ statusId: refs.hot })).toEqual(['Bea', 'Cleo']);
    expect(await sorted({ sourceId: refs.fair })).toEqual(['Alan', 'Eve']);
    expect(await sorted({ groupId: refs.vip })).toEqual(['Bea', 'Cleo', 'Eve']);
    expect(await sorted({ type: 'CUSTOMER' })).toEqual(['Cleo', 'Dan']);
    expect(await sorted({ type: 'CUSTOMER', groupId: refs.vip })).toEqual(['Cleo']);
    expect(await sorted({ search: 'turing' })).toEqual(['Alan']);
    expect(await sorted({ search: 'alan tur' })).toEqual(['Alan']);
    expect(await sorted({ search: 'SNAIL' })).toEqual(['Bea']);
    expect(await sorted({ search: '+44 20 7946 0111' })).toEqual(['Dan']);
    // % and _ are the characters themselves, not wildcards: "50%" is not "500…".
    expect(await sorted({ search: '50%' })).toEqual(['Alan']);
    expect(await sorted({ search: '_' })).toEqual([]);
    const res = await list({ first: 1, filter: { groupId: refs.vip } });
    expect(res.body.data!.contacts!.totalCount).toBe(3);
    expect(res.body.data!.contacts!.pageInfo.hasNextPage).toBe(true);
  });
});

describe('batching', () => {
  it('loads status, source and groups of a page in as many statements for 100 contacts as for 10', async () => {
    const fresh = await t.createTenant();
    const secret = await t.createToken(fresh, ['*']);
    const db = t.database.db;
    const tenantId = fresh.tenant.id;
    const statuses = await Promise.all(
      [1, 2, 3].map((i) => createStatus(db, tenantId, { name: `S${i}`, color: '#000' })),
    );
    const sources = await Promise.all(
      [1, 2, 3].map((i) => createSource(db, tenantId, { name: `Src${i}` })),
    );
    const groups = await Promise.all(
      [1, 2, 3].map((i) => createGroup(db, tenantId, { name: `G${i}`, description: null })),
    );
    const contacts = await db
      .insertInto('contacts')
      .values(
        Array.from({ length: 120 }, (_, i) => ({
          tenant_id: tenantId,
          first_name: `C${i}`,
          phone: testPhone(),
          status_id: statuses[i % 3]!.id,
          source_id: sources[i % 3]!.id,
        })),
      )
      .returning('id')
      .execute();
    await db
      .insertInto('contact_groups')
      .values(
        contacts.flatMap((c, i) =>
          [groups[i % 3]!, groups[(i + 1) % 3]!].map((g) => ({
            tenant_id: tenantId,
            group_id: g.id,
            contact_id: c.id,
          })),
        ),
      )
      .execute();
    const query = `query($first: Int!) { contacts(first: $first) { edges { node {
      id firstName status { name } source { name } groups { name contactCount } } } } }`;
    // The token's first use may also record last_used_at; warm it up first.
    await t.gql(fresh.subdomain, secret, '{ viewer { kind } }');
    // The fewest statements of three runs, so that background work on the pool cannot inflate it.
    const statements = async (first: number) => {
      const counts: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        const before = t.database.statementCount();
        const res = await t.gql(fresh.subdomain, secret, query, { first });
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data!.contacts.edges).toHaveLength(first);
        expect(res.body.data!.contacts.edges[0].node.groups).toHaveLength(2);
        // Each contact's relations are its own: Ci has S(i%3+1), Src(i%3+1), G(i%3+1), G((i+1)%3+1).
        for (const { node } of res.body.data!.contacts.edges) {
          const i = Number(node.firstName.slice(1));
          expect(node.status.name).toBe(`S${(i % 3) + 1}`);
          expect(node.source.name).toBe(`Src${(i % 3) + 1}`);
          const names = [`G${(i % 3) + 1}`, `G${((i + 1) % 3) + 1}`].sort();
          expect(node.groups.map((g: { name: string }) => g.name)).toEqual(names);
          expect(node.groups.map((g: { contactCount: number }) => g.contactCount)).toEqual([
            80, 80,
          ]);
        }
        counts.push(t.database.statementCount() - before);
      }
      return Math.min(...counts);
    };
    const ten = await statements(10);
    const hundred = await statements(100);
    expect(hundred).toBe(ten);
    // The token is cached after its first use (src/auth/auth-cache.ts): the cost bucket
    // (src/limits/), the page with its statuses, sources and groups, and the group counts.
    expect(ten).toBe(3);
  });
});
