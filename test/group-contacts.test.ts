import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createGroup } from '../src/groups/repo.js';
import { encodeId } from '../src/ids.js';
import { createStatus } from '../src/statuses/repo.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { testPhone } from './operations/contacts.js';

/**
 * `Group.contacts` under a page of groups: the same pages as each group's own connection, in a
 * number of statements that depends neither on the number of groups nor on the page sizes.
 */
let t: TestApp;
let tenant: TestTenant;
let token: string;
/** Group global ids, by name G01…G20. */
let groupIds: string[];

const PAGE = `
  edges { cursor node { id firstName phone status { name } } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;

beforeAll(async () => {
  t = await startTestApp({
    rateLimit: { bucketSize: 1_000_000, restoreRate: 1_000_000, sendsPerSecond: 80 },
    // 20 groups of 20 contacts cost more than the default limit.
    limits: { ...loadConfig({ PORT: '0' }).limits, maxCost: 1_000_000 },
  });
  tenant = await t.createTenant();
  token = await t.createToken(tenant, ['*']);
  const db = t.database.db;
  const tenantId = tenant.tenant.id;
  const statuses = await Promise.all(
    ['Hot', 'Cold'].map((name) => createStatus(db, tenantId, { name, color: '#000' })),
  );
  const groups = [];
  for (let i = 1; i <= 20; i += 1) {
    const name = `G${String(i).padStart(2, '0')}`;
    groups.push(await createGroup(db, tenantId, { name, description: null }));
  }
  groupIds = groups.map((g) => encodeId('Group', g.id));
  // 60 contacts; every third shares its creation time with the next (ties broken by id), some
  // without a status. Group i holds the contacts j with (i + j) % 3 !== 0: 40 each, 26 or 27 for
  // groups reached through different contacts.
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  const contacts = await db
    .insertInto('contacts')
    .values(
      Array.from({ length: 60 }, (_, j) => ({
        tenant_id: tenantId,
        first_name: `C${String(j).padStart(2, '0')}`,
        last_name: ['Smith', 'Jones', 'Patel'][j % 3]!,
        phone: testPhone(),
        status_id: j % 4 === 0 ? null : statuses[j % 2]!.id,
        created_at: new Date(base + Math.floor(j / 2) * 1000 + 0.5),
      })),
    )
    .returning('id')
    .execute();
  await db
    .insertInto('contact_groups')
    .values(
      groups.flatMap((group, i) =>
        contacts
          .filter((_, j) => (i + j) % 3 !== 0 && (i < 10 || j % 2 === 0))
          .map((contact) => ({ tenant_id: tenantId, group_id: group.id, contact_id: contact.id })),
      ),
    )
    .execute();
});
afterAll(() => t.stop());

/** The fewest statements of three runs of `query` (background work on the pool cannot inflate it). */
async function statements(query: string, variables: Record<string, unknown>) {
  const counts: number[] = [];
  for (let run = 0; run < 3; run += 1) {
    const before = t.database.statementCount();
    const res = await t.gql(tenant.subdomain, token, query, variables);
    expect(res.body.errors).toBeUndefined();
    counts.push(t.database.statementCount() - before);
  }
  return Math.min(...counts);
}

const GROUPS = `query($groups: Int!, $contacts: Int!) {
  groups(first: $groups) { edges { node { name contacts(first: $contacts) {
    totalCount edges { node { firstName phone status { name } } } } } } } }`;

describe('Group.contacts under a page of groups', () => {
  it('runs as many statements for 2 groups as for 20, for pages of 5 as of 20', async () => {
    await t.gql(tenant.subdomain, token, '{ viewer { kind } }');
    const counts = new Map<string, number>();
    for (const groups of [2, 20]) {
      for (const contacts of [5, 20]) {
        counts.set(`${groups}x${contacts}`, await statements(GROUPS, { groups, contacts }));
      }
    }
    expect(new Set(counts.values()).size, JSON.stringify([...counts])).toBe(1);
    // The cost bucket, the groups page with every group's page of contacts and their statuses
    // (read ahead: one statement), and every group's totalCount.
    expect(counts.get('20x20')).toBe(3);
  });

  it('loads the pages (one statement for all groups) where it cannot read them ahead', async () => {
    // Two connections under one node: neither is read ahead, both load, each in one statement.
    const twice = `{ groups(first: 20) { edges { node { a: contacts(first: 4) { ${PAGE} }
      b: contacts(first: 4) { ${PAGE} } } } } }`;
    const once = `{ groups(first: 20) { edges { node { contacts(first: 4) { ${PAGE} } } } } }`;
    const loaded = await t.gql(tenant.subdomain, token, twice);
    const ahead = await t.gql(tenant.subdomain, token, once);
    expect(loaded.body.errors).toBeUndefined();
    const pages = ahead.body.data!.groups.edges.map((e: any) => e.node.contacts);
    expect(loaded.body.data!.groups.edges.map((e: any) => e.node.a)).toEqual(pages);
    expect(loaded.body.data!.groups.edges.map((e: any) => e.node.b)).toEqual(pages);
    // The bucket, the groups, and the contacts of all groups for the one spec both aliases share.
    expect(await statements(twice, {})).toBe(3);
    expect(await statements(once, {})).toBe(2);
  });

  it.each([
    ['first', { first: 7 }],
    ['last', { last: 6 }],
    ['first name ascending', { first: 9, orderBy: { field: 'FIRST_NAME', direction: 'ASC' } }],
    ['last name descending', { first: 9, orderBy: { field: 'LAST_NAME', direction: 'DESC' } }],
    ['empty', { first: 0 }],
  ])(
    'gives each group the page of its own connection: %s, then the pages after and before it',
    async (_name, args) => {
      const vars = `$first: Int, $last: Int, $after: String, $before: String, $orderBy: ContactOrder`;
      const pass = `first: $first, last: $last, after: $after, before: $before, orderBy: $orderBy`;
      const batched = `query(${vars}) { groups(first: 20) { edges { node { id
        contacts(${pass}) { totalCount ${PAGE} } } } } }`;
      // Unbatched: the tenant's contacts filtered by the group, one connection per request.
      const alone = `query($groupId: ID!, ${vars}) {
        contacts(filter: { groupId: $groupId }, ${pass}) { totalCount ${PAGE} } }`;
      const viaNode = `query($id: ID!, ${vars}) { node(id: $id) { ... on Group {
        contacts(${pass}) { totalCount ${PAGE} } } } }`;
      const check = async (variables: Record<string, unknown>) => {
        const res = await t.gql(tenant.subdomain, token, batched, variables);
        expect(res.body.errors).toBeUndefined();
        const pages = res.body.data!.groups.edges.map(
          (e: { node: { id: string; contacts: unknown } }) => e.node,
        );
        expect(pages.map((p: { id: string }) => p.id)).toEqual(groupIds);
        for (const { id, contacts } of pages) {
          const one = await t.gql(tenant.subdomain, token, alone, { ...variables, groupId: id });
          expect(one.body.errors).toBeUndefined();
          expect(contacts).toEqual(one.body.data!.contacts);
          const node = await t.gql(tenant.subdomain, token, viaNode, { ...variables, id });
          expect(node.body.data!.node.contacts).toEqual(one.body.data!.contacts);
        }
        return pages as { contacts: { pageInfo: { startCursor: string; endCursor: string } } }[];
      };
      const pages = await check(args);
      const { first, last, ...order } = args as Record<string, unknown>;
      const size = (first ?? last) as number;
      if (size === 0) return;
      // Cursors of one group's page, used on every group: each must page as its own would.
      const { startCursor, endCursor } = pages[3]!.contacts.pageInfo;
      await check({ ...order, after: endCursor, first: size });
      await check({ ...order, before: startCursor, last: size });
    },
  );

  it('reads ahead every field of a contact and of its relations as the unbatched connection answers them', async () => {
    const db = t.database.db;
    const tenantId = tenant.tenant.id;
    // Some contacts of the first groups with a source, a company and a description; the rest
    // without (nulls must read back as nulls, not as missing relations).
    const source = await db
      .insertInto('sources')
      .values({ tenant_id: tenantId, name: 'Fair "2026" \\ Ünïcode' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('contacts')
      .set({
        source_id: source.id,
        company: 'Acme',
        description: 'line 1\nline 2',
        type: 'customer',
      })
      .where('tenant_id', '=', tenantId)
      .where('first_name', 'in', ['C53', 'C55', 'C57', 'C58', 'C59'])
      .execute();
    const fields = `id firstName lastName company type email phone country description createdAt
      updatedAt status { id name color createdAt updatedAt } source { id name createdAt updatedAt }
      groups { id name description createdAt }`;
    const batched = `{ groups(first: 3) { edges { node { id
      contacts(first: 15) { edges { cursor node { ${fields} } } } } } } }`;
    const res = await t.gql(tenant.subdomain, token, batched);
    expect(res.body.errors).toBeUndefined();
    // The groups and each group's page with every relation: one statement (and the bucket).
    expect(await statements(batched, {})).toBe(2);
    let withSource = 0;
    for (const { id, contacts } of res.body.data!.groups.edges.map((e: any) => e.node)) {
      const one = await t.gql(
        tenant.subdomain,
        token,
        `query($g: ID!) { contacts(first: 15, filter: { groupId: $g }) {
          edges { cursor node { ${fields} } } } }`,
        { g: id },
      );
      expect(one.body.errors).toBeUndefined();
      expect(contacts).toEqual(one.body.data!.contacts);
      withSource += contacts.edges.filter((e: any) => e.node.source).length;
    }
    expect(withSource).toBeGreaterThan(0);
  });

  it('refuses a bad cursor on the field, as the unbatched connection does', async () => {
    const res = await t.gql(
      tenant.subdomain,
      token,
      `{ groups(first: 2) { edges { node { name contacts(after: "nope") { totalCount } } } } }`,
    );
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual([
      'BAD_USER_INPUT',
      'BAD_USER_INPUT',
    ]);
    expect(res.body.errors![0]!.path).toEqual(['groups', 'edges', 0, 'node', 'contacts']);
  });
});

describe('a page that reads some columns only', () => {
  it('never answers a whole-contact load in the same request with its partial rows', async () => {
    const db = t.database.db;
    const tenantId = tenant.tenant.id;
    const [contact] = await db
      .insertInto('contacts')
      .values({
        tenant_id: tenantId,
        first_name: 'Partial',
        email: 'partial@example.com',
        phone: testPhone(),
      })
      .returningAll()
      .execute();
    await db
      .insertInto('messages')
      .values({
        tenant_id: tenantId,
        contact_id: contact!.id,
        to_phone: contact!.phone,
        type: 'TEXT',
        content: JSON.stringify({ body: 'hi' }),
        transport: 'sandbox',
      })
      .execute();
    // The page reads only `id`; each message's contact loads the whole row by id afterwards.
    const res = await t.gql(
      tenant.subdomain,
      token,
      `{ contacts(first: 1, filter: { search: "partial@example.com" }) { edges { node { id
        messages { edges { node { contact { id firstName email phone createdAt } } } } } } } }`,
    );
    expect(res.body.errors).toBeUndefined();
    const node = res.body.data!.contacts.edges[0].node;
    expect(node.messages.edges[0].node.contact).toEqual({
      id: node.id,
      firstName: 'Partial',
      email: 'partial@example.com',
      phone: contact!.phone,
      createdAt: contact!.created_at.toISOString(),
    });
  });
});

describe('nodes, the shortcut for edges { node }', () => {
  const edges = (inner: string) => `edges { node { ${inner} } }`;
  const nodes = (inner: string) => `nodes { ${inner} }`;
  const groupsQuery = (list: (inner: string) => string) =>
    `{ groups(first: 20) { ${list(`name contacts(first: 5) { ${list('firstName phone status { name }')} }`)} } }`;
  const contactsQuery = (list: (inner: string) => string) =>
    `{ contacts(first: 30) { ${list('firstName status { name } groups { name }')} } }`;
  /** A connection's items, whichever way they were selected. */
  const items = (connection: any): any[] =>
    connection.nodes ?? connection.edges.map((edge: any) => edge.node);
  const unwrap = (group: any) => ({ ...group, contacts: items(group.contacts) });

  it('gives the same nodes, in as many statements, at the same cost', async () => {
    for (const [query, read] of [
      [groupsQuery, (data: any) => items(data.groups).map(unwrap)],
      [contactsQuery, (data: any) => items(data.contacts)],
    ] as const) {
      const viaEdges = await t.gql(tenant.subdomain, token, query(edges));
      const viaNodes = await t.gql(tenant.subdomain, token, query(nodes));
      expect(viaNodes.body.errors).toBeUndefined();
      expect(read(viaNodes.body.data)).toEqual(read(viaEdges.body.data));
      expect(read(viaNodes.body.data).length).toBeGreaterThan(0);
      expect(viaNodes.cost!.requestedQueryCost).toBe(viaEdges.cost!.requestedQueryCost);
      // Read ahead as `edges { node }` is: relations in the page's statement, group pages too.
      expect(await statements(query(nodes), {})).toBe(await statements(query(edges), {}));
    }
    expect(await statements(groupsQuery(nodes), {})).toBe(2);
  });

  it('costs its selection times the page size, as edges do', async () => {
    const cost = async (query: string) =>
      (await t.gql(tenant.subdomain, token, query)).cost!.requestedQueryCost;
    // 1 + 10 × (an item 1 + its node 1 + status 1).
    expect(await cost('{ contacts(first: 10) { nodes { firstName status { name } } } }')).toBe(31);
    expect(
      await cost('{ contacts(first: 10) { edges { node { firstName status { name } } } } }'),
    ).toBe(31);
  });
});
