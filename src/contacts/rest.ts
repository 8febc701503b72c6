import { z } from 'zod';
import { clearable, crudRoutes } from '../rest/crud.js';
import { globalId, timestamp } from '../rest/params.js';
import type { RestRoute } from '../rest/route.js';
import { withRelationIds } from '../rest/shape.js';

/** Contacts over REST (API.md "The REST face"): `/contacts`, `/contacts/{id}`. */

/** `type` in any case (`lead` as the product's own API sends it), as GraphQL's ContactType. */
const contactType = z.preprocess(
  (value) => (typeof value === 'string' ? value.toUpperCase() : value),
  z.enum(['LEAD', 'CUSTOMER']).describe('`LEAD` or `CUSTOMER` (any case).'),
);

const optionalText = clearable(z.string());

const RELATIONS = { status: 'status_id', source: 'source_id', groups: 'group_ids' } as const;

const contactResponse = z.object({
  id: globalId,
  first_name: z.string(),
  last_name: z.string().nullable(),
  company: z.string().nullable(),
  type: z.enum(['LEAD', 'CUSTOMER']),
  email: z.string().nullable(),
  phone: z.string().describe('E.164, e.g. `+442079460958`.'),
  country: z.string().nullable().describe('ISO 3166-1 alpha-2, e.g. `GB`.'),
  description: z.string().nullable(),
  status_id: globalId
    .nullable()
    .optional()
    .describe('The status; left out when the token lacks `statuses.read`.'),
  source_id: globalId
    .nullable()
    .optional()
    .describe('The source; left out when the token lacks `sources.read`.'),
  group_ids: z
    .array(globalId)
    .optional()
    .describe("The contact's groups; left out when the token lacks `groups.read`."),
  created_at: timestamp,
  updated_at: timestamp,
});

const writable = {
  last_name: optionalText,
  company: optionalText,
  type: contactType.optional(),
  email: optionalText,
  country: clearable(
    z.string().describe("ISO 3166-1 alpha-2; on create, by default the phone number's country."),
  ),
  description: optionalText,
  status_id: clearable(globalId),
  source_id: clearable(globalId),
};

const createBody = z.object({
  first_name: z.string(),
  phone: z.string().describe('International (`+44 20 7946 0958`), or national with `country`.'),
  ...writable,
  group_ids: z.array(globalId).optional().describe('Groups to put the contact in.'),
});

const updateBody = z.object({
  first_name: z.string().optional(),
  phone: z.string().optional().describe("A national number is read in the contact's country."),
  ...writable,
});

const listQuery = z.object({
  search: z
    .string()
    .optional()
    .describe('Text in the first or last name, phone, email or company (any case).'),
  status_id: globalId.optional(),
  source_id: globalId.optional(),
  group_id: globalId.optional(),
  type: contactType.optional(),
});

export const contactRoutes: RestRoute[] = crudRoutes({
  typename: 'Contact',
  path: '/contacts',
  tag: 'Contacts',
  noun: 'contact',
  abilities: 'contacts',
  selection:
    'id firstName lastName company type email phone country description ' +
    'status { id } source { id } groups { id } createdAt updatedAt',
  shape: (node) => withRelationIds(node, RELATIONS),
  response: contactResponse,
  createBody,
  updateBody,
  listFilters: {
    query: listQuery,
    definitions: '$filter: ContactFilter',
    arguments: 'filter: $filter',
    variables: (query) => {
      const { search, status_id, source_id, group_id, type } = query;
      return {
        filter: { search, statusId: status_id, sourceId: source_id, groupId: group_id, type },
      };
    },
  },
  descriptions: {
    list:
      'Newest first. Every filter given must hold; an id of nothing in this tenant matches nothing. ' +
      '`status_id`, `source_id` and `group_ids` are left out of each contact when the token lacks ' +
      '`statuses.read`, `sources.read` or `groups.read`.',
    create: 'The phone number must be new to the tenant (409 CONFLICT otherwise).',
    delete: 'Deletes the contact and its group memberships; its message history stays.',
  },
});
