import { builder } from '../builder.js';
import { OFFSET_DESCRIPTION } from '../db/connection.js';
import { readableWith } from '../auth/type-scopes.js';
import type { Contact } from '../db/types.js';
import { decodeIdOf } from '../ids.js';
import { StatusNode } from '../statuses/schema.js';
import { SourceNode } from '../sources/schema.js';
import { GroupNode } from '../groups/schema.js';
import { groupsOfContact } from '../groups/loaders.js';
import { grants } from '../auth/abilities.js';
import { principalAbilities } from '../auth/principal.js';
import type { Context } from '../context.js';
import { selectedFields } from '../lookahead.js';
import type { GraphQLResolveInfo } from 'graphql';
import {
  contactFilter,
  ContactFilterInput,
  contactOrder,
  ContactOrderInput,
  ContactTypeEnum,
} from './arguments.js';
import * as repo from './repo.js';
import * as service from './service.js';

/**
 * A person the tenant messages on WhatsApp. Its relations need the ability of the type they reach
 * (API.md): without `statuses.read`, `status` is null with one FORBIDDEN error on that path, and
 * likewise `source` and `groups`. The field rule answers before anything is loaded; the type rule
 * on Status, Source and Group guards every other path to them.
 *
 * A page of contacts brings the relations its query selects (and the caller may read) in its own
 * statement (`include`); anywhere else status, source and groups load through per-request
 * DataLoaders, one statement per relation whatever the number of contacts.
 */
export const ContactNode = builder.loadableNode('Contact', {
  description: 'A person the tenant messages on WhatsApp. Needs `contacts.read`.',
  authScopes: readableWith('contacts.read'),
  id: { resolve: (contact: repo.ContactRow) => contact.id },
  load: (ids: string[], context) => repo.findContactsByIds(context.db, context.tenant.id, ids),
  toKey: (contact) => contact.id,
  sort: true,
  cacheResolved: true,
  fields: (t) => ({
    firstName: t.exposeString('first_name'),
    lastName: t.string({ nullable: true, resolve: (contact) => contact.last_name || null }),
    company: t.exposeString('company', { nullable: true }),
    type: t.expose('type', { type: ContactTypeEnum }),
    email: t.exposeString('email', { nullable: true }),
    phone: t.exposeString('phone', { description: 'E.164, e.g. `+442079460958`.' }),
    country: t.exposeString('country', {
      nullable: true,
      description: 'ISO 3166-1 alpha-2 country code, e.g. `GB`.',
    }),
    description: t.exposeString('description', { nullable: true }),
    status: t.field({
      type: StatusNode,
      nullable: true,
      description: 'Needs `statuses.read`.',
      authScopes: { ability: 'statuses.read' },
      resolve: (contact) =>
        contact.included?.status !== undefined ? contact.included.status : contact.status_id,
    }),
    source: t.field({
      type: SourceNode,
      nullable: true,
      description: 'Needs `sources.read`.',
      authScopes: { ability: 'sources.read' },
      resolve: (contact) =>
        contact.included?.source !== undefined ? contact.included.source : contact.source_id,
    }),
    groups: t.field({
      type: [GroupNode],
      nullable: { list: true, items: true },
      description: "The contact's groups, by name. Needs `groups.read`.",
      authScopes: { ability: 'groups.read' },
      resolve: (contact, _args, context) =>
        contact.included?.groups ?? groupsOfContact(context).load(contact.id),
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

/**
 * The relations a contacts connection's nodes select and the caller may read: those the page's
 * statement brings along. One the caller may not read is left to its field, which answers FORBIDDEN.
 */
function includes(context: Context, info: GraphQLResolveInfo): repo.ContactIncludes {
  const fields = selectedFields(info, ['edges', 'node']);
  const held = principalAbilities(context.principal);
  return {
    status: fields.has('status') && grants(held, 'statuses.read'),
    source: fields.has('source') && grants(held, 'sources.read'),
    groups: fields.has('groups') && grants(held, 'groups.read'),
  };
}

builder.queryFields((t) => ({
  contacts: t.connection({
    type: ContactNode,
    description: "The tenant's contacts; newest first unless `orderBy` says otherwise.",
    authScopes: { ability: 'contacts.read' },
    args: {
      filter: t.arg({ type: ContactFilterInput }),
      orderBy: t.arg({ type: ContactOrderInput }),
      offset: t.arg.int({ description: OFFSET_DESCRIPTION }),
    },
    resolve: (_root, args, context, info) =>
      repo.listContacts(
        context.db,
        context.tenant.id,
        contactFilter(args.filter),
        contactOrder(args.orderBy),
        args,
        includes(context, info),
      ),
  }),
  contact: t.field({
    type: ContactNode,
    nullable: true,
    description: 'The contact with this id; null when the tenant has none, as `node` does.',
    authScopes: { ability: 'contacts.read' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args) => decodeIdOf('Contact', String(args.id)),
  }),
}));

builder.objectField(GroupNode, 'contacts', (t) =>
  t.connection({
    type: ContactNode,
    nullable: true,
    description: "The group's contacts, newest first unless `orderBy` says otherwise.",
    authScopes: { ability: 'contacts.read' },
    args: { orderBy: t.arg({ type: ContactOrderInput }) },
    resolve: (group, args, context, info) =>
      repo.listContacts(
        context.db,
        context.tenant.id,
        { groupId: group.id },
        contactOrder(args.orderBy),
        args,
        includes(context, info),
      ),
  }),
);

/** The payload shows the contact it wrote even without `contacts.read` (see StatusNode). */
const payload = (t: any) => ({
  contact: t.field({
    type: ContactNode,
    nullable: true,
    resolve: (result: { contact: Contact }) => result.contact,
  }),
});

builder.relayMutationField(
  'createContact',
  {
    inputFields: (t) => ({
      firstName: t.string({ required: true }),
      lastName: t.string(),
      company: t.string(),
      type: t.field({ type: ContactTypeEnum, description: 'LEAD when omitted.' }),
      email: t.string(),
      phone: t.string({
        required: true,
        description: 'International ("+44 20 7946 0958"), or national with `country`.',
      }),
      country: t.string({
        description: "ISO 3166-1 alpha-2; when omitted, the phone number's country.",
      }),
      description: t.string(),
      statusId: t.id(),
      sourceId: t.id(),
      groupIds: t.idList({
        description: `Groups to put the contact in, at most ${service.MAX_GROUP_IDS}.`,
      }),
    }),
  },
  {
    description: 'Creates a contact. The phone number must be new to the tenant.',
    authScopes: { ability: 'contacts.create' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => ({
      contact: await service.createContact(context, input),
    }),
  },
  { outputFields: payload },
);

builder.relayMutationField(
  'updateContact',
  {
    inputFields: (t) => ({
      id: t.id({ required: true }),
      firstName: t.string(),
      lastName: t.string(),
      company: t.string(),
      type: t.field({ type: ContactTypeEnum }),
      email: t.string(),
      phone: t.string({ description: "A national number is read in the contact's country." }),
      country: t.string(),
      description: t.string(),
      statusId: t.id(),
      sourceId: t.id(),
    }),
  },
  {
    description:
      'Changes the fields given. An omitted field stays as it is; null (or "") clears an optional one.',
    authScopes: { ability: 'contacts.update' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => ({
      contact: await service.updateContact(context, input),
    }),
  },
  { outputFields: payload },
);

builder.relayMutationField(
  'deleteContact',
  { inputFields: (t) => ({ id: t.id({ required: true }) }) },
  {
    description: 'Deletes a contact and its group memberships; its message history stays.',
    authScopes: { ability: 'contacts.delete' },
    resolve: async (_root, { input }, context) => {
      await service.deleteContact(context, input.id);
      return { deletedContactId: String(input.id) };
    },
  },
  {
    outputFields: (t) => ({
      deletedContactId: t.id({ resolve: (result) => result.deletedContactId }),
    }),
  },
);
