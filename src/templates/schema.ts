import { builder } from '../builder.js';
import { OFFSET_DESCRIPTION } from '../db/connection.js';
import type { Template } from '../db/types.js';
import { notFound } from '../errors.js';
import { decodeIdOf } from '../ids.js';
import { WhatsAppModeEnum } from '../whatsapp/schema.js';
import { describeComponents, type TemplateButtonShape, type TemplateShape } from './components.js';
import * as repo from './repo.js';
import { syncTemplates } from './sync.js';

/**
 * Meta's values, as enums. Meta adds values from time to time; one this API does not know yet
 * reads as UNKNOWN rather than failing the query.
 */
function metaEnum<const V extends readonly string[]>(name: string, description: string, values: V) {
  const known = new Set<string>(values);
  const ref = builder.enumType(name, { description, values: [...values, 'UNKNOWN'] as const });
  const read = (value: string | null | undefined) =>
    (value && known.has(value) ? value : 'UNKNOWN') as V[number] | 'UNKNOWN';
  return { ref, read };
}

const Status = metaEnum('TemplateStatus', "A template's review status at Meta.", [
  'APPROVED',
  'PENDING',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'IN_APPEAL',
  'PENDING_DELETION',
  'DELETED',
  'LIMIT_EXCEEDED',
  'ARCHIVED',
] as const);
const Category = metaEnum('TemplateCategory', "A template's category at Meta.", [
  'MARKETING',
  'UTILITY',
  'AUTHENTICATION',
] as const);
const HeaderFormat = metaEnum('TemplateHeaderFormat', 'What a template header shows.', [
  'TEXT',
  'IMAGE',
  'VIDEO',
  'DOCUMENT',
  'LOCATION',
] as const);
const ButtonType = metaEnum('TemplateButtonType', 'The kind of a template button.', [
  'QUICK_REPLY',
  'URL',
  'PHONE_NUMBER',
  'COPY_CODE',
  'OTP',
  'FLOW',
  'CATALOG',
  'MPM',
  'VOICE_CALL',
] as const);
const HeaderParameterKind = builder.enumType('TemplateHeaderParameterKind', {
  description: 'What a send supplies for the header: text for {{1}}, a media link, a location.',
  values: ['TEXT', 'MEDIA', 'LOCATION'] as const,
});

const TemplateHeader = builder
  .objectRef<NonNullable<TemplateShape['header']>>('TemplateHeader')
  .implement({
    fields: (t) => ({
      format: t.field({ type: HeaderFormat.ref, resolve: (h) => HeaderFormat.read(h.format) }),
      text: t.exposeString('text', { nullable: true, description: 'For a TEXT header.' }),
    }),
  });

const TemplateHeaderParameter = builder
  .objectRef<NonNullable<TemplateShape['headerParameter']>>('TemplateHeaderParameter')
  .implement({
    description: 'The parameter a send must give for the header.',
    fields: (t) => ({
      kind: t.field({ type: HeaderParameterKind, resolve: (p) => p.kind }),
      count: t.exposeInt('count'),
    }),
  });

const TemplateButton = builder.objectRef<TemplateButtonShape>('TemplateButton').implement({
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position among the buttons, from 0.' }),
    type: t.field({ type: ButtonType.ref, resolve: (b) => ButtonType.read(b.type) }),
    otpType: t.exposeString('otpType', {
      nullable: true,
      description: 'For an OTP button: COPY_CODE, ONE_TAP or ZERO_TAP.',
    }),
    text: t.exposeString('text', { nullable: true }),
    url: t.exposeString('url', { nullable: true, description: 'May end in {{1}}.' }),
    phoneNumber: t.exposeString('phoneNumber', { nullable: true }),
    parameterCount: t.exposeInt('parameterCount', {
      description: '1 when a send must give this button a parameter (URL suffix, code).',
    }),
  }),
});

const shape = (template: Template) => describeComponents(template.components);

export const TemplateNode = builder.loadableNode('Template', {
  description: 'A WhatsApp message template, as last synced from Meta. Needs `templates.read`.',
  authScopes: { ability: 'templates.read' },
  id: { resolve: (template: Template) => template.id },
  load: (ids: string[], context) => repo.findTemplatesByIds(context.db, context.tenant.id, ids),
  toKey: (template) => template.id,
  sort: true,
  cacheResolved: true,
  fields: (t) => ({
    metaId: t.exposeString('meta_id', { description: "Meta's id for the template." }),
    name: t.exposeString('name'),
    language: t.exposeString('language', { description: 'A locale code, e.g. en_US.' }),
    category: t.field({ type: Category.ref, resolve: (r) => Category.read(r.category) }),
    status: t.field({ type: Status.ref, resolve: (r) => Status.read(r.status) }),
    rejectedReason: t.exposeString('rejected_reason', { nullable: true }),
    header: t.field({ type: TemplateHeader, nullable: true, resolve: (r) => shape(r).header }),
    bodyText: t.string({ resolve: (r) => shape(r).body }),
    footerText: t.string({ nullable: true, resolve: (r) => shape(r).footer }),
    buttons: t.field({ type: [TemplateButton], resolve: (r) => shape(r).buttons }),
    bodyParameterCount: t.int({
      description: 'How many body parameters a send gives: {{1}}…{{n}}.',
      resolve: (r) => shape(r).bodyParameterCount,
    }),
    headerParameter: t.field({
      type: TemplateHeaderParameter,
      nullable: true,
      description: 'null when the header takes no parameter (or there is no header).',
      resolve: (r) => shape(r).headerParameter,
    }),
    componentsJson: t.string({
      description: "Meta's `components` array as received, as JSON text.",
      resolve: (r) => JSON.stringify(r.components),
    }),
    removedAt: t.expose('removed_at', {
      type: 'DateTime',
      nullable: true,
      description: 'When a sync found Meta no longer lists the template; null while it does.',
    }),
    syncedAt: t.expose('synced_at', { type: 'DateTime' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

const TemplateFilter = builder.inputType('TemplateFilter', {
  fields: (t) => ({
    status: t.field({ type: Status.ref }),
    category: t.field({ type: Category.ref }),
    language: t.string({ description: 'Exact locale code, e.g. en_US.' }),
    search: t.string({ description: 'Case-insensitive part of the name or the body text.' }),
    includeRemoved: t.boolean({ description: 'Also list templates Meta no longer lists.' }),
  }),
});

/** Template pages, as every connection of Template nodes returns them. */
export const TemplateConnection = builder.connectionObject(
  { type: TemplateNode, name: 'TemplateConnection' },
  { name: 'TemplateEdge' },
);

builder.queryFields((t) => ({
  templates: t.connection(
    {
      type: TemplateNode,
      description: "The tenant's message templates, by name. Run syncTemplates to refresh them.",
      authScopes: { ability: 'templates.read' },
      args: {
        filter: t.arg({ type: TemplateFilter }),
        offset: t.arg.int({ description: OFFSET_DESCRIPTION }),
      },
      resolve: (_root, args, context) =>
        repo.listTemplates(context.db, context.tenant.id, args.filter ?? {}, args),
    },
    TemplateConnection,
  ),
  template: t.field({
    type: TemplateNode,
    nullable: true,
    description: 'A template by id; NOT_FOUND when the tenant has no such template.',
    authScopes: { ability: 'templates.read' },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, context) => {
      const id = decodeIdOf('Template', String(args.id));
      const template = await TemplateNode.getDataloader(context).load(id);
      if (!template) throw notFound('template', String(args.id));
      return template;
    },
  }),
}));

const SyncTemplatesPayload = builder
  .objectRef<repo.SyncCounts & { source: 'SANDBOX' | 'CLOUD' }>('SyncTemplatesPayload')
  .implement({
    fields: (t) => ({
      source: t.field({
        type: WhatsAppModeEnum,
        description: 'SANDBOX: the built-in set; CLOUD: the WhatsApp Business Account.',
        resolve: (r) => r.source,
      }),
      created: t.exposeInt('created'),
      updated: t.exposeInt('updated', { description: 'Existing templates that changed.' }),
      unchanged: t.exposeInt('unchanged'),
      removed: t.exposeInt('removed', {
        description: 'Templates Meta no longer lists; flagged with removedAt, not deleted.',
      }),
      total: t.int({
        description: 'Templates listed now.',
        resolve: (r) => r.created + r.updated + r.unchanged,
      }),
    }),
  });

builder.mutationField('syncTemplates', (t) =>
  t.field({
    type: SyncTemplatesPayload,
    nullable: true,
    description:
      "Pulls the templates of the tenant's WhatsApp Business Account (every page) and upserts " +
      'them. In sandbox mode loads a built-in set instead. Admin key only. Errors: BAD_USER_INPUT ' +
      'when no WhatsApp connection is set; WHATSAPP_ERROR when Meta refuses or cannot be reached.',
    authScopes: { admin: true },
    resolve: (_root, _args, context) =>
      syncTemplates(context.db, context.config, context.tenant.id),
  }),
);
