import { z } from 'zod';
import { MESSAGE_READ_ABILITIES } from '../auth/abilities.js';
import type { RestInput, RestRoute } from '../rest/route.js';
import { globalId, idParamsOf } from '../rest/params.js';
import { MESSAGE_FRAGMENT, respondMessage, restMessage } from './rest-message.js';

/**
 * POST /messages/text, /messages/media, /messages/template (202 with the queued message) and
 * GET /messages/{id} (with its status history). The GraphQL send mutations check everything; these
 * routes rename fields: the REST body's names are the product's (`phone_number`, `message`,
 * `media_url`, `template_name`…), and `errorFields` maps the mutations' BAD_USER_INPUT fields back
 * to them. `Idempotency-Key` is the mutation's `idempotencyKey`: a retry returns the first
 * message, the same key with a different message is 409 CONFLICT.
 */

/** The recipient fields every send takes: exactly one of `phone_number` and `contact_id`. */
const recipient = z.object({
  phone_number: z
    .string()
    .optional()
    .describe(
      'E.164 (+447700900123), or national with `country`. Give this or `contact_id`. A number ' +
        'that belongs to a contact is linked to it; no contact is created.',
    ),
  contact_id: globalId.optional().describe('The contact to send to; or give `phone_number`.'),
  country: z
    .string()
    .optional()
    .describe('ISO 3166-1 alpha-2 (e.g. GB), for a national `phone_number`.'),
});
type Recipient = z.output<typeof recipient>;

/**
 * Which fields go together. The mutations refuse the same, but in their own names (`contactId`,
 * `templateId`); the REST body says it in its own. Checks keep the object's documented shape.
 */
function recipientCheck(value: Recipient, ctx: z.RefinementCtx) {
  if ((value.phone_number === undefined) === (value.contact_id === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['phone_number'],
      message: 'give exactly one of phone_number or contact_id',
    });
  }
}

function templateCheck(
  value: { template_id?: string; template_name?: string; template_language?: string },
  ctx: z.RefinementCtx,
) {
  const byName = value.template_name !== undefined || value.template_language !== undefined;
  if (value.template_id !== undefined && byName) {
    ctx.addIssue({
      code: 'custom',
      path: ['template_id'],
      message: 'give template_id, or template_name and template_language, not both',
    });
  } else if (value.template_id === undefined) {
    for (const field of ['template_name', 'template_language'] as const) {
      if (value[field] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'give template_name and template_language, or template_id',
        });
      }
    }
  }
}

const to = (body: Recipient) => ({
  phone: body.phone_number,
  contactId: body.contact_id,
  country: body.country,
});

/** The `Idempotency-Key` header (absent: every POST sends). */
const idempotencyKey = (headers: Headers) => headers.get('idempotency-key') ?? undefined;

/**
 * GraphQL input fields of every send whose REST name is not their snake_case (src/rest/errors.ts
 * already maps `to.phone` and `to.contactId`). `to` is "give exactly one of contactId or phone".
 */
const SEND_FIELDS = { to: 'phone_number', idempotencyKey: 'Idempotency-Key' };

const textBody = recipient.extend({
  message: z.string().describe('The text, up to 4096 characters.'),
  preview_url: z.boolean().optional().describe('Show a preview of the first URL in the message.'),
});

const mediaBody = recipient.extend({
  media_type: z.enum(['image', 'video', 'audio', 'document']),
  media_url: z.string().describe('An https:// URL WhatsApp can fetch.'),
  caption: z.string().optional().describe('Image, video and document only; up to 1024 characters.'),
  filename: z.string().optional().describe('Document only.'),
});

const templateBody = recipient
  .extend({
    template_name: z
      .string()
      .optional()
      .describe('With `template_language`; or give `template_id`.'),
    template_language: z.string().optional().describe('A locale code, e.g. en_US.'),
    template_id: globalId
      .optional()
      .describe('The template (see GET /templates); instead of its name and language.'),
    header_text: z
      .string()
      .optional()
      .describe('The text header’s {{1}}, when the template’s `header_parameter.kind` is TEXT.'),
    header_media_url: z
      .string()
      .optional()
      .describe('The media header’s https:// link, when `header_parameter.kind` is MEDIA.'),
    body_parameters: z
      .array(z.string())
      .optional()
      .describe('The body’s {{1}}…{{n}}, in order: exactly `body_parameter_count` of them.'),
    button_parameters: z
      .array(z.string())
      .optional()
      .describe('One per template button with `parameter_count` 1, in button order.'),
  })
  .superRefine(templateCheck);

interface SendKind {
  path: string;
  /** The mutation, also the route's operationId. */
  mutation: 'sendTextMessage' | 'sendMediaMessage' | 'sendTemplateMessage';
  summary: string;
  description: string;
  ability: 'messages.send_text' | 'messages.send_media' | 'messages.send_template';
  body: z.ZodObject;
  input(body: any): Record<string, unknown>;
  /** See `RestRoute.errorFields`. */
  errorFields: Record<string, string>;
}

function sendRoute(kind: SendKind): RestRoute {
  const inputType = `${kind.mutation[0]!.toUpperCase()}${kind.mutation.slice(1)}Input`;
  return {
    method: 'POST',
    path: kind.path,
    operationId: kind.mutation,
    tag: 'Messages',
    summary: kind.summary,
    description: kind.description,
    abilities: [kind.ability],
    body: kind.body.superRefine(recipientCheck),
    document: `
      mutation ${kind.mutation}($input: ${inputType}!) {
        ${kind.mutation}(input: $input) { message { ...RestMessage } }
      }
      ${MESSAGE_FRAGMENT}
    `,
    variables: ({ body, headers }: RestInput) => ({
      input: { ...kind.input(body), idempotencyKey: idempotencyKey(headers) },
    }),
    respond: (data) => respondMessage((data[kind.mutation] as { message: unknown }).message),
    errorFields: { ...SEND_FIELDS, ...kind.errorFields },
    status: 202,
    response: restMessage,
  };
}

export const messageRoutes: RestRoute[] = [
  sendRoute({
    path: '/messages/text',
    mutation: 'sendTextMessage',
    summary: 'Send a text message',
    description: 'Queues a text message and answers 202 with it (status QUEUED).',
    ability: 'messages.send_text',
    body: textBody,
    input: (body: z.output<typeof textBody>) => ({
      to: to(body),
      body: body.message,
      previewUrl: body.preview_url,
    }),
    errorFields: { body: 'message' },
  }),
  sendRoute({
    path: '/messages/media',
    mutation: 'sendMediaMessage',
    summary: 'Send an image, video, audio or document',
    description: 'Queues a media message by https:// link and answers 202 with it.',
    ability: 'messages.send_media',
    body: mediaBody,
    input: (body: z.output<typeof mediaBody>) => ({
      to: to(body),
      kind: body.media_type.toUpperCase(),
      link: body.media_url,
      caption: body.caption,
      filename: body.filename,
    }),
    errorFields: { kind: 'media_type', link: 'media_url' },
  }),
  sendRoute({
    path: '/messages/template',
    mutation: 'sendTemplateMessage',
    summary: 'Send a template message',
    description:
      'Queues an APPROVED template, by `template_name` and `template_language` (or ' +
      '`template_id`), with the parameters it takes (see its `header_parameter`, ' +
      '`body_parameter_count` and `buttons[].parameter_count`), and answers 202 with it.',
    ability: 'messages.send_template',
    body: templateBody,
    input: (body: z.output<typeof templateBody>) => ({
      to: to(body),
      templateId: body.template_id,
      name: body.template_name,
      language: body.template_language,
      headerText: body.header_text,
      headerMediaLink: body.header_media_url,
      bodyParameters: body.body_parameters,
      buttonParameters: body.button_parameters,
    }),
    errorFields: {
      name: 'template_name',
      language: 'template_language',
      headerMediaLink: 'header_media_url',
    },
  }),
  {
    method: 'GET',
    path: '/messages/{id}',
    operationId: 'getMessage',
    tag: 'Messages',
    summary: 'Get a message and its status history',
    description: 'Needs any one of the three sending abilities.',
    abilities: MESSAGE_READ_ABILITIES,
    params: idParamsOf('Message'),
    document: `
      query getMessage($id: ID!) { message(id: $id) { ...RestMessage } }
      ${MESSAGE_FRAGMENT}
    `,
    variables: ({ params }) => ({ id: params.id }),
    respond: (data, { params }) => respondMessage(data.message, params.id),
    status: 200,
    response: restMessage,
  },
];
