import { encodeId } from '../../src/ids.js';
import { createGroup } from '../../src/groups/repo.js';
import { uniqueName } from '../helpers/test-app.js';
import type { MatrixContext, Operation } from '../helpers/matrix.js';
import { contactFixture } from './contacts.js';

/** A new group of the tenant, made directly in the database; its global id. */
export const groupFixture = async ({ t, tenant }: MatrixContext) =>
  encodeId(
    'Group',
    (
      await createGroup(t.database.db, tenant.tenant.id, {
        name: uniqueName('grp'),
        description: null,
      })
    ).id,
  );

const membership = (mutation: 'addContactsToGroup' | 'removeContactsFromGroup'): Operation => ({
  name: mutation,
  requires: 'groups.update',
  run: async (ctx, s) =>
    ctx.t.gql(
      ctx.tenant.subdomain,
      s,
      `mutation($g: ID!, $c: [ID!]!) { ${mutation}(input: { groupId: $g, contactIds: $c }) { group { id } } }`,
      { g: await groupFixture(ctx), c: [await contactFixture(ctx)] },
    ),
});

export const operations: Operation[] = [
  {
    name: 'groups',
    requires: 'groups.read',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        '{ groups(first: 5) { totalCount edges { node { id name contactCount } } } }',
      ),
  },
  {
    name: 'node(Group)',
    requires: 'groups.read',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'query($id: ID!) { node(id: $id) { id ... on Group { name description } } }',
        { id: await groupFixture(ctx) },
      ),
  },
  {
    name: 'createGroup',
    requires: 'groups.create',
    run: ({ t, tenant }, s) =>
      t.gql(
        tenant.subdomain,
        s,
        'mutation($n: String!) { createGroup(input: { name: $n, description: "d" }) { group { id } } }',
        { n: uniqueName('grp') },
      ),
  },
  {
    name: 'updateGroup',
    requires: 'groups.update',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'mutation($id: ID!) { updateGroup(input: { id: $id, description: null }) { group { id } } }',
        { id: await groupFixture(ctx) },
      ),
  },
  {
    name: 'deleteGroup',
    requires: 'groups.delete',
    run: async (ctx, s) =>
      ctx.t.gql(
        ctx.tenant.subdomain,
        s,
        'mutation($id: ID!) { deleteGroup(input: { id: $id }) { deletedGroupId } }',
        { id: await groupFixture(ctx) },
      ),
  },
  membership('addContactsToGroup'),
  membership('removeContactsFromGroup'),
];
