/// <reference types="vite/client" />
import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  OperationTypeNode,
  parse,
  type DocumentNode,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type OperationDefinitionNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABILITIES } from '../src/auth/abilities.js';
import { encodeId } from '../src/ids.js';
import { schema } from '../src/schema.js';
import { createStatus } from '../src/statuses/repo.js';
import { createGroup } from '../src/groups/repo.js';
import { allows, type MatrixContext, type Operation } from './helpers/matrix.js';
import {
  startTestApp,
  uniqueName,
  type GraphQLResponse,
  type TestApp,
} from './helpers/test-app.js';
import { makeContact } from './operations/contacts.js';

/**
 * A refusal nulls only the refused field (README "Abilities"; GitHub's and Shopify's APIs do the
 * same): every place a scope rule can refuse is nullable, so the null stops there instead of
 * bubbling up to its parent, and in the end to `data` itself, losing every sibling field.
 */

function hasScopes(thing: { extensions?: Record<string, unknown> | null }): boolean {
  const options = thing.extensions?.pothosOptions as { authScopes?: unknown } | undefined;
  return options?.authScopes !== undefined;
}

/** A type with a rule of its own, or an abstract type one of whose members has one. */
function isScopedType(type: GraphQLNamedType): boolean {
  if (hasScopes(type)) return true;
  return isAbstractType(type) && schema.getPossibleTypes(type).some(hasScopes);
}

/** The position holding the named type: the field itself, or the items of its (nested) lists. */
function innermost(type: GraphQLOutputType): GraphQLOutputType {
  let position = type;
  for (;;) {
    const nullable = getNullableType(position);
    if (!isListType(nullable)) return position;
    position = nullable.ofType;
  }
}

interface Refusable {
  /** `Type.field`, with `[]` when the refusable position is a list's items. */
  position: string;
  nullable: boolean;
}

/**
 * Every place a refusal can null: a field with a rule of its own, and the position (field or
 * list items) holding a type with a rule. Subscription fields are left out: a subscription has
 * one root field and `authorizeOnSubscribe` refuses it before any event, so there is no sibling
 * data to keep.
 */
function refusablePositions(): Refusable[] {
  const found: Refusable[] = [];
  const subscription = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const name = `${type.name}.${field.name}`;
      if (hasScopes(field) && type !== subscription) {
        found.push({ position: name, nullable: !isNonNullType(field.type) });
      }
      if (isScopedType(getNamedType(field.type))) {
        const inner = innermost(field.type);
        const isList = inner !== field.type;
        found.push({ position: isList ? `${name}[]` : name, nullable: !isNonNullType(inner) });
      }
    }
  }
  return found;
}

describe('the schema', () => {
  const positions = refusablePositions();

  it('finds the refusable places of every kind', () => {
    const names = new Set(positions.map((p) => p.position));
    for (const expected of [
      'Query.statuses', // a top-level connection with a rule
      'Query.whatsAppConnection', // a top-level field with a rule
      'Mutation.createStatus', // a mutation with a rule
      'Mutation.setApiAccess',
      'Contact.status', // a relation with a rule
      'Contact.messages', // a nested connection with a rule
      'Group.contacts',
      'Contact.groups[]', // list items of a type with a rule
      'StatusEdge.node', // a connection's node
      'StatusConnection.nodes[]', // and its nodes
      'CreateStatusPayload.status', // a payload's object
      'Message.contact', // a relation without a rule of its own, to a type with one
      'Query.nodes[]',
    ]) {
      expect(names, expected).toContain(expected);
    }
  });

  it('makes every refusable place nullable', () => {
    expect(positions.filter((p) => !p.nullable).map((p) => p.position)).toEqual([]);
  });
});

let t: TestApp;
let ctx: MatrixContext;

beforeAll(async () => {
  t = await startTestApp();
  ctx = { t, tenant: await t.createTenant() };
});
afterAll(() => t?.stop());

const VIEWER = (parse('{ viewer { kind } }').definitions[0] as OperationDefinitionNode).selectionSet
  .selections[0]!;

/** `document` with `viewer { kind }` beside its root fields when it is a query. */
function withViewer(document: string | DocumentNode): DocumentNode {
  const parsed = typeof document === 'string' ? parse(document) : document;
  return {
    ...parsed,
    definitions: parsed.definitions.map((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      definition.operation === OperationTypeNode.QUERY
        ? {
            ...definition,
            selectionSet: {
              ...definition.selectionSet,
              selections: [...definition.selectionSet.selections, VIEWER],
            },
          }
        : definition,
    ),
  };
}

function isQuery(document: DocumentNode): boolean {
  return document.definitions.some(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.QUERY,
  );
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (value as Record<string | number, unknown> | null | undefined)?.[key],
    data,
  );
}

/**
 * Runs `op` with `viewer { kind }` added to its query, and checks that each refusal nulled only
 * its own path: `data` is there, `viewer` with it, and every FORBIDDEN path is null in it.
 */
async function expectOnlyRefusedFieldsNull(op: Operation, secret: string) {
  let sent: DocumentNode | undefined;
  const gql: TestApp['gql'] = (subdomain, key, query, variables, init) => {
    sent = withViewer(query);
    return t.gql(subdomain, key, sent, variables as never, init) as never;
  };
  const res: GraphQLResponse = await op.run({ ...ctx, t: { ...t, gql } }, secret);
  expect(res.status, op.name).toBe(200);
  const errors = res.body.errors ?? [];
  expect(errors.length, `${op.name} should be refused`).toBeGreaterThan(0);
  expect(res.body.data, `${op.name}: data`).toBeTypeOf('object');
  expect(res.body.data, `${op.name}: data`).not.toBeNull();
  if (isQuery(sent!)) expect(res.body.data?.viewer, op.name).toEqual({ kind: 'API_TOKEN' });
  for (const error of errors) {
    expect(error.extensions?.code, `${op.name}: ${error.message}`).toBe('FORBIDDEN');
    expect(error.path, `${op.name}: ${error.message}`).toBeDefined();
    expect(valueAt(res.body.data, error.path!), `${op.name} at ${error.path}`).toBeNull();
  }
  // The null stops at the refused field: everything on the path above it is still there.
  for (const error of errors) {
    const above = error.path!.slice(0, -1);
    if (above.length > 0) expect(valueAt(res.body.data, above), op.name).toBeTypeOf('object');
  }
}

describe('a refused operation beside viewer, for every token ability', () => {
  const modules = import.meta.glob<{ operations: Operation[] }>('./operations/*.ts', {
    eager: true,
  });
  const operations = Object.values(modules).flatMap((m) => m.operations);
  const grants = [...ABILITIES.map((a) => [a] as const), ['*'] as const];

  describe.each(grants.map((held) => [held.join(','), held] as const))(
    'a token with %s',
    (_name, held) => {
      let secret: string;
      beforeAll(async () => {
        secret = await t.createToken(ctx.tenant, [...held]);
      });
      const refused = operations.filter(
        (op) => op.requires === 'admin' || !allows(op.requires, new Set(held)),
      );
      it.each(refused.map((op) => [op.name, op] as const))('%s', async (_op, op) => {
        await expectOnlyRefusedFieldsNull(op, secret);
      });
    },
  );
});

describe('partial data over HTTP', () => {
  it('keeps viewer when a top-level list is refused (the issue example)', async () => {
    const secret = await t.createToken(ctx.tenant, ['contacts.read']);
    const res = await t.gql(
      ctx.tenant.subdomain,
      secret,
      '{ viewer { kind } statuses(first: 1) { totalCount } }',
    );
    expect(res.body.data).toEqual({ viewer: { kind: 'API_TOKEN' }, statuses: null });
    expect(res.body.errors).toMatchObject([
      {
        path: ['statuses'],
        extensions: { code: 'FORBIDDEN', requiredAbilities: ['statuses.read'] },
      },
    ]);
  });

  it('reports the mutation that ran when another in the same request is refused', async () => {
    const secret = await t.createToken(ctx.tenant, ['statuses.create']);
    const name = uniqueName('s');
    const res = await t.gql(
      ctx.tenant.subdomain,
      secret,
      `mutation($n: String!) {
        createStatus(input: { name: $n, color: "#abcdef" }) { status { name } }
        createSource(input: { name: $n }) { source { name } }
      }`,
      { n: name },
    );
    expect(res.body.data).toEqual({ createStatus: { status: { name } }, createSource: null });
    expect(res.body.errors).toMatchObject([
      { path: ['createSource'], extensions: { code: 'FORBIDDEN' } },
    ]);
  });

  it('keeps the contact when its messages are refused, and the group when its contacts are', async () => {
    const secret = await t.createToken(ctx.tenant, ['contacts.read', 'groups.read']);
    const db = t.database.db;
    const tenantId = ctx.tenant.tenant.id;
    const contact = await makeContact(db, tenantId, {
      status_id: (await createStatus(db, tenantId, { name: uniqueName('s'), color: '#112233' })).id,
    });
    const res = await t.gql(
      ctx.tenant.subdomain,
      secret,
      `query($id: ID!) {
        contact(id: $id) { phone status { name } messages(first: 1) { totalCount } }
      }`,
      { id: encodeId('Contact', contact.id) },
    );
    expect(res.body.data).toEqual({
      contact: { phone: contact.phone, status: null, messages: null },
    });
    expect(res.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual(
      expect.arrayContaining([
        [['contact', 'status'], 'FORBIDDEN'],
        [['contact', 'messages'], 'FORBIDDEN'],
      ]),
    );

    const groupOnly = await t.createToken(ctx.tenant, ['groups.read']);
    const group = await createGroup(db, tenantId, { name: uniqueName('g'), description: null });
    const groups = await t.gql(
      ctx.tenant.subdomain,
      groupOnly,
      'query($id: ID!) { node(id: $id) { ... on Group { name contacts(first: 1) { totalCount } } } }',
      { id: encodeId('Group', group.id) },
    );
    expect(groups.body.data).toEqual({ node: { name: group.name, contacts: null } });
    expect(groups.body.errors).toMatchObject([
      { path: ['node', 'contacts'], extensions: { code: 'FORBIDDEN' } },
    ]);
  });
});
