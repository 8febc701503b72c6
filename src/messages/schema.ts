import { builder } from '../builder.js';
import { readableWith } from '../auth/type-scopes.js';
import { MESSAGE_READ_ABILITIES } from '../auth/abilities.js';
import type { Message, MessageError, MessageStatusEvent } from '../db/types.js';
import { decodeIdOf } from '../ids.js';
import { ContactNode } from '../contacts/schema.js';
import { MESSAGE_STATUSES } from './status.js';
import type { MediaContent, TemplateContent, TextContent } from './content.js';
import * as repo from './repo.js';

/**
 * Messages and their delivery status. Reading them needs any one of the sending abilities
 * (API.md); the contact behind a message needs `contacts.read` as everywhere.
 */
export const MessageStatusEnum = builder.enumType('MessageStatus', {
  description: 'QUEUED → SENT → DELIVERED → READ; FAILED ends it. A status never moves back.',
  values: MESSAGE_STATUSES,
});

export const MessageTypeEnum = builder.enumType('MessageType', {
  values: ['TEXT', 'MEDIA', 'TEMPLATE'] as const,
});

export const MediaKindEnum = builder.enumType('MediaKind', {
  values: {
    IMAGE: { value: 'image' },
    VIDEO: { value: 'video' },
    AUDIO: { value: 'audio' },
    DOCUMENT: { value: 'document' },
  },
});

export const MessageErrorRef = builder.objectRef<MessageError>('MessageError').implement({
  description: "Why a message failed, as WhatsApp reported it (Meta's error code and text).",
  fields: (t) => ({
    code: t.exposeInt('code', {
      description: "Meta's error code, e.g. 131047 (outside the 24-hour window).",
    }),
    title: t.exposeString('title'),
    message: t.exposeString('message'),
    details: t.exposeString('details', { nullable: true }),
  }),
});

const TextContentRef = builder.objectRef<TextContent>('TextContent').implement({
  fields: (t) => ({ body: t.exposeString('body'), previewUrl: t.exposeBoolean('previewUrl') }),
});
const MediaContentRef = builder.objectRef<MediaContent>('MediaContent').implement({
  fields: (t) => ({
    kind: t.field({ type: MediaKindEnum, resolve: (c) => c.kind }),
    link: t.exposeString('link'),
    caption: t.exposeString('caption', { nullable: true }),
    filename: t.exposeString('filename', { nullable: true }),
  }),
});
const TemplateContentRef = builder.objectRef<TemplateContent>('TemplateContent').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    language: t.exposeString('language'),
    bodyParameters: t.stringList({
      resolve: (c) =>
        (c.components.find((x) => x.type === 'body')?.parameters ?? []).map((p) =>
          'text' in p ? String(p.text) : '',
        ),
    }),
  }),
});

const MessageContentUnion = builder.unionType('MessageContent', {
  types: [TextContentRef, MediaContentRef, TemplateContentRef],
  resolveType: (content) =>
    'body' in content ? TextContentRef : 'link' in content ? MediaContentRef : TemplateContentRef,
});

export const MessageStatusChangeRef = builder
  .objectRef<MessageStatusEvent>('MessageStatusChange')
  .implement({
    description: "One step of a message's status history.",
    fields: (t) => ({
      status: t.field({
        type: MessageStatusEnum,
        resolve: (e) => e.status as (typeof MESSAGE_STATUSES)[number],
      }),
      previousStatus: t.field({
        type: MessageStatusEnum,
        nullable: true,
        resolve: (e) => e.previous_status as (typeof MESSAGE_STATUSES)[number] | null,
      }),
      occurredAt: t.expose('occurred_at', {
        type: 'DateTime',
        description: 'When it happened, as reported.',
      }),
      error: t.field({ type: MessageErrorRef, nullable: true, resolve: (e) => e.error }),
    }),
  });

export const MessageNode = builder.loadableNode('Message', {
  description: 'An outgoing WhatsApp message. Needs any one of the messages.send_* abilities.',
  authScopes: readableWith(...MESSAGE_READ_ABILITIES),
  id: { resolve: (message: Message) => message.id },
  load: (ids: string[], context) => repo.findMessagesByIds(context.db, context.tenant.id, ids),
  toKey: (message) => message.id,
  sort: true,
  cacheResolved: true,
  fields: (t) => ({
    to: t.exposeString('to_phone', { description: 'The recipient, E.164.' }),
    contact: t.field({
      type: ContactNode,
      nullable: true,
      description:
        'The recipient contact; null when sent to a bare number or the contact was deleted.',
      resolve: (message, _args, context) =>
        message.contact_id ? ContactNode.getDataloader(context).load(message.contact_id) : null,
    }),
    type: t.field({ type: MessageTypeEnum, resolve: (m) => m.type }),
    content: t.field({
      type: MessageContentUnion,
      resolve: (m) => m.content as TextContent | MediaContent | TemplateContent,
    }),
    status: t.field({ type: MessageStatusEnum, resolve: (m) => m.status }),
    wamid: t.exposeString('wamid', {
      nullable: true,
      description: "WhatsApp's message id, once accepted.",
    }),
    error: t.field({
      type: MessageErrorRef,
      nullable: true,
      resolve: (m) => (m.status === 'FAILED' ? m.error : null),
    }),
    attempts: t.exposeInt('attempts'),
    idempotencyKey: t.exposeString('idempotency_key', { nullable: true }),
    statusHistory: t.loadableList({
      type: MessageStatusChangeRef,
      description: 'Every status the message went through, oldest first.',
      load: (ids: string[], context) => repo.statusHistories(context.db, context.tenant.id, ids),
      resolve: (m) => m.id,
    }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    sentAt: t.expose('sent_at', { type: 'DateTime', nullable: true }),
    deliveredAt: t.expose('delivered_at', { type: 'DateTime', nullable: true }),
    readAt: t.expose('read_at', { type: 'DateTime', nullable: true }),
    failedAt: t.expose('failed_at', { type: 'DateTime', nullable: true }),
  }),
});

const MessageFilter = builder.inputType('MessageFilter', {
  fields: (t) => ({
    contactId: t.id(),
    status: t.field({ type: MessageStatusEnum }),
    type: t.field({ type: MessageTypeEnum }),
    createdAfter: t.field({ type: 'DateTime', description: 'Inclusive.' }),
    createdBefore: t.field({ type: 'DateTime', description: 'Exclusive.' }),
  }),
});

/** Message pages, as every connection of Message nodes returns them. */
export const MessageConnection = builder.connectionObject(
  { type: MessageNode, name: 'MessageConnection' },
  { name: 'MessageEdge' },
);

builder.queryField('messages', (t) =>
  t.connection(
    {
      type: MessageNode,
      description: 'Messages, newest first.',
      authScopes: { anyAbility: MESSAGE_READ_ABILITIES },
      args: { filter: t.arg({ type: MessageFilter }) },
      resolve: (_root, { filter, ...args }, context) =>
        repo.listMessages(
          context.db,
          context.tenant.id,
          {
            ...filter,
            contactId: filter?.contactId
              ? decodeIdOf('Contact', String(filter.contactId), 'filter.contactId')
              : null,
          },
          args,
        ),
    },
    MessageConnection,
  ),
);

builder.queryField('message', (t) =>
  t.field({
    type: MessageNode,
    nullable: true,
    authScopes: { anyAbility: MESSAGE_READ_ABILITIES },
    args: { id: t.arg.id({ required: true }) },
    // A missing message (or another tenant's) loads as null; a database failure stays an error.
    resolve: (_root, { id }, context) =>
      MessageNode.getDataloader(context).load(decodeIdOf('Message', String(id))),
  }),
);

builder.objectField(ContactNode, 'messages', (t) =>
  t.connection(
    {
      type: MessageNode,
      description: 'Messages sent to this contact, newest first. Needs a messages.send_* ability.',
      authScopes: { anyAbility: MESSAGE_READ_ABILITIES },
      resolve: (contact, args, context) =>
        repo.listMessages(context.db, context.tenant.id, { contactId: contact.id }, args),
    },
    MessageConnection,
  ),
);
