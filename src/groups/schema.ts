import { z } from 'zod';
import { builder } from '../builder.js';
import { prefetchGroupContacts } from '../contacts/loaders.js';
import { OFFSET_DESCRIPTION } from '../db/connection.js';
import { readableWith } from '../auth/type-scopes.js';
import type { Context } from '../context.js';
import { apiError, badUserInput, notFound, uniqueName } from '../errors.js';
import { decodeIdOf } from '../ids.js';
import { parseInput } from '../validation.js';
import type { Group } from '../db/types.js';
import * as repo from './repo.js';
import { primeKey } from '../db/partial.js';

/**
 * A named list of contacts, e.g. for a campaign. `Group.contacts` is added by the contacts module,
 * which owns the Contact type.
 */
export const GroupNode = builder.loadableNode('Group', {
  description: 'A named set of contacts, such as a campaign audience. Needs `groups.read`.',
  authScopes: readableWith('groups.read'),
  id: { resolve: (group: Group) => group.id },
  load: (ids: string[], context) => repo.findGroupsByIds(context.db, context.tenant.id, ids),
  sort: (group) => group.id,
  // A group a page of contacts read with some columns only is not primed as the whole row.
  cacheResolved: primeKey,
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    contactCount: t.loadable({
      type: 'Int',
      description: 'How many contacts are in the group.',
      load: (ids: string[], context) =>
        repo.countContactsByGroupIds(context.db, context.tenant.id, ids),
      resolve: (group) => group.id,
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

/** Group pages, as every connection of Group nodes returns them. */
export const GroupConnection = builder.connectionObject(
  { type: GroupNode, name: 'GroupConnection' },
  { name: 'GroupEdge' },
);

builder.queryField('groups', (t) =>
  t.connection(
    {
      type: GroupNode,
      description: "The tenant's groups, by name.",
      authScopes: { ability: 'groups.read' },
      args: { offset: t.arg.int({ description: OFFSET_DESCRIPTION }) },
      resolve: async (_root, args, context, info) => {
        // Each group's page of contacts, when selected, in the same statement.
        const contacts = prefetchGroupContacts(context, info);
        const page = await repo.listGroups(context.db, context.tenant.id, args, contacts?.column);
        contacts?.attach(page.edges.map((edge) => edge.node));
        return page;
      },
    },
    GroupConnection,
  ),
);

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');
/** Blank clears the description, like null. */
const description = z
  .string()
  .trim()
  .max(1000, 'must be at most 1000 characters')
  .transform((text) => text || null)
  .nullable();

const guardName = <T>(write: Promise<T>, name: string | undefined) =>
  uniqueName(write, 'groups_tenant_name', 'group', name);

/** The payload shows the group it wrote even without `groups.read` (see StatusNode). */
const groupPayload = (t: any) => ({
  group: t.field({
    type: GroupNode,
    nullable: true,
    resolve: (result: { group: Group }) => result.group,
  }),
});

builder.relayMutationField(
  'createGroup',
  {
    inputFields: (t) => ({
      name: t.string({ required: true }),
      description: t.string(),
    }),
  },
  {
    authScopes: { ability: 'groups.create' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const values = parseInput(z.object({ name, description }), {
        name: input.name,
        description: input.description ?? null,
      });
      const group = await guardName(
        repo.createGroup(context.db, context.tenant.id, values),
        values.name,
      );
      return { group };
    },
  },
  { outputFields: groupPayload },
);

builder.relayMutationField(
  'updateGroup',
  {
    inputFields: (t) => ({
      id: t.id({ required: true }),
      name: t.string(),
      description: t.string({ description: 'null or blank clears it.' }),
    }),
  },
  {
    authScopes: { ability: 'groups.update' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('Group', String(input.id));
      const patch = parseInput(
        z.object({ name: name.optional(), description: description.optional() }),
        { name: input.name ?? undefined, description: input.description },
      );
      const group = await guardName(
        repo.updateGroup(context.db, context.tenant.id, id, patch),
        patch.name,
      );
      if (!group) throw notFound('group', String(input.id));
      return { group };
    },
  },
  { outputFields: groupPayload },
);

builder.relayMutationField(
  'deleteGroup',
  { inputFields: (t) => ({ id: t.id({ required: true }) }) },
  {
    description: 'Deletes a group. Its contacts stay; only their membership goes.',
    authScopes: { ability: 'groups.delete' },
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('Group', String(input.id));
      const group = await repo.deleteGroup(context.db, context.tenant.id, id);
      if (!group) throw notFound('group', String(input.id));
      return { deletedGroupId: String(input.id) };
    },
  },
  {
    outputFields: (t) => ({
      deletedGroupId: t.id({ resolve: (result) => result.deletedGroupId }),
    }),
  },
);

/** The most contacts one addContactsToGroup or removeContactsFromGroup call may name. */
export const MAX_MEMBERSHIP_IDS = 1000;

/**
 * Runs a membership change all-or-nothing: the group and every contact must be the tenant's
 * (NOT_FOUND naming the first id that is not), and stay so until `change` has run.
 */
async function changeMembership(
  context: Context,
  input: { groupId: string | number; contactIds: readonly (string | number)[] },
  change: typeof repo.addMemberships,
): Promise<{ group: Group; count: number }> {
  const groupId = decodeIdOf('Group', String(input.groupId), 'groupId');
  if (input.contactIds.length > MAX_MEMBERSHIP_IDS) {
    throw badUserInput('contactIds', `contactIds: at most ${MAX_MEMBERSHIP_IDS} ids per call.`);
  }
  const globalIds = [...new Set(input.contactIds.map(String))];
  const contactIds = globalIds.map((id) => decodeIdOf('Contact', id, 'contactIds'));
  return context.db.transaction().execute(async (trx) => {
    const tenantId = context.tenant.id;
    const group = await repo.lockGroup(trx, tenantId, groupId);
    if (!group) throw notFoundIn('groupId', 'group', String(input.groupId));
    const found = await repo.lockExistingIds(trx, 'contacts', tenantId, contactIds);
    const missing = contactIds.findIndex((id) => !found.has(id));
    if (missing >= 0) throw notFoundIn('contactIds', 'contact', globalIds[missing]!);
    return { group, count: await change(trx, tenantId, groupId, contactIds) };
  });
}

/** NOT_FOUND that also names the input field holding the id. */
export function notFoundIn(field: string, what: string, id: string) {
  return apiError('NOT_FOUND', `No ${what} with id ${JSON.stringify(id)} in this tenant.`, {
    id,
    field,
  });
}

builder.relayMutationField(
  'addContactsToGroup',
  {
    inputFields: (t) => ({
      groupId: t.id({ required: true }),
      contactIds: t.idList({ required: true, description: `At most ${MAX_MEMBERSHIP_IDS}.` }),
    }),
  },
  {
    description: 'Adds contacts to a group. Contacts already in it are left as they are.',
    authScopes: { ability: 'groups.update' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const { group, count } = await changeMembership(context, input, repo.addMemberships);
      return { group, addedCount: count };
    },
  },
  {
    outputFields: (t) => ({
      ...groupPayload(t),
      addedCount: t.int({
        description: 'How many contacts were not in the group before.',
        resolve: (result) => result.addedCount,
      }),
    }),
  },
);

builder.relayMutationField(
  'removeContactsFromGroup',
  {
    inputFields: (t) => ({
      groupId: t.id({ required: true }),
      contactIds: t.idList({ required: true, description: `At most ${MAX_MEMBERSHIP_IDS}.` }),
    }),
  },
  {
    description: 'Removes contacts from a group. Contacts not in it are left as they are.',
    authScopes: { ability: 'groups.update' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const { group, count } = await changeMembership(context, input, repo.removeMemberships);
      return { group, removedCount: count };
    },
  },
  {
    outputFields: (t) => ({
      ...groupPayload(t),
      removedCount: t.int({
        description: 'How many of the contacts were in the group.',
        resolve: (result) => result.removedCount,
      }),
    }),
  },
);
