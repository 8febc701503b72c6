import { z } from 'zod';
import type { RestRoute } from '../rest/route.js';
import { idParamsOf, pageQuery, timestamp } from '../rest/params.js';
import { listResult, objectResult, pageVariables } from '../rest/shape.js';
import { booleanQuery, enumQuery, graphqlEnum } from '../rest/filters.js';

/** GET /message-bots and GET /message-bots/{id}: `message_bots.read`. */
const FIELDS = `
  fragment RestMessageBot on MessageBot {
    id
    name
    triggerType
    keywords
    replyType
    text
    header
    footer
    media { type url filename }
    buttons { id title }
    ctaButton { text url }
    active
    createdAt
    updatedAt
  }
`;

/** The filters of GraphQL's `BotFilter`, shared with /template-bots. */
export const botListQuery = pageQuery.extend({
  search: z.string().optional().describe('Case-insensitive part of the name or of a keyword.'),
  trigger_type: enumQuery('BotTriggerType').optional(),
  active: booleanQuery.optional(),
});

export const botFilter = (query: Record<string, unknown>) => ({
  search: query.search,
  triggerType: query.trigger_type,
  active: query.active,
});

const nullableString = z.string().nullable();
const messageBot = z.object({
  id: z.string(),
  name: z.string(),
  trigger_type: graphqlEnum('BotTriggerType'),
  keywords: z.array(z.string()),
  reply_type: graphqlEnum('MessageBotReplyType'),
  text: nullableString.describe('The message, or the caption of a MEDIA reply.'),
  header: nullableString,
  footer: nullableString,
  media: z
    .object({
      type: graphqlEnum('MessageBotMediaType'),
      url: z.string(),
      filename: nullableString,
    })
    .nullable(),
  buttons: z.array(z.object({ id: z.string(), title: z.string() })),
  cta_button: z.object({ text: z.string(), url: z.string() }).nullable(),
  active: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const messageBotRoutes: RestRoute[] = [
  {
    method: 'GET',
    path: '/message-bots',
    operationId: 'listMessageBots',
    tag: 'Message bots',
    summary: 'List message bots',
    description: 'The tenant’s message bots (automatic replies), by name.',
    abilities: ['message_bots.read'],
    query: botListQuery,
    document: `
      query listMessageBots($first: Int, $offset: Int, $filter: BotFilter) {
        messageBots(first: $first, offset: $offset, filter: $filter) {
          totalCount
          edges { node { ...RestMessageBot } }
        }
      }
      ${FIELDS}
    `,
    variables: ({ query }) => ({ ...pageVariables(query), filter: botFilter(query) }),
    respond: (data, { query }) => listResult(data.messageBots as never, query),
    status: 200,
    response: messageBot,
    list: true,
  },
  {
    method: 'GET',
    path: '/message-bots/{id}',
    operationId: 'getMessageBot',
    tag: 'Message bots',
    summary: 'Get a message bot',
    abilities: ['message_bots.read'],
    params: idParamsOf('MessageBot'),
    document: `
      query getMessageBot($id: ID!) { node(id: $id) { __typename ...RestMessageBot } }
      ${FIELDS}
    `,
    variables: ({ params }) => ({ id: params.id }),
    respond: (data, { params }) =>
      objectResult(data.node as never, {
        name: 'message bot',
        typename: 'MessageBot',
        id: params.id,
      }),
    status: 200,
    response: messageBot,
  },
];
