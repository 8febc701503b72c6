import { encodeId } from '../../src/ids.js';
import { createSource } from '../../src/sources/repo.js';
import { uniqueName } from '../helpers/test-app.js';
import type { MatrixContext, Operation } from '../helpers/matrix.js';

/** A new source of the tenant, made directly in the database; its global id. */
export const sourceFixture = async ({ t, tenant }: MatrixContext) =>
  encodeId(
    'Source',
    (await createSource(t.database.db, tenant.tenant.id, { name: uniqueName('src') })).id,
  );

export const operations: Operation[] = [
  {
    name: 'sources',
    requires: 'sources.read',
    run: ({ t, tenant }, s) =>
      t.gql(tenant.subdomain, s, '{ sources(first: 5) { totalCount edges { node { id name } } } }'),
  },
  {
    name: 'node(Source)',
    requires: 'sources.read',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'query($id: ID!) { node(id: $id) { id ... on Source { name } } }',
        { id: await sourceFixture(ctx) },
      ),
  },
  {
    name: 'createSource',
    requires: 'sources.create',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation($n: String!) { createSource(input: { name: $n }) { source { id name } } }',
        { n: uniqueName('src') },
      ),
  },
  {
    name: 'updateSource',
    requires: 'sources.update',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'mutation($id: ID!, $n: String!) { updateSource(input: { id: $id, name: $n }) { source { id } } }',
        { id: await sourceFixture(ctx), n: uniqueName('src') },
      ),
  },
  {
    name: 'deleteSource',
    requires: 'sources.delete',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'mutation($id: ID!) { deleteSource(input: { id: $id }) { deletedSourceId } }',
        { id: await sourceFixture(ctx) },
      ),
  },
];
