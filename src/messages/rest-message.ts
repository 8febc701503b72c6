import { z } from 'zod';
import { globalId, timestamp } from '../rest/params.js';
import { objectResult, withRelationIds } from '../rest/shape.js';
import { graphqlEnum } from '../rest/filters.js';

/**
 * A message as the REST face answers it (the sends and GET /messages/{id}): GraphQL's `Message`
 * in snake_case, with `status_history`, and its contact as `contact_id`.
 */
export const MESSAGE_FRAGMENT = `
  fragment RestMessageError on MessageError { code title message details }
  fragment RestMessage on Message {
    id
    type
    status
    to
    contact { id }
    content {
      __typename
      ... on TextContent { body previewUrl }
      ... on MediaContent { kind link caption filename }
      ... on TemplateContent { name language bodyParameters }
    }
    wamid
    attempts
    error { ...RestMessageError }
    idempotencyKey
    statusHistory { status previousStatus occurredAt error { ...RestMessageError } }
    createdAt
    sentAt
    deliveredAt
    readAt
    failedAt
  }
`;

/** `contact { id }` becomes `contact_id` (absent without `contacts.read`); `content` loses `__typename`. */
function shape(message: Record<string, unknown>): Record<string, unknown> {
  const { __typename: _, ...content } = (message.content ?? {}) as Record<string, unknown>;
  return withRelationIds({ ...message, content }, { contact: 'contact_id' });
}

export const respondMessage = (message: unknown, id?: string) =>
  objectResult(message as never, { name: 'message', id }, shape);

const nullableString = z.string().nullable();
const messageError = z
  .object({
    code: z.number().int().describe("Meta's error code, e.g. 131047 (outside the 24-hour window)."),
    title: z.string(),
    message: z.string(),
    details: nullableString,
  })
  .describe('Why the message failed, as WhatsApp reported it.');
const status = graphqlEnum('MessageStatus');
export const restMessage = z.object({
  id: globalId,
  type: graphqlEnum('MessageType'),
  status: status.describe('QUEUED → SENT → DELIVERED → READ; FAILED ends it.'),
  to: z.string().describe('The recipient, E.164.'),
  contact_id: globalId
    .nullable()
    .optional()
    .describe(
      'The recipient contact; null for a bare number or a deleted contact; left out without `contacts.read`.',
    ),
  content: z
    .union([
      z.object({ body: z.string(), preview_url: z.boolean() }).describe('TEXT'),
      z
        .object({
          kind: graphqlEnum('MediaKind'),
          link: z.string(),
          caption: nullableString,
          filename: nullableString,
        })
        .describe('MEDIA'),
      z
        .object({ name: z.string(), language: z.string(), body_parameters: z.array(z.string()) })
        .describe('TEMPLATE'),
    ])
    .describe('What was sent, by `type`.'),
  wamid: nullableString.describe("WhatsApp's message id, once accepted."),
  attempts: z.number().int(),
  error: messageError.nullable(),
  idempotency_key: nullableString,
  status_history: z
    .array(
      z.object({
        status,
        previous_status: status.nullable(),
        occurred_at: timestamp,
        error: messageError.nullable(),
      }),
    )
    .describe('Every status the message went through, oldest first.'),
  created_at: timestamp,
  sent_at: timestamp.nullable(),
  delivered_at: timestamp.nullable(),
  read_at: timestamp.nullable(),
  failed_at: timestamp.nullable(),
});
