import { z } from 'zod';
import { clearable, crudRoutes } from '../rest/crud.js';
import { globalId, idParamsOf, timestamp } from '../rest/params.js';
import type { RestRoute } from '../rest/route.js';
import { objectResult, snakeKey } from '../rest/shape.js';
import { MAX_MEMBERSHIP_IDS } from './schema.js';

/**
 * Groups over REST (API.md "The REST face"): `/groups`, `/groups/{id}`, and the membership
 * routes `POST`/`DELETE /groups/{id}/contacts`.
 */

const SELECTION = 'id name description contactCount createdAt updatedAt';

const groupResponse = z.object({
  id: globalId,
  name: z.string(),
  description: z.string().nullable(),
  contact_count: z.number().int().describe('How many contacts are in the group.'),
  created_at: timestamp,
  updated_at: timestamp,
});

const description = clearable(z.string().describe('null or blank clears it.'));

const membershipBody = z.object({
  contact_ids: z
    .array(globalId)
    .min(1)
    .max(MAX_MEMBERSHIP_IDS)
    .describe(`Contact ids, 1 to ${MAX_MEMBERSHIP_IDS}.`),
});

/** `POST` adds, `DELETE` removes; all or nothing (404 naming the first id not in the tenant). */
function membershipRoute(method: 'POST' | 'DELETE'): RestRoute {
  const add = method === 'POST';
  const mutation = add ? 'addContactsToGroup' : 'removeContactsFromGroup';
  const count = add ? 'addedCount' : 'removedCount';
  return {
    method,
    path: '/groups/{id}/contacts',
    operationId: mutation,
    tag: 'Groups',
    summary: add ? 'Add contacts to a group' : 'Remove contacts from a group',
    description: add
      ? 'Contacts already in the group are left as they are. `added_count`: how many were not in it before.'
      : 'Contacts not in the group are left as they are. `removed_count`: how many of them were in it.',
    abilities: ['groups.update'],
    params: idParamsOf('Group'),
    body: membershipBody,
    document: `mutation ${mutation}($input: ${add ? 'AddContactsToGroupInput' : 'RemoveContactsFromGroupInput'}!) { ${mutation}(input: $input) { group { ${SELECTION} } ${count} } }`,
    variables: ({ params, body }) => ({
      input: {
        groupId: params.id,
        contactIds: (body as z.output<typeof membershipBody>).contact_ids,
      },
    }),
    respond: (data, { params }) => {
      const payload = data[mutation] as { group: Record<string, unknown> | null } | null;
      const group = objectResult(payload?.group, { name: 'group', id: params.id });
      if (group.kind !== 'object') return group;
      const changed = (payload as Record<string, unknown>)[count];
      return { kind: 'object', data: { group: group.data, [snakeKey(count)]: changed } };
    },
    errorFields: { groupId: 'id' },
    status: 200,
    response: z.object({
      group: groupResponse,
      [add ? 'added_count' : 'removed_count']: z.number().int(),
    }),
  };
}

export const groupRoutes: RestRoute[] = [
  ...crudRoutes({
    typename: 'Group',
    path: '/groups',
    tag: 'Groups',
    noun: 'group',
    abilities: 'groups',
    selection: SELECTION,
    response: groupResponse,
    createBody: z.object({ name: z.string(), description }),
    updateBody: z.object({ name: z.string().optional(), description }),
    descriptions: {
      list: 'By name.',
      create: 'The name must be new to the tenant, in any case (409 CONFLICT otherwise).',
      delete: 'Deletes the group; its contacts stay, only their membership goes.',
    },
  }),
  membershipRoute('POST'),
  membershipRoute('DELETE'),
];
