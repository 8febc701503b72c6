import { parse, printSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import type { Context } from '../src/context.js';
import { grantedByAbilities } from '../src/auth/verdict.js';
import type { Principal } from '../src/auth/principal.js';
import { schema, unguardedSchema } from '../src/schema.js';
import { scrape, valueOf } from './helpers/metrics.js';
import {
  codes,
  startSecondInstance,
  startTestApp,
  type TestApp,
  type TestTenant,
} from './helpers/test-app.js';

// Operations the caller's abilities fully grant run compiled (graphql-jit) on the schema without
// scope-auth's wrappers (src/compiled-execution.ts, src/auth/verdict.ts). They must answer exactly
// as graphql-js on the guarded schema does: the same cases are sent to an instance with
// COMPILED_EXECUTION=on and to one with it off, on the same database, and must be equal.

describe('the unguarded schema', () => {
  it('is the same API as the guarded one', () => {
    expect(printSchema(unguardedSchema)).toBe(printSchema(schema));
  });
});

describe('the verdict', () => {
  const token = (...abilities: string[]): Principal => ({
    kind: 'token',
    tokenId: 't',
    name: 't',
    abilities: new Set(abilities),
    expiresAt: null,
  });
  const verdict = (principal: Principal, query: string) => {
    const document = parse(query);
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition')!;
    return grantedByAbilities(schema, document, operation, { principal } as Context);
  };
  const PAGE = '{ contacts(first: 5) { edges { node { firstName status { name } } } } }';

  it('grants a read whose every field and type the abilities allow', () => {
    expect(verdict(token('contacts.read', 'statuses.read'), PAGE)).toBe(true);
    expect(verdict(token('*'), PAGE)).toBe(true);
    expect(verdict({ kind: 'admin' }, PAGE)).toBe(true);
  });

  it('does not when a field or a type on the way may be refused', () => {
    expect(verdict(token('contacts.read'), PAGE)).toBe(false);
    expect(verdict(token('statuses.read'), PAGE)).toBe(false);
    // Through a fragment, an inline fragment and an interface's possible types.
    const viaFragment =
      'query { contacts(first: 1) { edges { node { ...C } } } } fragment C on Contact { source { name } }';
    expect(verdict(token('contacts.read', 'statuses.read'), viaFragment)).toBe(false);
    expect(verdict(token('contacts.read', 'sources.read'), viaFragment)).toBe(true);
    const viaNode = '{ node(id: "x") { ... on Contact { firstName } } }';
    expect(verdict(token('contacts.read'), viaNode)).toBe(false);
    expect(verdict({ kind: 'admin' }, viaNode)).toBe(true);
  });

  it('leaves a payload readable only through its mutation ($granted) to scope-auth', () => {
    const create =
      'mutation { createStatus(input: { name: "n", color: "#000000" }) { status { name } } }';
    expect(verdict(token('statuses.create'), create)).toBe(false);
    expect(verdict(token('statuses.create', 'statuses.read'), create)).toBe(true);
  });

  it('needs the admin key where a rule does', () => {
    const tokens = '{ apiTokens(first: 1) { edges { node { name } } } }';
    expect(verdict(token('*'), tokens)).toBe(false);
    expect(verdict({ kind: 'admin' }, tokens)).toBe(true);
  });

  it('grants introspection and __typename to anyone', () => {
    const anonymous: Principal = { kind: 'anonymous', abilities: new Set() };
    expect(verdict(anonymous, '{ __typename __schema { types { name } } }')).toBe(true);
  });
});

// A bucket that is always full again by the next request, so `extensions.cost` compares equal.
const roomy: Partial<Config> = {
  rateLimit: { bucketSize: 100_000, restoreRate: 1_000_000, sendsPerSecond: 80 },
};

describe('compiled execution', () => {
  let on: TestApp;
  let off: TestApp;
  let tenant: TestTenant;
  let all: string;
  let contactsOnly: string;
  let ids: { contact: string; group: string; status: string };

  beforeAll(async () => {
    on = await startTestApp(roomy);
    off = await startSecondInstance(on, { compiledExecution: false });
    tenant = await on.createTenant();
    all = await on.createToken(tenant, ['*']);
    contactsOnly = await on.createToken(tenant, ['contacts.read']);
    const admin = (query: string, variables?: Record<string, unknown>) =>
      on.gql(tenant.subdomain, tenant.adminKey, query, variables).then((r) => r.body.data!);
    const status = await admin(
      'mutation { createStatus(input: { name: "Lead", color: "#112233" }) { status { id } } }',
    );
    const group = await admin('mutation { createGroup(input: { name: "VIP" }) { group { id } } }');
    const contactIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await admin(
        'mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }',
        {
          input: {
            firstName: `Ann ${i}`,
            lastName: i % 2 ? `Lee ${i}` : null,
            phone: `+4420794609${50 + i}`,
            statusId: i < 3 ? status.createStatus.status.id : null,
            groupIds: i < 4 ? [group.createGroup.group.id] : [],
          },
        },
      );
      contactIds.push(created.createContact.contact.id);
    }
    ids = {
      contact: contactIds[0]!,
      group: group.createGroup.group.id,
      status: status.createStatus.status.id,
    };
  });
  afterAll(async () => {
    await off?.stop();
    await on?.stop();
  });

  const compiledCount = async () =>
    valueOf(await scrape(on.url), 'gateway_compiled_operations_total') ?? 0;

  // [name, query, variables, runs compiled]
  const CASES: [string, string, Record<string, unknown>?, boolean?][] = [
    [
      'a page with its relations',
      '{ contacts(first: 10) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id firstName lastName phone createdAt status { id name color } groups { name } } } } }',
    ],
    [
      "groups with each one's contacts",
      '{ groups(first: 5) { edges { node { name contactCount contacts(first: 3) { totalCount edges { node { firstName status { name } } } } } } } }',
    ],
    [
      'node and nodes through fragments',
      'query($id: ID!, $g: ID!) { node(id: $id) { __typename id ...C } nodes(ids: [$id, $g, "bogus"]) { id ... on Group { name } } } fragment C on Contact { firstName status { name } }',
      {},
      // An id may name an API token, which only the admin key reads: left to scope-auth.
      false,
    ],
    [
      '@skip and @include with variables',
      'query($yes: Boolean!, $no: Boolean!) { contacts(first: 2) { edges { node { firstName @include(if: $yes) lastName @skip(if: $yes) phone @include(if: $no) } } } }',
      { yes: true, no: false },
    ],
    [
      'a bad cursor (BAD_USER_INPUT on its path)',
      '{ contacts(first: 2, after: "not-a-cursor") { edges { node { id } } } statuses(first: 1) { totalCount } }',
    ],
    [
      'variables that do not fit',
      'query($n: Int!) { contacts(first: $n) { totalCount } }',
      { n: 'many' },
      // Left to graphql-js, for its messages.
      false,
    ],
    ['an unknown id (null)', '{ contact(id: "Q29udGFjdDpub3BlOm5vcGU=") { id } }'],
    [
      'a mutation and its payload',
      'mutation($id: ID!) { updateContact(input: { id: $id, company: "ACME" }) { contact { firstName company } } }',
    ],
  ];

  it.each(CASES)('%s: the same answer as interpreted', async (_name, query, extra, fast = true) => {
    const variables = { id: ids.contact, g: ids.group, ...extra };
    const before = await compiledCount();
    const compiled = await on.gql(tenant.subdomain, all, query, variables);
    const ran = (await compiledCount()) - before;
    const interpreted = await off.gql(tenant.subdomain, all, query, variables);
    expect(compiled.status).toBe(interpreted.status);
    expect(compiled.body).toEqual(interpreted.body);
    expect(compiled.cost?.requestedQueryCost).toBe(interpreted.cost?.requestedQueryCost);
    expect(ran).toBe(fast ? 1 : 0);
  });

  it('runs an operation the token may only partly read as before: FORBIDDEN where refused', async () => {
    const query = '{ contacts(first: 2) { edges { node { firstName status { name } } } } }';
    const before = await compiledCount();
    const response = await on.gql(tenant.subdomain, contactsOnly, query);
    expect(await compiledCount()).toBe(before);
    expect(codes(response)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
    expect(response.body.data?.contacts.edges[0].node.status).toBeNull();
    expect(response.body).toEqual((await off.gql(tenant.subdomain, contactsOnly, query)).body);
  });

  it('judges each caller apart: the same document, granted to one token, refused to another', async () => {
    const query = '{ statuses(first: 1) { edges { node { name } } } }';
    const granted = await on.gql(tenant.subdomain, all, query);
    const refused = await on.gql(tenant.subdomain, contactsOnly, query);
    expect(granted.body.data?.statuses.edges).toHaveLength(1);
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.body.data?.statuses).toBeNull();
  });
});
