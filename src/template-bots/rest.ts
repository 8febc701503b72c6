import { z } from 'zod';
import type { RestRoute } from '../rest/route.js';
import { idParamsOf, timestamp } from '../rest/params.js';
import { listResult, objectResult, pageVariables, withRelationIds } from '../rest/shape.js';
import { graphqlEnum } from '../rest/filters.js';
import { botFilter, botListQuery } from '../message-bots/rest.js';

/**
 * GET /template-bots and GET /template-bots/{id}: `template_bots.read`. A bot's template is
 * `template_id`; without `templates.read` GraphQL refuses that relation and the key is left out.
 */
const FIELDS = `
  fragment RestTemplateBot on TemplateBot {
    id
    name
    triggerType
    keywords
    template { id }
    headerParameter { contactField value }
    headerMediaUrl
    bodyParameters { contactField value }
    buttonParameters { contactField value }
    active
    createdAt
    updatedAt
  }
`;

/** `template { id }` becomes `template_id` (absent when the relation was refused). */
const shape = (bot: Record<string, unknown>) => withRelationIds(bot, { template: 'template_id' });

const parameter = z
  .object({
    contact_field: graphqlEnum('TemplateBotContactField').nullable(),
    value: z.string().nullable(),
  })
  .describe('Filled from a contact field, or a fixed value: exactly one is set.');
const templateBot = z.object({
  id: z.string(),
  name: z.string(),
  trigger_type: graphqlEnum('BotTriggerType'),
  keywords: z.array(z.string()),
  template_id: z
    .string()
    .nullable()
    .optional()
    .describe('The template it sends; left out when the token lacks `templates.read`.'),
  header_parameter: parameter.nullable().describe("The text header's {{1}}."),
  header_media_url: z.string().nullable().describe('The link sent as the media header.'),
  body_parameters: z.array(parameter).describe('Body {{1}}…{{n}}, in order.'),
  button_parameters: z
    .array(parameter)
    .describe('One per template button that takes a parameter, in button order.'),
  active: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
});

export const templateBotRoutes: RestRoute[] = [
  {
    method: 'GET',
    path: '/template-bots',
    operationId: 'listTemplateBots',
    tag: 'Template bots',
    summary: 'List template bots',
    description: 'The tenant’s template bots (replies with a template), by name.',
    abilities: ['template_bots.read'],
    query: botListQuery,
    document: `
      query listTemplateBots($first: Int, $offset: Int, $filter: BotFilter) {
        templateBots(first: $first, offset: $offset, filter: $filter) {
          totalCount
          edges { node { ...RestTemplateBot } }
        }
      }
      ${FIELDS}
    `,
    variables: ({ query }) => ({ ...pageVariables(query), filter: botFilter(query) }),
    respond: (data, { query }) => listResult(data.templateBots as never, query, shape),
    status: 200,
    response: templateBot,
    list: true,
  },
  {
    method: 'GET',
    path: '/template-bots/{id}',
    operationId: 'getTemplateBot',
    tag: 'Template bots',
    summary: 'Get a template bot',
    abilities: ['template_bots.read'],
    params: idParamsOf('TemplateBot'),
    document: `
      query getTemplateBot($id: ID!) { node(id: $id) { __typename ...RestTemplateBot } }
      ${FIELDS}
    `,
    variables: ({ params }) => ({ id: params.id }),
    respond: (data, { params }) =>
      objectResult(
        data.node as never,
        { name: 'template bot', typename: 'TemplateBot', id: params.id },
        shape,
      ),
    status: 200,
    response: templateBot,
  },
];
