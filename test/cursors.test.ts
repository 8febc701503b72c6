import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeContact } from './operations/contacts.js';
import {
  codes,
  type GraphQLResponse,
  startTestApp,
  type TestApp,
  type TestTenant,
} from './helpers/test-app.js';

/**
 * Connection cursors (src/db/connection.ts): each connection takes back the cursors it gives, in
 * `after` and `before`; anything else (crafted, or of a connection ordered by another type) is
 * BAD_USER_INPUT naming the argument, never an INTERNAL_SERVER_ERROR from PostgreSQL.
 */
let t: TestApp;
let tenant: TestTenant;
const refs: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestApp({
    rateLimit: { bucketSize: 1_000_000, restoreRate: 1_000_000, sendsPerSecond: 1_000_000 },
  });
  tenant = await t.createTenant();
  // One row at least in every connection, so that each has a cursor to give.
  const made = await run(`mutation {
    s: createStatus(input: { name: "New", color: "#fff" }) { status { id } }
    o: createSource(input: { name: "Web" }) { source { id } }
    g: createGroup(input: { name: "VIP" }) { group { id } }
    k: createApiToken(input: { name: "k", abilities: ["*"] }) { apiToken { id } }
    b: createMessageBot(input: { name: "b", triggerType: EXACT_MATCH, keywords: ["hi"],
      replyType: TEXT, text: "Hello" }) { messageBot { id } }
    syncTemplates { __typename } }`);
  const more = await run(
    `mutation($g: ID!) {
      c: createContact(input: { firstName: "Ada", phone: "+447400123456", groupIds: [$g] }) {
        contact { id } }
      m: sendTextMessage(input: { to: { phone: "+447400123456" }, body: "hi" }) { message { id } } }`,
    { g: made.g.group.id },
  );
  const templates = await run('{ templates(first: 20) { edges { node { id name } } } }');
  const template = templates.templates.edges.find(
    (e: { node: { name: string } }) => e.node.name === 'order_confirmation',
  ).node.id;
  await run(
    `mutation($t: ID!) { createTemplateBot(input: { name: "t", triggerType: FIRST_MESSAGE,
      templateId: $t, bodyParameters: [{ contactField: FIRST_NAME }, { value: "#1" },
      { value: "$1" }], buttonParameters: [{ value: "1042" }] }) { templateBot { id } } }`,
    { t: template },
  );
  refs.group = made.g.group.id;
  refs.contact = more.c.contact.id;
}, 60_000);
afterAll(() => t?.stop());

async function run(query: string, variables?: Record<string, unknown>): Promise<any> {
  const res = await t.gql(tenant.subdomain, tenant.adminKey, query, variables);
  expect(res.body.errors, query).toBeUndefined();
  return res.body.data;
}

const PAGE = '(first: $first, last: $last, after: $after, before: $before';
const VARS = '$first: Int, $last: Int, $after: String, $before: String';
const SELECTION = '{ edges { cursor } pageInfo { startCursor endCursor } }';
const root = (field: string, extra = '') =>
  `query(${VARS}) { list: ${field}${PAGE}${extra}) ${SELECTION} }`;
const nested = (type: string, field: string, extra = '') =>
  `query(${VARS}, $id: ID!) { node(id: $id) { ... on ${type} { list: ${field}${PAGE}${extra}) ${SELECTION} } } }`;

/** Every connection of the schema, and each order of the contact lists. */
const CONNECTIONS: Record<string, string> = {
  contacts: root('contacts'),
  'contacts by first name': root('contacts', ', orderBy: { field: FIRST_NAME, direction: ASC }'),
  'contacts by last name': root('contacts', ', orderBy: { field: LAST_NAME, direction: DESC }'),
  'contacts by update': root('contacts', ', orderBy: { field: UPDATED_AT, direction: ASC }'),
  statuses: root('statuses'),
  sources: root('sources'),
  groups: root('groups'),
  templates: root('templates'),
  messageBots: root('messageBots'),
  templateBots: root('templateBots'),
  messages: root('messages'),
  apiTokens: root('apiTokens'),
  'Group.contacts': nested('Group', 'contacts'),
  'Contact.messages': nested('Contact', 'messages'),
};
const NAMES = Object.keys(CONNECTIONS);
/** Connections ordered by a timestamp; the others are ordered by text. */
const BY_TIME = new Set([
  'contacts',
  'contacts by update',
  'messages',
  'apiTokens',
  'Group.contacts',
  'Contact.messages',
]);

type Page = { edges: { cursor: string }[]; pageInfo: { startCursor: string | null } };

function list(name: string, args: Record<string, unknown>): Promise<GraphQLResponse> {
  const id = name === 'Group.contacts' ? refs.group : refs.contact;
  return t.gql(tenant.subdomain, tenant.adminKey, CONNECTIONS[name]!, { id, ...args });
}

const pageOf = (res: GraphQLResponse): Page | undefined =>
  res.body.data?.list ?? res.body.data?.node?.list;

const cursor = (value: unknown, id: unknown = '00000000-0000-4000-8000-000000000000') =>
  Buffer.from(JSON.stringify([value, id])).toString('base64url');

describe('the cursors a connection gives', () => {
  for (const name of NAMES) {
    it(`${name}: are taken back in after and before`, async () => {
      const first = await list(name, { first: 1 });
      const page = pageOf(first)!;
      expect(page.edges).toHaveLength(1);
      for (const arg of ['after', 'before']) {
        const res = await list(name, { [arg]: page.edges[0]!.cursor });
        expect(res.body.errors, arg).toBeUndefined();
      }
    });
  }
});

describe('a cursor the connection never gave', () => {
  const crafted: [string, string][] = [
    ['text', cursor('x')],
    ['a number', cursor(1e308)],
    ['text that looks like a date', cursor('2024-99-99')],
    ['an impossible date', cursor({ d: '2024-99-99T00:00:00Z' })],
    ['a date past year 9999', cursor({ d: '+275760-09-13T00:00:00.000Z' })],
    ['a date of 30 February', cursor({ d: '2024-02-30T00:00:00Z' })],
    ['a date with no time zone', cursor({ d: '2024-01-01T00:00:00' })],
    ['a date with more keys', cursor({ d: '2024-01-01T00:00:00Z', e: 1 })],
    ['NUL in text', cursor('a\u0000')],
    ['no uuid', cursor('x', 'x')],
    ['three items', Buffer.from(JSON.stringify(['x', 'y', 'z'])).toString('base64url')],
    ['not JSON', Buffer.from('[').toString('base64url')],
    ['not base64', '!!!'],
  ];

  for (const name of NAMES) {
    it(`${name}: BAD_USER_INPUT naming after or before`, async () => {
      // Text is a fine value for a connection ordered by text, a date for one ordered by time.
      const wrongType = BY_TIME.has(name) ? cursor('x') : cursor({ d: '2024-01-01T00:00:00Z' });
      const cases = [...crafted, ['a value of the wrong type', wrongType] as [string, string]];
      const skip = BY_TIME.has(name) ? [] : ['text', 'text that looks like a date'];
      for (const [what, value] of cases.filter(([what]) => !skip.includes(what))) {
        for (const arg of ['after', 'before']) {
          const res = await list(name, { [arg]: value });
          expect(res.status, `${what} in ${arg}`).toBe(200);
          expect(
            res.body.errors?.map((e) => e.extensions),
            `${what} in ${arg}`,
          ).toEqual([{ code: 'BAD_USER_INPUT', field: arg }]);
        }
      }
    });
  }

  it('of a connection ordered by another type: BAD_USER_INPUT', async () => {
    const byTime = pageOf(await list('contacts', { first: 1 }))!.edges[0]!.cursor;
    const byText = pageOf(await list('statuses', { first: 1 }))!.edges[0]!.cursor;
    for (const [name, value] of [
      ['statuses', byTime],
      ['contacts by first name', byTime],
      ['contacts', byText],
      ['messages', byText],
    ] as const) {
      const res = await list(name, { after: value });
      expect(codes(res), name).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('any cursor at all: never an INTERNAL_SERVER_ERROR', { timeout: 120_000 }, async () => {
    const uuid = fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }));
    const value = fc.oneof(
      fc.jsonValue(),
      fc.date({ noInvalidDate: true }).map((d) => ({ d: d.toISOString() })),
      fc.string().map((d) => ({ d })),
      fc.constantFrom('\u0000', '\ud800', 'x\u0000y', 1e308, -0, '2024-99-99'),
    );
    const anyCursor = fc.oneof(
      fc.tuple(value, uuid).map(([v, id]) => cursor(v, id)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
      fc.string({ unit: 'binary' }).map((s) => Buffer.from(s).toString('base64url')),
      fc.string({ unit: 'binary' }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NAMES),
        fc.constantFrom('after', 'before'),
        anyCursor,
        async (name, arg, value) => {
          const res = await list(name, { [arg]: value });
          expect(res.status).toBe(200);
          for (const error of res.body.errors ?? []) {
            expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', field: arg });
          }
        },
      ),
      { seed: Number(process.env.BAD_INPUT_SEED ?? 20261125), numRuns: 300, endOnFailure: true },
    );
  });
});

it('pages through rows of one millisecond once each, by time both ways', async () => {
  const own = await t.createTenant();
  const db = t.database.db;
  // PostgreSQL keeps microseconds; a JS Date only milliseconds.
  const times = ['100', '200', '300', '400'].map((us) => `2026-01-01T00:00:00.000${us}Z`);
  const names = ['A', 'B', 'C', 'D'];
  for (const [i, time] of times.entries()) {
    const contact = await makeContact(db, own.tenant.id, { first_name: names[i]! });
    await db
      .updateTable('contacts')
      .set({ created_at: sql`${time}::timestamptz`, updated_at: sql`${time}::timestamptz` })
      .where('id', '=', contact.id)
      .execute();
  }
  const query = `query($after: String, $before: String, $first: Int, $last: Int, $o: ContactOrder) {
    contacts(first: $first, last: $last, after: $after, before: $before, orderBy: $o) {
      edges { node { firstName } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
  for (const field of ['CREATED_AT', 'UPDATED_AT']) {
    for (const direction of ['ASC', 'DESC']) {
      const order = { field, direction };
      const expected = direction === 'ASC' ? names : [...names].reverse();
      const forwards: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 10; i++) {
        const res = await t.gql(own.subdomain, own.adminKey, query, { first: 1, after, o: order });
        const page = res.body.data!.contacts;
        forwards.push(...page.edges.map((e: any) => e.node.firstName));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(forwards, `${field} ${direction}`).toEqual(expected);
      const backwards: string[] = [];
      let before: string | undefined;
      for (let i = 0; i < 10; i++) {
        const res = await t.gql(own.subdomain, own.adminKey, query, { last: 1, before, o: order });
        const page = res.body.data!.contacts;
        backwards.unshift(...page.edges.map((e: any) => e.node.firstName));
        if (!page.pageInfo.hasPreviousPage) break;
        before = page.pageInfo.startCursor;
      }
      expect(backwards, `${field} ${direction} backwards`).toEqual(expected);
    }
  }
});
