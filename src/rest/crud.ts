import { z } from 'zod';
import type { Ability } from '../auth/abilities.js';
import { deletedResponse, idParamsOf, pageQuery } from './params.js';
import type { RestRoute } from './route.js';
import {
  camelKeys,
  type ConnectionData,
  deletedResult,
  listResult,
  objectResult,
  pageVariables,
} from './shape.js';

type Shape = (node: Record<string, unknown>) => Record<string, unknown>;

/**
 * The five routes of a resource with GraphQL CRUD (list, create, get, update as PUT and PATCH,
 * delete), each over one named operation:
 * `<plural>(first, offset, …)`, `create<Type>`, `node(id:)`, `update<Type>`, `delete<Type>`.
 */
export interface CrudSpec {
  /** The GraphQL type, `Contact`; also the mutations' stem (`createContact`). */
  typename: string;
  /** The REST collection, `/contacts`; also the connection field's name without the slash. */
  path: string;
  /** OpenAPI tag and the plural of the operation ids (`listContacts`): `Contacts`. */
  tag: string;
  /** In messages: `contact`; also the mutation payload's field. */
  noun: string;
  /** The abilities' stem: `contacts` (→ `contacts.read`, …). */
  abilities: 'contacts' | 'statuses' | 'sources' | 'groups';
  /** The GraphQL selection of one object, without braces. */
  selection: string;
  /** GraphQL object → REST object; default: snake_case keys. */
  shape?: Shape;
  /** The REST object, for the OpenAPI document. */
  response: z.ZodType;
  createBody: z.ZodType;
  updateBody: z.ZodType;
  /** Filters of the list beyond `page`/`per_page`, with their GraphQL variables. */
  listFilters?: {
    query: z.ZodObject;
    /** The variable definitions and the connection's arguments, e.g. `$filter: ContactFilter`. */
    definitions: string;
    arguments: string;
    variables(query: Record<string, unknown>): Record<string, unknown>;
  };
  descriptions?: Partial<Record<'list' | 'create' | 'get' | 'update' | 'delete', string>>;
}

export function crudRoutes(spec: CrudSpec): RestRoute[] {
  const { typename, tag, noun, selection } = spec;
  const field = spec.path.slice(1);
  const ability = (verb: 'create' | 'read' | 'update' | 'delete') =>
    [`${spec.abilities}.${verb}` as Ability] as const;
  const shape = spec.shape;
  const idParams = idParamsOf(typename);
  const filters = spec.listFilters;
  const listQuery = filters ? pageQuery.extend(filters.query.shape) : pageQuery;
  const payload = (data: Record<string, unknown>, mutation: string) =>
    (data[mutation] as Record<string, unknown> | null)?.[noun] as Record<string, unknown> | null;
  const update = (method: 'PUT' | 'PATCH'): RestRoute => {
    const operationId = `${method === 'PUT' ? 'update' : 'patch'}${typename}`;
    return {
      method,
      path: `${spec.path}/{id}`,
      operationId,
      tag,
      summary: `Update a ${noun}`,
      description:
        (spec.descriptions?.update ? `${spec.descriptions.update} ` : '') +
        `PUT and PATCH are the same: only the fields sent change; null clears an optional one.`,
      abilities: ability('update'),
      params: idParams,
      body: spec.updateBody,
      document: `mutation ${operationId}($input: Update${typename}Input!) { update${typename}(input: $input) { ${noun} { ${selection} } } }`,
      variables: ({ params, body }) => ({ input: { ...camelKeys(body), id: params.id } }),
      respond: (data, { params }) =>
        objectResult(payload(data, `update${typename}`), { name: noun, id: params.id }, shape),
      status: 200,
      response: spec.response,
    };
  };
  return [
    {
      method: 'GET',
      path: spec.path,
      operationId: `list${tag}`,
      tag,
      summary: `List ${field}`,
      description: spec.descriptions?.list,
      abilities: ability('read'),
      query: listQuery,
      document:
        `query list${tag}($first: Int!, $offset: Int!${filters ? `, ${filters.definitions}` : ''}) ` +
        `{ ${field}(first: $first, offset: $offset${filters ? `, ${filters.arguments}` : ''}) ` +
        `{ totalCount edges { node { ${selection} } } } }`,
      variables: ({ query }) => ({ ...pageVariables(query), ...filters?.variables(query) }),
      respond: (data, { query }) => listResult(data[field] as ConnectionData, query, shape),
      status: 200,
      response: spec.response,
      list: true,
    },
    {
      method: 'POST',
      path: spec.path,
      operationId: `create${typename}`,
      tag,
      summary: `Create a ${noun}`,
      description: spec.descriptions?.create,
      abilities: ability('create'),
      body: spec.createBody,
      document: `mutation create${typename}($input: Create${typename}Input!) { create${typename}(input: $input) { ${noun} { ${selection} } } }`,
      variables: ({ body }) => ({ input: camelKeys(body) }),
      respond: (data) => objectResult(payload(data, `create${typename}`), { name: noun }, shape),
      status: 201,
      response: spec.response,
    },
    {
      method: 'GET',
      path: `${spec.path}/{id}`,
      operationId: `get${typename}`,
      tag,
      summary: `Get a ${noun}`,
      description:
        spec.descriptions?.get ?? `404 NOT_FOUND when the tenant has no ${noun} with this id.`,
      abilities: ability('read'),
      params: idParams,
      document: `query get${typename}($id: ID!) { node(id: $id) { __typename ... on ${typename} { ${selection} } } }`,
      variables: ({ params }) => ({ id: params.id }),
      respond: (data, { params }) =>
        objectResult(
          data.node as Record<string, unknown> | null,
          { name: noun, typename, id: params.id },
          shape,
        ),
      status: 200,
      response: spec.response,
    },
    update('PUT'),
    update('PATCH'),
    {
      method: 'DELETE',
      path: `${spec.path}/{id}`,
      operationId: `delete${typename}`,
      tag,
      summary: `Delete a ${noun}`,
      description: spec.descriptions?.delete,
      abilities: ability('delete'),
      params: idParams,
      document: `mutation delete${typename}($input: Delete${typename}Input!) { delete${typename}(input: $input) { deleted${typename}Id } }`,
      variables: ({ params }) => ({ input: { id: params.id } }),
      respond: (data) =>
        deletedResult(
          String((data[`delete${typename}`] as Record<string, unknown>)[`deleted${typename}Id`]),
        ),
      status: 200,
      response: deletedResponse,
    },
  ];
}

/** A body field that may be sent as null to clear it. */
export const clearable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();
