import { z } from 'zod';
import type { RestRoute } from '../rest/route.js';
import { idParamsOf, pageQuery, timestamp } from '../rest/params.js';
import { listResult, objectResult, pageVariables } from '../rest/shape.js';
import { booleanQuery, enumQuery, graphqlEnum } from '../rest/filters.js';

/** GET /templates and GET /templates/{id}: the tenant's synced templates, `templates.read`. */
const FIELDS = `
  fragment RestTemplate on Template {
    id
    name
    language
    status
    category
    header { format text }
    headerParameter { kind count }
    bodyText
    bodyParameterCount
    footerText
    buttons { index type text url phoneNumber otpType parameterCount }
    metaId
    rejectedReason
    removedAt
    syncedAt
    createdAt
    updatedAt
  }
`;

const nullableString = z.string().nullable();
const template = z.object({
  id: z.string(),
  name: z.string(),
  language: z.string().describe('A locale code, e.g. en_US.'),
  status: graphqlEnum('TemplateStatus').describe('Only APPROVED templates can be sent.'),
  category: graphqlEnum('TemplateCategory'),
  header: z
    .object({ format: graphqlEnum('TemplateHeaderFormat'), text: nullableString })
    .nullable(),
  header_parameter: z
    .object({ kind: graphqlEnum('TemplateHeaderParameterKind'), count: z.number().int() })
    .nullable()
    .describe(
      'What a send gives for the header (`header_text` or `header_media_url`); null when nothing.',
    ),
  body_text: z.string(),
  body_parameter_count: z
    .number()
    .int()
    .describe('How many `body_parameters` a send gives: {{1}}…{{n}}.'),
  footer_text: nullableString,
  buttons: z.array(
    z.object({
      index: z.number().int(),
      type: graphqlEnum('TemplateButtonType'),
      text: nullableString,
      url: nullableString,
      phone_number: nullableString,
      otp_type: nullableString,
      parameter_count: z
        .number()
        .int()
        .describe('1 when a send gives this button one of its `button_parameters`.'),
    }),
  ),
  meta_id: z.string().describe("Meta's id for the template."),
  rejected_reason: nullableString,
  removed_at: timestamp.nullable().describe('When a sync found Meta no longer lists the template.'),
  synced_at: timestamp,
  created_at: timestamp,
  updated_at: timestamp,
});

const listQuery = pageQuery.extend({
  search: z.string().optional().describe('Case-insensitive part of the name or the body text.'),
  status: enumQuery('TemplateStatus').optional(),
  category: enumQuery('TemplateCategory').optional(),
  language: z.string().optional().describe('Exact locale code, e.g. en_US.'),
  include_removed: booleanQuery.optional().describe('Also list templates Meta no longer lists.'),
});

export const templateRoutes: RestRoute[] = [
  {
    method: 'GET',
    path: '/templates',
    operationId: 'listTemplates',
    tag: 'Templates',
    summary: 'List templates',
    description: 'The tenant’s message templates, by name, as last synced from Meta.',
    abilities: ['templates.read'],
    query: listQuery,
    document: `
      query listTemplates($first: Int, $offset: Int, $filter: TemplateFilter) {
        templates(first: $first, offset: $offset, filter: $filter) {
          totalCount
          edges { node { ...RestTemplate } }
        }
      }
      ${FIELDS}
    `,
    variables: ({ query }) => ({
      ...pageVariables(query),
      filter: {
        search: query.search,
        status: query.status,
        category: query.category,
        language: query.language,
        includeRemoved: query.include_removed,
      },
    }),
    respond: (data, { query }) => listResult(data.templates as never, query),
    status: 200,
    response: template,
    list: true,
  },
  {
    method: 'GET',
    path: '/templates/{id}',
    operationId: 'getTemplate',
    tag: 'Templates',
    summary: 'Get a template',
    abilities: ['templates.read'],
    params: idParamsOf('Template'),
    document: `
      query getTemplate($id: ID!) { template(id: $id) { ...RestTemplate } }
      ${FIELDS}
    `,
    variables: ({ params }) => ({ id: params.id }),
    respond: (data, { params }) =>
      objectResult(data.template as never, { name: 'template', id: params.id }),
    status: 200,
    response: template,
  },
];
