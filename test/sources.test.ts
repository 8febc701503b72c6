import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeId } from '../src/ids.js';
import { codes, startTestApp, type TestApp, type TestTenant } from './helpers/test-app.js';
import { graphql } from './generated/gql.js';
import type { SourcesQuery } from './generated/graphql.js';
import { makeContact } from './operations/contacts.js';

const CREATE = graphql(`
  mutation CreateSource($input: CreateSourceInput!) {
    createSource(input: $input) {
      source {
        id
        name
        createdAt
        updatedAt
      }
    }
  }
`);
const UPDATE = graphql(`
  mutation UpdateSource($input: UpdateSourceInput!) {
    updateSource(input: $input) {
      source {
        id
        name
      }
    }
  }
`);
const DELETE = graphql(`
  mutation DeleteSource($id: ID!) {
    deleteSource(input: { id: $id }) {
      deletedSourceId
    }
  }
`);
const LIST = graphql(`
  query Sources($first: Int, $after: String, $last: Int, $before: String) {
    sources(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      edges {
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
    'sources.create',
    'sources.read',
    'sources.update',
    'sources.delete',
    'contacts.read',
  ]);
});
afterAll(() => t.stop());

const create = (name: string) => t.gql(tenant.subdomain, token, CREATE, { input: { name } });

describe('sources', () => {
  it('creates, reads by node id, renames and deletes a source', async () => {
    const created = await create('  Trade fair  ');
    expect(created.body.errors).toBeUndefined();
    const source = created.body.data!.createSource!.source!;
    expect(source.name).toBe('Trade fair');

    const node = await t.gql(
      tenant.subdomain,
      token,
      'query($id: ID!) { node(id: $id) { ... on Source { name } } }',
      { id: source.id },
    );
    expect(node.body.data).toEqual({ node: { name: 'Trade fair' } });

    const renamed = await t.gql(tenant.subdomain, token, UPDATE, {
      input: { id: source.id, name: 'Spring trade fair' },
    });
    expect(renamed.body.data!.updateSource!.source).toEqual({
      id: source.id,
      name: 'Spring trade fair',
    });

    const deleted = await t.gql(tenant.subdomain, token, DELETE, { id: source.id });
    expect(deleted.body.data!.deleteSource!.deletedSourceId).toBe(source.id);
    const gone = await t.gql(tenant.subdomain, token, 'query($id: ID!) { node(id: $id) { id } }', {
      id: source.id,
    });
    expect(gone.body).toEqual({ data: { node: null } });
    expect(codes(await t.gql(tenant.subdomain, token, DELETE, { id: source.id }))).toEqual([
      'NOT_FOUND',
    ]);
  });

  it.each([
    ['an empty name', '  ', 'BAD_USER_INPUT'],
    ['a name over 100 characters', 'x'.repeat(101), 'BAD_USER_INPUT'],
  ])('refuses %s with %s naming the field', async (_what, name, code) => {
    const res = await create(name);
    expect(codes(res)).toEqual([code]);
    expect(res.body.errors![0]!.extensions?.field).toBe('name');
  });

  it('refuses a second source with the same name in any case as CONFLICT, on create and rename', async () => {
    expect((await create('Instagram')).body.errors).toBeUndefined();
    const res = await create('INSTAGRAM');
    expect(codes(res)).toEqual(['CONFLICT']);
    expect(res.body.errors![0]!.extensions?.field).toBe('name');
    const other = (await create('Facebook')).body.data!.createSource!.source!;
    const rename = await t.gql(tenant.subdomain, token, UPDATE, {
      input: { id: other.id, name: 'instagram' },
    });
    expect(codes(rename)).toEqual(['CONFLICT']);
  });

  it.each([
    ['garbage', 'not-an-id', 'BAD_USER_INPUT'],
    ['a status id', encodeId('Status', '00000000-0000-4000-8000-000000000000'), 'BAD_USER_INPUT'],
    ['a missing source', encodeId('Source', '00000000-0000-4000-8000-000000000000'), 'NOT_FOUND'],
  ])('rename with %s as id is %s', async (_what, id, code) => {
    const res = await t.gql(tenant.subdomain, token, UPDATE, { input: { id, name: 'x' } });
    expect(codes(res)).toEqual([code]);
  });

  it('pages forwards and backwards by name with a total count', async () => {
    const fresh = await t.createTenant();
    const secret = await t.createToken(fresh, ['sources.create', 'sources.read']);
    const names = Array.from({ length: 5 }, (_, i) => `Source ${i}`);
    for (const name of [...names].reverse()) {
      await t.gql(fresh.subdomain, secret, CREATE, { input: { name } });
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: Awaited<ReturnType<typeof t.gql<SourcesQuery>>> = await t.gql(
        fresh.subdomain,
        secret,
        LIST,
        { first: 2, after },
      );
      const page = res.body.data!.sources!;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e) => e.node!.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(names);
    const last = await t.gql(fresh.subdomain, secret, LIST, { last: 2 });
    expect(last.body.data!.sources!.edges.map((e) => e.node!.name)).toEqual([
      'Source 3',
      'Source 4',
    ]);
  });

  it('refuses a page over 100 with BAD_USER_INPUT on first', async () => {
    const res = await t.gql(tenant.subdomain, token, LIST, { first: 101 });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.body.errors![0]!.extensions?.field).toBe('first');
  });

  it('deleting a source keeps its contacts, now without a source', async () => {
    const source = (await create('Cold outreach')).body.data!.createSource!.source!;
    const [, sourceId] = Buffer.from(source.id, 'base64url').toString().split(':');
    const contact = await makeContact(t.database.db, tenant.tenant.id, { source_id: sourceId });
    await t.gql(tenant.subdomain, token, DELETE, { id: source.id });
    const read = await t.gql(
      tenant.subdomain,
      token,
      'query($id: ID!) { contact(id: $id) { firstName source { id } } }',
      { id: encodeId('Contact', contact.id) },
    );
    expect(read.body).toEqual({ data: { contact: { firstName: 'Ada', source: null } } });
  });
});
