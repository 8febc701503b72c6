import { builder } from '../builder.js';
import { OFFSET_DESCRIPTION } from '../db/connection.js';
import type { Context } from '../context.js';
import type { TemplateBot, TemplateBotParameter } from '../db/types.js';
import { notFound, uniqueName } from '../errors.js';
import { decodeIdOf, encodeId } from '../ids.js';
import { parseInput } from '../validation.js';
import {
  BotFilterInput,
  BotTriggerTypeEnum,
  mergePatch,
  type TriggerType,
} from '../message-bots/triggers.js';
import { findTemplatesByIds } from '../templates/repo.js';
import { TemplateNode } from '../templates/schema.js';
import { CONTACT_FIELDS, fitParameters, templateBotValues } from './parameters.js';
import * as repo from './repo.js';

const ContactFieldEnum = builder.enumType('TemplateBotContactField', {
  description: "The contact's field a template parameter is filled from.",
  values: CONTACT_FIELDS,
});

const ParameterRef = builder.objectRef<TemplateBotParameter>('TemplateBotParameter').implement({
  description: 'A template parameter: from a contact field, or a fixed value.',
  fields: (t) => ({
    contactField: t.field({
      type: ContactFieldEnum,
      nullable: true,
      resolve: (p) =>
        'contactField' in p ? (p.contactField as (typeof CONTACT_FIELDS)[number]) : null,
    }),
    value: t.string({ nullable: true, resolve: (p) => ('value' in p ? p.value : null) }),
  }),
});

export const TemplateBotNode = builder.loadableNode('TemplateBot', {
  description:
    'Replies to incoming messages with a template. Needs `template_bots.read`; its template also ' +
    'needs `templates.read`.',
  authScopes: { ability: 'template_bots.read' },
  id: { resolve: (bot: TemplateBot) => bot.id },
  load: (ids: string[], context) => repo.findTemplateBotsByIds(context.db, context.tenant.id, ids),
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
    // Loaded in one batch for every bot of the response (the Template node's DataLoader).
    template: t.field({
      type: TemplateNode,
      nullable: true,
      description: 'Null, with FORBIDDEN on this path, without `templates.read`.',
      resolve: (bot) => bot.template_id,
    }),
    headerParameter: t.field({
      type: ParameterRef,
      nullable: true,
      description: "The text header's {{1}}.",
      resolve: (bot) => bot.parameters.header,
    }),
    headerMediaUrl: t.string({
      nullable: true,
      description: 'The link sent as the media header.',
      resolve: (bot) => bot.parameters.headerMediaUrl,
    }),
    bodyParameters: t.field({
      type: [ParameterRef],
      description: 'Body {{1}}…{{n}}, in order.',
      resolve: (bot) => bot.parameters.body,
    }),
    buttonParameters: t.field({
      type: [ParameterRef],
      description: 'One per template button that takes a parameter, in button order.',
      resolve: (bot) => bot.parameters.buttons,
    }),
    active: t.exposeBoolean('active'),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

/** TemplateBot pages, as every connection of TemplateBot nodes returns them. */
export const TemplateBotConnection = builder.connectionObject(
  { type: TemplateBotNode, name: 'TemplateBotConnection' },
  { name: 'TemplateBotEdge' },
);

builder.queryField('templateBots', (t) =>
  t.connection(
    {
      type: TemplateBotNode,
      description: "The tenant's template bots, by name.",
      authScopes: { ability: 'template_bots.read' },
      args: {
        filter: t.arg({ type: BotFilterInput }),
        offset: t.arg.int({ description: OFFSET_DESCRIPTION }),
      },
      resolve: (_root, args, context) =>
        repo.listTemplateBots(context.db, context.tenant.id, args.filter ?? {}, args),
    },
    TemplateBotConnection,
  ),
);

const ParameterInput = builder.inputType('TemplateBotParameterInput', {
  description: 'Exactly one of contactField and value.',
  fields: (t) => ({
    contactField: t.field({ type: ContactFieldEnum }),
    value: t.string(),
  }),
});

const botFields = (t: any, required: boolean) => ({
  name: t.string({ required }),
  triggerType: t.field({ type: BotTriggerTypeEnum, required }),
  keywords: t.stringList({ description: 'Needed unless triggerType is FIRST_MESSAGE.' }),
  templateId: t.id({ required }),
  headerParameter: t.field({
    type: ParameterInput,
    description: 'Required when the template header has {{1}}.',
  }),
  headerMediaUrl: t.string({ description: 'Required when the template has a media header.' }),
  bodyParameters: t.field({
    type: [ParameterInput],
    description: "Exactly as many as the template's bodyParameterCount.",
  }),
  buttonParameters: t.field({
    type: [ParameterInput],
    description: 'One per template button with parameterCount 1.',
  }),
  active: t.boolean({ description: 'Defaults to true.' }),
});

/** Validates the values, loads the template (NOT_FOUND if not the tenant's) and fits the mapping. */
async function toRow(
  context: Context,
  input: Record<string, unknown>,
  templateGlobalId: string,
  templateId: string,
): Promise<repo.TemplateBotRow> {
  const values = parseInput(templateBotValues, input);
  const [template] = await findTemplatesByIds(context.db, context.tenant.id, [templateId]);
  if (!template) throw notFound('template', templateGlobalId);
  return {
    name: values.name,
    triggerType: values.triggerType,
    keywords: values.keywords,
    templateId,
    parameters: fitParameters(template, values),
    active: values.active,
  };
}

const guardName = <T>(write: Promise<T>, name: string | undefined) =>
  uniqueName(write, 'template_bots_tenant_name', 'template bot', name);

const payload = (t: any) => ({
  templateBot: t.field({
    type: TemplateBotNode,
    nullable: true,
    resolve: (r: { bot: TemplateBot }) => r.bot,
  }),
});

builder.relayMutationField(
  'createTemplateBot',
  { inputFields: (t) => botFields(t, true) },
  {
    description: 'Creates a template bot. Admin key only.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, context) => {
      const templateId = decodeIdOf('Template', String(input.templateId), 'templateId');
      const row = await toRow(
        context,
        {
          ...input,
          keywords: input.keywords ?? [],
          bodyParameters: input.bodyParameters ?? [],
          buttonParameters: input.buttonParameters ?? [],
          active: input.active ?? true,
        },
        String(input.templateId),
        templateId,
      );
      const bot = await guardName(
        repo.createTemplateBot(context.db, context.tenant.id, row),
        row.name,
      );
      return { bot };
    },
  },
  { outputFields: payload },
);

builder.relayMutationField(
  'updateTemplateBot',
  { inputFields: (t) => ({ id: t.id({ required: true }), ...botFields(t, false) }) },
  {
    description:
      'Changes a template bot; omitted fields keep their value, null clears an optional one. ' +
      'The mapping must fit the (new) template. Admin key only.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('TemplateBot', String(input.id));
      const [current] = await repo.findTemplateBotsByIds(context.db, context.tenant.id, [id]);
      if (!current) throw notFound('template bot', String(input.id));
      const templateGlobalId = input.templateId ?? encodeId('Template', current.template_id);
      const templateId =
        input.templateId == null
          ? current.template_id
          : decodeIdOf('Template', String(input.templateId), 'templateId');
      const triggerType = String(input.triggerType ?? current.trigger_type);
      const base = {
        name: current.name,
        triggerType,
        keywords: triggerType === 'FIRST_MESSAGE' ? [] : current.keywords,
        headerParameter: current.parameters.header,
        headerMediaUrl: current.parameters.headerMediaUrl,
        bodyParameters: current.parameters.body,
        buttonParameters: current.parameters.buttons,
        active: current.active,
      };
      const { id: _id, templateId: _t, ...patch } = input;
      const merged = mergePatch(base, patch, ['name', 'triggerType', 'active']);
      for (const list of ['keywords', 'bodyParameters', 'buttonParameters'] as const) {
        if (merged[list] === null) merged[list] = [];
      }
      const row = await toRow(context, merged, String(templateGlobalId), templateId);
      const bot = await guardName(
        repo.updateTemplateBot(context.db, context.tenant.id, id, row),
        row.name,
      );
      if (!bot) throw notFound('template bot', String(input.id));
      return { bot };
    },
  },
  { outputFields: payload },
);

builder.relayMutationField(
  'deleteTemplateBot',
  { inputFields: (t) => ({ id: t.id({ required: true }) }) },
  {
    description: 'Deletes a template bot. Admin key only.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('TemplateBot', String(input.id));
      const bot = await repo.deleteTemplateBot(context.db, context.tenant.id, id);
      if (!bot) throw notFound('template bot', String(input.id));
      return { deletedTemplateBotId: String(input.id) };
    },
  },
  {
    outputFields: (t) => ({
      deletedTemplateBotId: t.id({ resolve: (r) => r.deletedTemplateBotId }),
    }),
  },
);
