import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import type { Message, Template } from '../db/types.js';
import { apiError, badUserInput, conflict, notFound } from '../errors.js';
import { decodeIdOf } from '../ids.js';
import { parseInput } from '../validation.js';
import { parsePhone } from '../contacts/validation.js';
import { findContactsByIds } from '../contacts/repo.js';
import { findTemplateByNameAndLanguage, findTemplatesByIds } from '../templates/repo.js';
import { describeComponents, templateParameters } from '../templates/components.js';
import { hasConnection } from '../whatsapp/repo.js';
import { notConnected } from '../whatsapp/connection.js';
import type { MessageContent, MetaTemplateComponent } from './content.js';
import { MediaKindEnum, MessageNode } from './schema.js';
import { enqueueMessage } from './repo.js';

/**
 * sendTextMessage, sendMediaMessage, sendTemplateMessage: each checks its input, resolves the
 * recipient and writes the message QUEUED in one transaction (the outbox); the dispatcher sends
 * it. An `idempotencyKey` seen before in the tenant returns the first message and sends nothing.
 */
const Recipient = builder.inputType('MessageRecipientInput', {
  description:
    'Exactly one of `contactId` or `phone`. A phone that belongs to a contact is linked to it; a phone of no contact is sent to as is (no contact is created).',
  fields: (t) => ({
    contactId: t.id(),
    phone: t.string({ description: 'E.164 (+447700900123), or national with `country`.' }),
    country: t.string({ description: 'ISO 3166-1 alpha-2, for a national `phone`.' }),
  }),
});

const idempotencyKey = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters');
const httpsUrl = z
  .string()
  .trim()
  .max(2048, 'must be at most 2048 characters')
  .refine((v) => {
    try {
      return new URL(v).protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an https:// URL');
// Built once: a zod schema costs more to build than to check a value with.
const textBody = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters');
const media = z.object({
  link: httpsUrl,
  caption: z.string().max(1024, 'must be at most 1024 characters').optional(),
  filename: z.string().trim().min(1).max(240, 'must be at most 240 characters').optional(),
});
const templateText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(1024, 'must be at most 1024 characters');

interface RecipientInput {
  contactId?: string | number | null;
  phone?: string | null;
  country?: string | null;
}

async function resolveRecipient(
  context: Context,
  to: RecipientInput,
): Promise<{ contactId: string | null; linkContactByPhone?: boolean; toPhone: string }> {
  const hasContact = to.contactId != null;
  if (hasContact === (to.phone != null)) {
    throw badUserInput('to', 'to: give exactly one of contactId or phone.');
  }
  if (hasContact) {
    const id = decodeIdOf('Contact', String(to.contactId), 'to.contactId');
    const [contact] = await findContactsByIds(context.db, context.tenant.id, [id]);
    if (!contact) throw notFound('contact', String(to.contactId));
    return { contactId: contact.id, toPhone: contact.phone };
  }
  // The contact with this phone, if any, is looked up by the statement that writes the message.
  const { e164 } = parsePhone(to.phone, to.country, 'to.phone');
  return { contactId: null, linkContactByPhone: true, toPhone: e164 };
}

async function accept(
  context: Context,
  to: RecipientInput,
  message: MessageContent,
  options: { idempotencyKey?: string | null; templateId?: string | null },
): Promise<{ message: Message }> {
  const key =
    options.idempotencyKey == null
      ? null
      : parseInput(idempotencyKey, options.idempotencyKey, 'idempotencyKey');
  const mode = context.config.whatsapp.mode;
  if (mode === 'cloud' && !(await hasConnection(context.db, context.tenant.id))) {
    throw notConnected('This workspace has no WhatsApp connection to send from.');
  }
  const recipient = await resolveRecipient(context, to);
  const { message: stored, replayed } = await enqueueMessage(context.db, context.tenant.id, {
    ...recipient,
    message,
    templateId: options.templateId ?? null,
    idempotencyKey: key,
    transport: mode,
  });
  if (replayed) {
    const same =
      stored.type === message.type &&
      stored.to_phone === recipient.toPhone &&
      // jsonb keeps its own key order, so compare values, not texts (as JSON would store them).
      isDeepStrictEqual(stored.content, JSON.parse(JSON.stringify(message.content)));
    if (!same) {
      throw conflict('idempotencyKey', 'This idempotencyKey was used for a different message.');
    }
  } else {
    context.wakeDispatcher();
  }
  return { message: stored };
}

const payload = {
  outputFields: (t: any) => ({
    message: t.field({
      type: MessageNode,
      nullable: true,
      resolve: (r: { message: Message }) => r.message,
    }),
  }),
};

builder.relayMutationField(
  'sendTextMessage',
  {
    inputFields: (t) => ({
      to: t.field({ type: Recipient, required: true }),
      body: t.string({ required: true, description: 'Up to 4096 characters.' }),
      previewUrl: t.boolean({ description: 'Show a preview of the first URL in the body.' }),
      idempotencyKey: t.string({
        description: 'Retrying with the same key returns the first message.',
      }),
    }),
  },
  {
    authScopes: { ability: 'messages.send_text' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const body = parseInput(textBody, input.body, 'body');
      return accept(
        context,
        input.to,
        { type: 'TEXT', content: { body, previewUrl: input.previewUrl ?? false } },
        input,
      );
    },
  },
  payload,
);

builder.relayMutationField(
  'sendMediaMessage',
  {
    inputFields: (t) => ({
      to: t.field({ type: Recipient, required: true }),
      kind: t.field({ type: MediaKindEnum, required: true }),
      link: t.string({ required: true, description: 'An https:// URL WhatsApp can fetch.' }),
      caption: t.string({ description: 'Image, video and document only; up to 1024 characters.' }),
      filename: t.string({ description: 'Document only.' }),
      idempotencyKey: t.string(),
    }),
  },
  {
    authScopes: { ability: 'messages.send_media' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const { kind } = input;
      if (input.caption != null && kind === 'audio')
        throw badUserInput('caption', 'caption: audio messages take no caption.');
      if (input.filename != null && kind !== 'document')
        throw badUserInput('filename', 'filename: only documents take a filename.');
      const values = parseInput(media, {
        link: input.link,
        caption: input.caption ?? undefined,
        filename: input.filename ?? undefined,
      });
      return accept(context, input.to, { type: 'MEDIA', content: { kind, ...values } }, input);
    },
  },
  payload,
);

builder.relayMutationField(
  'sendTemplateMessage',
  {
    inputFields: (t) => ({
      to: t.field({ type: Recipient, required: true }),
      templateId: t.id({ description: 'The template, or give `name` and `language`.' }),
      name: t.string(),
      language: t.string({ description: 'e.g. en_US' }),
      headerText: t.string({ description: "The text header's parameter, when it has one." }),
      headerMediaLink: t.string({
        description: "The media header's https:// link, when it has one.",
      }),
      bodyParameters: t.stringList({ description: 'Body {{1}}…{{n}}, in order.' }),
      buttonParameters: t.stringList({
        description: 'One per button that takes a parameter, in button order.',
      }),
      idempotencyKey: t.string(),
    }),
  },
  {
    authScopes: { ability: 'messages.send_template' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const template = await findTemplate(context, input);
      const components = buildComponents(template, {
        headerText: input.headerText ?? null,
        headerMediaLink: input.headerMediaLink ?? null,
        body: input.bodyParameters ?? [],
        buttons: input.buttonParameters ?? [],
      });
      return accept(
        context,
        input.to,
        {
          type: 'TEMPLATE',
          content: { name: template.name, language: template.language, components },
        },
        { idempotencyKey: input.idempotencyKey, templateId: template.id },
      );
    },
  },
  payload,
);

async function findTemplate(
  context: Context,
  input: { templateId?: string | number | null; name?: string | null; language?: string | null },
): Promise<Template> {
  let template: Template | undefined;
  if (input.templateId != null) {
    if (input.name != null || input.language != null) {
      throw badUserInput(
        'templateId',
        'templateId: give templateId, or name and language, not both.',
      );
    }
    const id = decodeIdOf('Template', String(input.templateId), 'templateId');
    [template] = await findTemplatesByIds(context.db, context.tenant.id, [id]);
    if (!template || template.removed_at) throw notFound('template', String(input.templateId));
  } else {
    if (!input.name || !input.language) {
      throw badUserInput(
        input.name ? 'language' : 'name',
        'Give templateId, or name and language.',
      );
    }
    template = await findTemplateByNameAndLanguage(
      context.db,
      context.tenant.id,
      input.name,
      input.language,
    );
    if (!template) {
      throw apiError(
        'NOT_FOUND',
        `No template ${JSON.stringify(input.name)} in ${JSON.stringify(input.language)}.`,
        {
          field: 'name',
        },
      );
    }
  }
  if (template.status !== 'APPROVED') {
    throw badUserInput(
      'templateId',
      `Template "${template.name}" is ${template.status}; only APPROVED templates can be sent.`,
    );
  }
  return template;
}

/** Checks the parameters against the template and builds Meta's `components` for the send. */
function buildComponents(
  template: Template,
  given: {
    headerText: string | null;
    headerMediaLink: string | null;
    body: string[];
    buttons: string[];
  },
): MetaTemplateComponent[] {
  const needs = templateParameters(template);
  const shape = describeComponents(template.components);
  const components: MetaTemplateComponent[] = [];
  const text = (value: string, field: string) => parseInput(templateText, value, field);

  if (needs.header?.kind === 'TEXT') {
    if (given.headerText == null)
      throw badUserInput(
        'headerText',
        `headerText: template "${template.name}" has a text header parameter.`,
      );
    components.push({
      type: 'header',
      parameters: [{ type: 'text', text: text(given.headerText, 'headerText') }],
    });
  } else if (needs.header?.kind === 'MEDIA') {
    if (given.headerMediaLink == null)
      throw badUserInput(
        'headerMediaLink',
        `headerMediaLink: template "${template.name}" has a ${shape.header?.format} header.`,
      );
    const link = parseInput(httpsUrl, given.headerMediaLink, 'headerMediaLink');
    const kind = shape.header!.format.toLowerCase() as 'image' | 'video' | 'document';
    components.push({ type: 'header', parameters: [{ type: kind, [kind]: { link } }] });
  } else if (given.headerText != null || given.headerMediaLink != null) {
    throw badUserInput(
      given.headerText != null ? 'headerText' : 'headerMediaLink',
      `Template "${template.name}" takes no header parameter.`,
    );
  }

  if (given.body.length !== needs.body) {
    throw badUserInput(
      'bodyParameters',
      `bodyParameters: template "${template.name}" takes ${needs.body}, got ${given.body.length}.`,
    );
  }
  if (needs.body > 0) {
    components.push({
      type: 'body',
      parameters: given.body.map((v, i) => ({
        type: 'text',
        text: text(v, `bodyParameters.${i}`),
      })),
    });
  }

  if (given.buttons.length !== needs.buttons.length) {
    throw badUserInput(
      'buttonParameters',
      `buttonParameters: template "${template.name}" takes ${needs.buttons.length}, got ${given.buttons.length}.`,
    );
  }
  needs.buttons.forEach((button, i) => {
    const value = text(given.buttons[i]!, `buttonParameters.${i}`);
    components.push(
      button.type === 'COPY_CODE'
        ? {
            type: 'button',
            sub_type: 'copy_code',
            index: String(button.index),
            parameters: [{ type: 'coupon_code', coupon_code: value } as never],
          }
        : {
            type: 'button',
            sub_type: 'url',
            index: String(button.index),
            parameters: [{ type: 'text', text: value }],
          },
    );
  });
  return components;
}
