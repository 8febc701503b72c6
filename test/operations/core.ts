import { encodeId } from '../../src/ids.js';
import { createStatus } from '../../src/statuses/repo.js';
import { createApiToken } from '../../src/api-tokens/repo.js';
import { uniqueName } from '../helpers/test-app.js';
import type { MatrixContext, Operation } from '../helpers/matrix.js';

export const statusFixture = async ({ t, tenant }: MatrixContext) =>
  encodeId(
    'Status',
    (
      await createStatus(t.database.db, tenant.tenant.id, {
        name: uniqueName('s'),
        color: '#112233',
      })
    ).id,
  );
const tokenFixture = async ({ t, tenant }: MatrixContext) =>
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

export const operations: Operation[] = [
  {
    name: 'viewer',
    requires: 'none',
    run: ({ t, tenant }, s) => t.gql(tenant.subdomain, s, '{ viewer { kind abilities } }'),
  },
  {
    name: 'apiInfo',
    requires: 'none',
    run: ({ t, tenant }, s) => t.gql(tenant.subdomain, s, '{ apiInfo { graphqlEndpoint } }'),
  },
  {
    name: 'abilityCategories',
    requires: 'none',
    run: ({ t, tenant }, s) => t.gql(tenant.subdomain, s, '{ abilityCategories { category } }'),
  },
  {
    name: 'statuses',
    requires: 'statuses.read',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        '{ statuses(first: 5) { totalCount edges { node { id name } } } }',
      ),
  },
  {
    name: 'node(Status)',
    requires: 'statuses.read',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'query($id: ID!) { node(id: $id) { id ... on Status { name } } }',
        {
          id: await statusFixture(ctx),
        },
      ),
  },
  {
    name: 'createStatus',
    requires: 'statuses.create',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation($n: String!) { createStatus(input: { name: $n, color: "#abcdef" }) { status { id } } }',
        {
          n: uniqueName('s'),
        },
      ),
  },
  {
    name: 'updateStatus',
    requires: 'statuses.update',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'mutation($id: ID!) { updateStatus(input: { id: $id, color: "#000000" }) { status { id } } }',
        {
          id: await statusFixture(ctx),
        },
      ),
  },
  {
    name: 'deleteStatus',
    requires: 'statuses.delete',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'mutation($id: ID!) { deleteStatus(input: { id: $id }) { deletedStatusId } }',
        {
          id: await statusFixture(ctx),
        },
      ),
  },
  {
    name: 'apiTokens',
    requires: 'admin',
    run: ({ t, tenant }, s) => t.gql(tenant.subdomain, s, '{ apiTokens { totalCount } }'),
  },
  {
    name: 'setApiAccess',
    requires: 'admin',
    run: ({ t, tenant }, s) =>
      t.gql(tenant.subdomain, s, 'mutation { setApiAccess(enabled: true) { apiEnabled } }'),
  },
  {
    name: 'createApiToken',
    requires: 'admin',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation { createApiToken(input: { name: "x", abilities: ["statuses.read"] }) { token } }',
      ),
  },
  {
    name: 'updateApiToken',
    requires: 'admin',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'mutation($id: ID!) { updateApiToken(input: { id: $id, name: "y" }) { apiToken { id } } }',
        {
          id: await tokenFixture(ctx),
        },
      ),
  },
  {
    name: 'revokeApiToken',
    requires: 'admin',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'mutation($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { id } } }',
        {
          id: await tokenFixture(ctx),
        },
      ),
  },
  {
    name: 'node(ApiToken)',
    requires: 'admin',
    run: async (ctx, s) =>
      ctx.t.gql(ctx.tenant.subdomain, s, 'query($id: ID!) { node(id: $id) { id } }', {
        id: await tokenFixture(ctx),
      }),
  },
];
