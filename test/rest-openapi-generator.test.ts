import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument, documentFor } from '../src/rest/openapi.js';
import type { RestRoute } from '../src/rest/route.js';
import { expectValidOpenApi31 } from './helpers/openapi-validity.js';

// The OpenAPI generator on a few sample routes; the served document of the real routes is tested
// in rest-openapi.test.ts.

type Json = Record<string, any>;

describe('the document generator', () => {
  // Named schemas (zod `.meta({ id })`) go to components.schemas; one seen as input and as output
  // differs (a default makes a field required only in the output), so the input gets its own name.
  const Widget = z
    .object({ id: z.string(), size: z.number().int().default(1), tags: z.array(z.string()) })
    .meta({ id: 'SampleWidget' });
  const routes: RestRoute[] = [
    {
      method: 'GET',
      path: '/widgets',
      operationId: 'listWidgets',
      tag: 'Widgets',
      summary: 'List widgets',
      abilities: ['contacts.read'],
      query: z.object({
        page: z.coerce.number().int().min(1).default(1).describe('The page.'),
        colour: z.enum(['red', 'blue']),
      }),
      document: 'query listWidgets { __typename }',
      variables: () => ({}),
      respond: () => ({ kind: 'empty' }),
      status: 200,
      response: Widget,
      list: true,
    },
    {
      method: 'PATCH',
      path: '/widgets/{id}',
      operationId: 'patchWidget',
      tag: 'Widgets',
      summary: 'Change a widget',
      abilities: ['contacts.update', 'groups.update'],
      params: z.object({ id: z.string() }),
      body: Widget.partial().extend({ inner: Widget.optional() }),
      document: 'mutation patchWidget { __typename }',
      variables: () => ({}),
      respond: () => ({ kind: 'empty' }),
      status: 200,
      response: Widget,
    },
    {
      method: 'POST',
      path: '/messages/ping',
      operationId: 'ping',
      tag: 'Messages',
      summary: 'Ping',
      abilities: [],
      body: z.object({ to: z.string() }),
      document: 'mutation ping { __typename }',
      variables: () => ({}),
      respond: () => ({ kind: 'empty' }),
      status: 202,
    },
  ];

  it('makes a valid OpenAPI 3.1 document with parameters, bodies, envelopes and abilities', async () => {
    const document = documentFor(
      buildOpenApiDocument(routes),
      'https://api.example',
      'acme',
    ) as Json;
    await expectValidOpenApi31(document);
    expect(document.servers).toEqual([
      { url: 'https://api.example/api/v1/acme', description: expect.any(String) },
    ]);

    const list = document.paths['/widgets'].get;
    expect(list.parameters).toEqual([
      {
        name: 'page',
        in: 'query',
        required: false,
        description: 'The page.',
        schema: expect.objectContaining({ type: 'integer', default: 1 }),
      },
      expect.objectContaining({ name: 'colour', in: 'query', required: true }),
    ]);
    expect(list.responses['200'].content['application/json'].schema).toEqual({
      type: 'object',
      required: ['data', 'meta'],
      properties: {
        data: { type: 'array', items: { $ref: '#/components/schemas/SampleWidget' } },
        meta: { $ref: '#/components/schemas/PageMeta' },
      },
    });
    expect(document.components.schemas.SampleWidget.required).toEqual(['id', 'size', 'tags']);
    expect(document.components.schemas.SampleWidgetInput.required).toEqual(['id', 'tags']);
    expect(list.responses['429']).toEqual({ $ref: '#/components/responses/Error429' });
    expect(document.components.responses.Error429.headers['Retry-After']).toBeDefined();
    expect(list['x-abilities']).toEqual(['contacts.read']);
    expect(list.description).toContain('`contacts.read`');
    expect(list.responses['400']).toBeUndefined();

    const patch = document.paths['/widgets/{id}'].patch;
    expect(patch.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
    ]);
    expect(patch.security).toEqual([
      { bearerAuth: ['contacts.update'] },
      { bearerAuth: ['groups.update'] },
    ]);
    expect(patch.description).toContain('any one of `contacts.update`, `groups.update`');
    expect(Object.keys(patch.responses)).toEqual(
      ['200', '400', '401', '403', '404', '409', '413', '422', '429', '500'].map(String),
    );
    expect(JSON.stringify(patch.requestBody)).toContain('#/components/schemas/SampleWidgetInput');

    const ping = document.paths['/messages/ping'].post;
    expect(ping.parameters).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }),
    ]);
    expect(ping.responses['202'].content['application/json'].schema.properties.data).toEqual({
      type: 'object',
    });
  });

  it('refuses a route whose path and path parameters disagree', () => {
    const broken = { ...routes[1]!, path: '/widgets/{widget_id}' };
    expect(() => buildOpenApiDocument([broken])).toThrow(/path parameters/);
    expect(() => buildOpenApiDocument([routes[0]!, routes[0]!])).toThrow(/twice/);
  });
});
