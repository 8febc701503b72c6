import { builder } from '../builder.js';
import { OFFSET_DESCRIPTION } from '../db/connection.js';
import { readableWith } from '../auth/type-scopes.js';
import type { Contact } from '../db/types.js';
import { decodeIdOf } from '../ids.js';
import { StatusNode } from '../statuses/schema.js';
import { SourceNode } from '../sources/schema.js';
import { GroupNode } from '../groups/schema.js';
import { groupsOfContact } from '../groups/loaders.js';
import { planPage } from '../db/connection.js';
import { primeKey } from '../db/partial.js';
import { contactSelection } from './selection.js';
import { selectedPageNeeds } from '../lookahead.js';
import { contactsOfGroup, groupPage, groupPageSpec } from './loaders.js';
import {
  contactFilter,
  ContactFilterInput,
  contactOrder,
  ContactOrderInput,
  ContactTypeEnum,
} from './arguments.js';
import * as repo from './repo.js';
import * as pages from './pages.js';
import * as service from './service.js';

/**
 * A person the tenant messages on WhatsApp. Its relations need the ability of the type they reach
 * (API.md): without `statuses.read`, `status` is null with one FORBIDDEN error on that path, and
 * likewise `source` and `groups`. The field rule answers before anything is loaded; the type rule
 * on Status, Source and Group guards every other path to them.
 *
 * A page of contacts reads the columns its query selects and brings the relations it selects (and
 * the caller may read) in its own statement (src/contacts/selection.ts); anywhere else status,
 * source and groups load through per-request DataLoaders, one statement per relation whatever the
 * number of contacts. A partial row is never primed as the whole contact (src/db/partial.ts).
 */
export const ContactNode = builder.loadableNode('Contact', {
  description: 'A person the tenant messages on WhatsApp. Needs `contacts.read`.',
  authScopes: readableWith('contacts.read'),
  id: { resolve: (contact: pages.ContactRow) => contact.id },
  load: (ids: string[], context) => repo.findContactsByIds(context.db, context.tenant.id, ids),
  sort: (contact) => contact.id,
  cacheResolved: primeKey,
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

/** Contact pages, as every connection of Contact nodes returns them. */
export const ContactConnection = builder.connectionObject(
  { type: ContactNode, name: 'ContactConnection' },
  { name: 'ContactEdge' },
);

builder.queryFields((t) => ({
  contacts: t.connection(
    {
      type: ContactNode,
      description: "The tenant's contacts; newest first unless `orderBy` says otherwise.",
      authScopes: { ability: 'contacts.read' },
      args: {
        filter: t.arg({ type: ContactFilterInput }),
        orderBy: t.arg({ type: ContactOrderInput }),
        offset: t.arg.int({ description: OFFSET_DESCRIPTION }),
      },
      resolve: (_root, args, context, info) =>
        pages.listContacts(
          context.db,
          context.tenant.id,
          contactFilter(args.filter),
          contactOrder(args.orderBy),
          args,
          contactSelection(context, info),
          selectedPageNeeds(info),
        ),
    },
    ContactConnection,
  ),
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
  t.connection(
    {
      type: ContactNode,
      nullable: true,
      description: "The group's contacts, newest first unless `orderBy` says otherwise.",
      authScopes: { ability: 'contacts.read' },
      args: { orderBy: t.arg({ type: ContactOrderInput }) },
      // Batched across the groups of a page (src/contacts/loaders.ts); bad arguments are refused
      // here, on this field's path, before anything loads.
      resolve: (group, args, context, info) => {
        const order = contactOrder(args.orderBy);
        const plan = planPage(args, pages.contactPageOrder(order), selectedPageNeeds(info));
        const spec = groupPageSpec(order, plan, contactSelection(context, info));
        // Read ahead with the page of groups (Query.groups), or loaded for all its groups at once.
        return (
          groupPage(context, group, spec) ??
          contactsOfGroup(context).load({ groupId: group.id, spec })
        );
      },
    },
    ContactConnection,
  ),
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
