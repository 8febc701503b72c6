import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageQuery, planPage, type PageOrder, WHOLE_PAGE } from '../src/db/connection.js';
import { startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { testPhone } from './operations/contacts.js';

/**
 * A page reads its cursors' exact values and its one extra row (to tell whether there are more)
 * only when the query selects cursors or `hasNextPage`/`hasPreviousPage` (src/db/connection.ts
 * `PageNeeds`, src/lookahead.ts `pageNeedsOf`): whichever way they are selected (aliases,
 * fragments, `@include`), the page answers exactly as the page read whole does.
 */
let t: TestApp;
let tenant: TestTenant;
let groupId: string;

beforeAll(async () => {
  t = await startTestApp({
    rateLimit: { bucketSize: 1_000_000, restoreRate: 1_000_000, sendsPerSecond: 80 },
  });
  tenant = await t.createTenant();
  const group = await run('mutation { createGroup(input: { name: "VIP" }) { group { id } } }');
  groupId = group.createGroup.group.id;
  for (let i = 0; i < 5; i += 1) {
    await run(
      `mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }`,
      { input: { firstName: `P${i}`, phone: testPhone(), groupIds: [groupId] } },
    );
  }
});
afterAll(() => t?.stop());

async function run(query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await t.gql(tenant.subdomain, tenant.adminKey, query, variables);
  expect(res.body.errors, query).toBeUndefined();
  return res.body.data;
}

const WHOLE = `edges { cursor node { id } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`;

/** The three ways to reach a group's contacts: the tenant's list, read ahead, loaded by node. */
const PLACES = {
  contacts: {
    query: (args: string, page: string, vars = '') =>
      `query${vars && `(${vars})`} { list: contacts(${args}, filter: { groupId: "${groupId}" }) { ${page} } }`,
    read: (data: any) => data.list,
  },
  'groups read ahead': {
    query: (args: string, page: string, vars = '') =>
      `query${vars && `(${vars})`} { groups(first: 5) { edges { node { list: contacts(${args}) { ${page} } } } } }`,
    read: (data: any) => data.groups.edges[0].node.list,
  },
  'a group by node': {
    query: (args: string, page: string, vars = '') =>
      `query${vars && `(${vars})`} { node(id: "${groupId}") { ... on Group { list: contacts(${args}) { ${page} } } } }`,
    read: (data: any) => data.node.list,
  },
};

describe.each(Object.entries(PLACES))('a page of %s', (_name, place) => {
  const page = async (args: string, selection: string, variables?: Record<string, unknown>) =>
    place.read(await run(place.query(args, selection, variables ? '$w: Boolean!' : ''), variables));

  it('gives the same cursors and pageInfo however they are selected', async () => {
    for (const args of [
      'first: 2',
      'last: 2',
      'first: 2, orderBy: { field: FIRST_NAME, direction: ASC }',
    ]) {
      const whole = await page(args, WHOLE);
      const cursors = whole.edges.map((e: any) => e.cursor);
      expect(cursors).toHaveLength(2);
      // Aliases, in a fragment.
      const viaFragment = place.read(
        await run(
          `${place.query(args, '...P')} fragment P on ContactConnection {
            e: edges { c: cursor n: node { id } } i: pageInfo { next: hasNextPage previous: hasPreviousPage } }`,
        ),
      );
      expect(viaFragment.e.map((e: any) => e.c)).toEqual(cursors);
      expect(viaFragment.i).toEqual({
        next: whole.pageInfo.hasNextPage,
        previous: whole.pageInfo.hasPreviousPage,
      });
      // Only the end cursor, then the page after it.
      const end = await page(args, 'pageInfo { endCursor }');
      expect(end.pageInfo.endCursor).toBe(whole.pageInfo.endCursor);
      // Only one of them, each alone.
      for (const field of ['hasNextPage', 'hasPreviousPage'] as const) {
        const alone = await page(args, `pageInfo { ${field} }`);
        expect(alone.pageInfo[field], `${args} ${field}`).toBe(whole.pageInfo[field]);
      }
      // Only whether there are more.
      const more = await page(args, 'pageInfo { hasNextPage hasPreviousPage } nodes { id }');
      expect(more.pageInfo).toEqual({
        hasNextPage: whole.pageInfo.hasNextPage,
        hasPreviousPage: whole.pageInfo.hasPreviousPage,
      });
      expect(more.nodes.map((n: any) => n.id)).toEqual(whole.edges.map((e: any) => e.node.id));
      // Selected or not by a variable.
      const conditional =
        'edges { cursor @include(if: $w) node { id } } pageInfo { hasNextPage @include(if: $w) }';
      const included = await page(args, conditional, { w: true });
      expect(included.edges.map((e: any) => e.cursor)).toEqual(cursors);
      expect(included.pageInfo.hasNextPage).toBe(whole.pageInfo.hasNextPage);
      const left = await page(args, conditional, { w: false });
      expect(left.edges).toEqual(whole.edges.map((e: any) => ({ node: e.node })));
    }
  });

  it('pages on with the cursors of a page that asked for nothing else', async () => {
    const all = (await page('first: 5', 'nodes { id }')).nodes.map((n: any) => n.id);
    expect(all).toHaveLength(5);
    const first = await page('first: 2', 'pageInfo { endCursor }');
    const next = await page(`first: 2, after: "${first.pageInfo.endCursor}"`, 'nodes { id }');
    expect(next.nodes.map((n: any) => n.id)).toEqual(all.slice(2, 4));
  });
});

describe('the statement of a page', () => {
  const order: PageOrder = { column: 'created_at', direction: 'desc', type: 'timestamp' };
  const compiled = (needs = WHOLE_PAGE) =>
    pageQuery(
      t.database.db.selectFrom('contacts').select('id').where('tenant_id', '=', tenant.tenant.id),
      planPage({ first: 20 }, order, needs),
      order,
    ).compile();

  it('reads the cursor values and one more row only when asked', () => {
    const whole = compiled();
    expect(whole.sql).toContain('_cursor_key');
    expect(whole.sql).toMatch(/limit 21$/);
    const bare = compiled({ cursors: false, more: false });
    expect(bare.sql).not.toContain('_cursor_key');
    expect(bare.sql).toMatch(/limit 20$/);
    expect(compiled({ cursors: false, more: true }).sql).toMatch(/limit 21$/);
    expect(compiled({ cursors: true, more: false }).sql).toContain('_cursor_key');
  });

  it('writes the limit into the text, so that PostgreSQL keeps one plan for the statement', () => {
    const { sql, parameters } = compiled();
    expect(parameters).toEqual([tenant.tenant.id]);
    expect(sql).toMatch(/limit 21$/);
  });
});
