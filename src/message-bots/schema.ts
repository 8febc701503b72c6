import { builder } from '../builder.js';
import { OFFSET_DESCRIPTION } from '../db/connection.js';
import type { MessageBot, MessageBotContent } from '../db/types.js';
import { notFound, uniqueName } from '../errors.js';
import { decodeIdOf } from '../ids.js';
import { parseInput } from '../validation.js';
import {
  currentValues,
  MEDIA_TYPES,
  messageBotValues,
  REPLY_TYPES,
  type ReplyType,
  toContent,
} from './content.js';
import * as repo from './repo.js';
import { BotFilterInput, BotTriggerTypeEnum, mergePatch, type TriggerType } from './triggers.js';

const ReplyTypeEnum = builder.enumType('MessageBotReplyType', {
  description: 'What a message bot answers with.',
  values: REPLY_TYPES,
});
const MediaTypeEnum = builder.enumType('MessageBotMediaType', { values: MEDIA_TYPES });

type Media = NonNullable<MessageBotContent['media']>;
type Button = NonNullable<MessageBotContent['buttons']>[number];
type CtaButton = NonNullable<MessageBotContent['ctaButton']>;

const MediaRef = builder.objectRef<Media>('MessageBotMedia').implement({
  fields: (t) => ({
    type: t.field({ type: MediaTypeEnum, resolve: (m) => m.type as (typeof MEDIA_TYPES)[number] }),
    url: t.exposeString('url'),
    filename: t.string({ nullable: true, resolve: (m) => m.filename ?? null }),
  }),
});
const ButtonRef = builder.objectRef<Button>('MessageBotButton').implement({
  description: 'A quick-reply button; `id` comes back with the reply when it is tapped.',
  fields: (t) => ({ id: t.exposeString('id'), title: t.exposeString('title') }),
});
const CtaButtonRef = builder.objectRef<CtaButton>('MessageBotCtaButton').implement({
  description: 'A button that opens a link.',
  fields: (t) => ({ text: t.exposeString('text'), url: t.exposeString('url') }),
});

const content = (bot: MessageBot) => bot.content;

export const MessageBotNode = builder.loadableNode('MessageBot', {
  description: 'An automatic reply to incoming messages. Needs `message_bots.read`.',
  authScopes: { ability: 'message_bots.read' },
  id: { resolve: (bot: MessageBot) => bot.id },
  load: (ids: string[], context) => repo.findMessageBotsByIds(context.db, context.tenant.id, ids),
  toKey: (bot) => bot.id,
  sort: true,
  cacheResolved: true,
  fields: (t) => ({
    name: t.exposeString('name'),
    triggerType: t.field({
      type: BotTriggerTypeEnum,
      resolve: (bot) => bot.trigger_type as TriggerType,
    }),
    keywords: t.exposeStringList('keywords'),
    replyType: t.field({ type: ReplyTypeEnum, resolve: (bot) => bot.reply_type as ReplyType }),
    text: t.string({
      nullable: true,
      description: 'The message, or the caption of a MEDIA reply.',
      resolve: (bot) => content(bot).text ?? null,
    }),
    header: t.string({ nullable: true, resolve: (bot) => content(bot).header ?? null }),
    footer: t.string({ nullable: true, resolve: (bot) => content(bot).footer ?? null }),
    media: t.field({ type: MediaRef, nullable: true, resolve: (bot) => content(bot).media }),
    buttons: t.field({ type: [ButtonRef], resolve: (bot) => content(bot).buttons ?? [] }),
    ctaButton: t.field({
      type: CtaButtonRef,
      nullable: true,
      resolve: (bot) => content(bot).ctaButton,
    }),
    active: t.exposeBoolean('active'),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

/** MessageBot pages, as every connection of MessageBot nodes returns them. */
export const MessageBotConnection = builder.connectionObject(
  { type: MessageBotNode, name: 'MessageBotConnection' },
  { name: 'MessageBotEdge' },
);

builder.queryField('messageBots', (t) =>
  t.connection(
    {
      type: MessageBotNode,
      description: "The tenant's message bots, by name.",
      authScopes: { ability: 'message_bots.read' },
      args: {
        filter: t.arg({ type: BotFilterInput }),
        offset: t.arg.int({ description: OFFSET_DESCRIPTION }),
      },
      resolve: (_root, args, context) =>
        repo.listMessageBots(context.db, context.tenant.id, args.filter ?? {}, args),
    },
    MessageBotConnection,
  ),
);

const MediaInput = builder.inputType('MessageBotMediaInput', {
  fields: (t) => ({
    type: t.field({ type: MediaTypeEnum, required: true }),
    url: t.string({ required: true, description: 'A public http(s) link to the file.' }),
    filename: t.string({ description: 'Shown for a DOCUMENT.' }),
  }),
});
const ButtonInput = builder.inputType('MessageBotButtonInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: 'Up to 20 characters.' }),
    id: t.string({ description: 'Returned when tapped; defaults to button_1, button_2, …' }),
  }),
});
const CtaButtonInput = builder.inputType('MessageBotCtaButtonInput', {
  fields: (t) => ({
    text: t.string({ required: true, description: 'Up to 20 characters.' }),
    url: t.string({ required: true }),
  }),
});

/** Input fields of create (`required`) and update (all optional; null clears). */
const botFields = (t: any, required: boolean) => ({
  name: t.string({ required }),
  triggerType: t.field({ type: BotTriggerTypeEnum, required }),
  keywords: t.stringList({ description: 'Needed unless triggerType is FIRST_MESSAGE.' }),
  replyType: t.field({ type: ReplyTypeEnum, required }),
  text: t.string({ description: 'Required except for MEDIA (where it is the caption).' }),
  header: t.string({ description: 'BUTTONS and CTA_URL: up to 60 characters.' }),
  footer: t.string({ description: 'BUTTONS and CTA_URL: up to 60 characters.' }),
  media: t.field({ type: MediaInput, description: 'MEDIA only.' }),
  buttons: t.field({ type: [ButtonInput], description: 'BUTTONS only: 1 to 3.' }),
  ctaButton: t.field({ type: CtaButtonInput, description: 'CTA_URL only.' }),
  active: t.boolean({ description: 'Defaults to true.' }),
});

const guardName = <T>(write: Promise<T>, name: string | undefined) =>
  uniqueName(write, 'message_bots_tenant_name', 'message bot', name);

function toRow(input: Record<string, unknown>): repo.MessageBotRow {
  const values = parseInput(messageBotValues, input);
  return {
    name: values.name,
    triggerType: values.triggerType,
    keywords: values.keywords,
    replyType: values.replyType,
    content: toContent(values),
    active: values.active,
  };
}

const payload = (t: any) => ({
  messageBot: t.field({
    type: MessageBotNode,
    nullable: true,
    resolve: (r: { bot: MessageBot }) => r.bot,
  }),
});

builder.relayMutationField(
  'createMessageBot',
  { inputFields: (t) => botFields(t, true) },
  {
    description: 'Creates a message bot. Admin key only.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, context) => {
      const row = toRow({ ...input, keywords: input.keywords ?? [], active: input.active ?? true });
      const bot = await guardName(
        repo.createMessageBot(context.db, context.tenant.id, row),
        row.name,
      );
      return { bot };
    },
  },
  { outputFields: payload },
);

builder.relayMutationField(
  'updateMessageBot',
  { inputFields: (t) => ({ id: t.id({ required: true }), ...botFields(t, false) }) },
  {
    description:
      'Changes a message bot; omitted fields keep their value, null clears an optional one. ' +
      'Switching replyType drops the content the new type does not use. Admin key only.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('MessageBot', String(input.id));
      const [current] = await repo.findMessageBotsByIds(context.db, context.tenant.id, [id]);
      if (!current) throw notFound('message bot', String(input.id));
      const { id: _id, ...patch } = {
        ...input,
        keywords: input.keywords === null ? [] : input.keywords,
      };
      const replyType = (input.replyType ?? current.reply_type) as ReplyType;
      const triggerType = String(input.triggerType ?? current.trigger_type);
      const base = currentValues(current, replyType, triggerType);
      const row = toRow(mergePatch(base, patch, ['name', 'triggerType', 'replyType', 'active']));
      const bot = await guardName(
        repo.updateMessageBot(context.db, context.tenant.id, id, row),
        row.name,
      );
      if (!bot) throw notFound('message bot', String(input.id));
      return { bot };
    },
  },
  { outputFields: payload },
);

builder.relayMutationField(
  'deleteMessageBot',
  { inputFields: (t) => ({ id: t.id({ required: true }) }) },
  {
    description: 'Deletes a message bot. Admin key only.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('MessageBot', String(input.id));
      const bot = await repo.deleteMessageBot(context.db, context.tenant.id, id);
      if (!bot) throw notFound('message bot', String(input.id));
      return { deletedMessageBotId: String(input.id) };
    },
  },
  {
    outputFields: (t) => ({
      deletedMessageBotId: t.id({ resolve: (r) => r.deletedMessageBotId }),
    }),
  },
);
