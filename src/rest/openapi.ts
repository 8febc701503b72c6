import type { RestRoute } from './route.js';
import { type JsonSchema, objectParameters, SchemaCollector } from './json-schema.js';

/**
 * The OpenAPI 3.1 document of the REST face, generated from the route table (API.md "The REST
 * face"): what is served and what is documented come from the same definitions.
 */

const ERROR_CODES = {
  400: { codes: ['BAD_REQUEST'], text: 'The body is not valid JSON.' },
  401: {
    codes: ['UNAUTHENTICATED'],
    text: 'No, malformed, unknown, revoked or expired token, or a token of another tenant.',
  },
  403: {
    codes: ['API_ACCESS_DISABLED', 'FORBIDDEN'],
    text: "The tenant's API access is off, or the token lacks the ability (the message names it).",
  },
  404: {
    codes: ['TENANT_NOT_FOUND', 'NOT_FOUND'],
    text: 'No such tenant, or no such id in this tenant.',
  },
  409: { codes: ['CONFLICT'], text: 'A unique rule is broken (e.g. the same phone twice).' },
  413: { codes: ['QUERY_TOO_COMPLEX'], text: 'The body is larger than the server accepts.' },
  422: {
    codes: ['BAD_USER_INPUT'],
    text: 'Invalid input; `errors` maps each offending field to its messages.',
  },
  429: {
    codes: ['RATE_LIMITED'],
    text: "The token's budget is spent; come back after `Retry-After` seconds.",
  },
  500: {
    codes: ['INTERNAL_SERVER_ERROR'],
    text: 'Something unexpected; details stay on the server.',
  },
} as const;
type ErrorStatus = keyof typeof ERROR_CODES;

const SUCCESS_TEXT = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: the message is queued',
  204: 'Done',
};

const DESCRIPTION = `The REST face of the WhatsMark gateway. Every route runs one operation of the GraphQL API
(\`/graphql\` beside this document) through the same pipeline, so authentication, abilities, limits
and rate limits are exactly those of GraphQL.

- **Authentication**: \`Authorization: Bearer <API token>\` (or the tenant's admin key, which may do everything).
- **Abilities**: each operation names the abilities of which the token needs any one (also in \`x-abilities\`).
- **Shapes**: one object is \`{ "data": {…} }\`; a list is \`{ "data": [...], "meta": { "current_page", "per_page", "total", "last_page" } }\`.
  Fields are snake_case; ids are the GraphQL global ids (a REST id works in GraphQL's \`node(id:)\` and back).
- **Relations**: a related id the token may not read (e.g. \`status_id\` without \`statuses.read\`) is left out of the object.
- **Errors**: \`{ "message", "code", "errors": { "<field>": ["…"] } }\` (\`errors\` for 422 only). An unknown
  path answers 404 \`NOT_FOUND\`; a known path with another method answers 405 with \`Allow\`.
- **Idempotency**: \`Idempotency-Key\` on \`POST /messages/*\`: the same key returns the first message and sends nothing.`;

/** API.md: `Idempotency-Key` on `POST /messages/*` is GraphQL's `idempotencyKey`. */
const takesIdempotencyKey = (route: RestRoute) =>
  route.method === 'POST' && route.path.startsWith('/messages/');

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Names this one message: a retry with the same key returns the first message and sends nothing; the same key with a different message is 409 `CONFLICT`.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

function errorResponses(route: RestRoute): ErrorStatus[] {
  const statuses: ErrorStatus[] = [401, 403, 404, 422, 429, 500];
  if (route.body) statuses.push(400, 413);
  if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH') {
    statuses.push(409);
  }
  return statuses.sort((a, b) => a - b);
}

function abilityText(route: RestRoute): string {
  if (route.abilities.length === 0) return '**Abilities:** none.';
  const list = route.abilities.map((ability) => `\`${ability}\``).join(', ');
  return route.abilities.length === 1
    ? `**Ability:** ${list}.`
    : `**Abilities:** any one of ${list}.`;
}

function operation(route: RestRoute, collector: SchemaCollector): JsonSchema {
  const pathNames = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
  const parameters = [
    ...(route.params ? objectParameters(collector, route.params, 'path') : []),
    ...(route.query ? objectParameters(collector, route.query, 'query') : []),
    ...(takesIdempotencyKey(route) ? [IDEMPOTENCY_KEY] : []),
  ];
  const declared = parameters.filter((p) => p.in === 'path').map((p) => p.name);
  if ([...pathNames].sort().join() !== [...declared].sort().join()) {
    throw new Error(`OpenAPI: ${route.method} ${route.path} declares path parameters ${declared}`);
  }

  const item = route.response ? collector.convert(route.response, 'output') : { type: 'object' };
  const success =
    route.status === 204
      ? { description: SUCCESS_TEXT[204] }
      : {
          description: SUCCESS_TEXT[route.status],
          content: {
            'application/json': {
              schema: route.list
                ? {
                    type: 'object',
                    required: ['data', 'meta'],
                    properties: {
                      data: { type: 'array', items: item },
                      meta: { $ref: '#/components/schemas/PageMeta' },
                    },
                  }
                : { type: 'object', required: ['data'], properties: { data: item } },
            },
          },
        };
  const responses: JsonSchema = { [route.status]: success };
  for (const status of errorResponses(route)) {
    responses[status] = { $ref: `#/components/responses/Error${status}` };
  }

  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, abilityText(route)].filter(Boolean).join('\n\n'),
    'x-abilities': [...route.abilities],
    // OpenAPI 3.1 lets a non-OAuth requirement list roles; alternatives mean "any one of".
    security:
      route.abilities.length === 0
        ? [{ bearerAuth: [] }]
        : route.abilities.map((ability) => ({ bearerAuth: [ability] })),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: collector.convert(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

function errorComponents(): { schemas: JsonSchema; responses: JsonSchema } {
  const allCodes = [
    ...Object.values(ERROR_CODES).flatMap((entry) => entry.codes),
    'METHOD_NOT_ALLOWED',
  ];
  const responses: JsonSchema = {};
  for (const [status, { codes, text }] of Object.entries(ERROR_CODES)) {
    const headers: JsonSchema = {};
    if (status === '401') {
      headers['WWW-Authenticate'] = {
        description: 'The Bearer challenge.',
        schema: { type: 'string' },
      };
    }
    if (status === '429') {
      headers['Retry-After'] = {
        description: 'Seconds to wait before the next request.',
        required: true,
        schema: { type: 'integer', minimum: 0 },
      };
    }
    responses[`Error${status}`] = {
      description: text,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Error' },
              { type: 'object', properties: { code: { enum: [...codes] } } },
            ],
          },
        },
      },
    };
  }
  return {
    responses,
    schemas: {
      Error: {
        type: 'object',
        required: ['message', 'code'],
        properties: {
          message: { type: 'string' },
          code: { type: 'string', enum: allCodes },
          errors: {
            type: 'object',
            description: 'For 422: each offending field (snake_case) and its messages.',
            additionalProperties: { type: 'array', items: { type: 'string' } },
          },
        },
      },
      PageMeta: {
        type: 'object',
        required: ['current_page', 'per_page', 'total', 'last_page'],
        properties: {
          current_page: { type: 'integer', minimum: 1 },
          per_page: { type: 'integer', minimum: 1, maximum: 100 },
          total: { type: 'integer', minimum: 0 },
          last_page: { type: 'integer', minimum: 1 },
        },
      },
    },
  };
}

/**
 * The document without `servers`, which is the only part that depends on the request. Throws when
 * a route's path and its path parameters disagree, so a broken route fails its test, not a reader.
 */
export function buildOpenApiDocument(routes: readonly RestRoute[]): JsonSchema {
  const collector = new SchemaCollector();
  const paths: Record<string, JsonSchema> = {};
  const tags: string[] = [];
  for (const route of routes) {
    const methods = (paths[route.path] ??= {});
    const method = route.method.toLowerCase();
    if (methods[method]) throw new Error(`OpenAPI: ${route.method} ${route.path} appears twice`);
    methods[method] = operation(route, collector);
    if (!tags.includes(route.tag)) tags.push(route.tag);
  }
  const errors = errorComponents();
  for (const name of Object.keys(errors.schemas)) {
    if (collector.components[name]) throw new Error(`OpenAPI: the schema name ${name} is reserved`);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'WhatsMark REST API', version: 'v1', description: DESCRIPTION },
    tags: tags.map((name) => ({ name })),
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (`wmk_…`) from the settings page, or the admin key (`wma_…`).',
        },
      },
      schemas: { ...errors.schemas, ...collector.components },
      responses: errors.responses,
    },
  };
}

/** The served document for one tenant: the routes' document with its server. */
export function documentFor(base: JsonSchema, baseUrl: string, tenant: string): JsonSchema {
  const { openapi, info, ...rest } = base;
  return {
    openapi,
    info,
    servers: [
      {
        url: `${baseUrl}/api/v1/${encodeURIComponent(tenant)}`,
        description: `The REST API of tenant ${tenant}`,
      },
    ],
    ...rest,
  };
}
