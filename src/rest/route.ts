import type { z } from 'zod';
import type { Ability } from '../auth/abilities.js';

/**
 * One route of the REST face (API.md "The REST face"). A route owns no rule of its own: it turns
 * the HTTP request into the variables of one GraphQL operation of our schema, runs that operation
 * through the same yoga pipeline as any GraphQL request (authentication, abilities, limits, cost,
 * metrics, logs), and turns the result into the REST shape. The OpenAPI document is generated from
 * this table, so what is served and what is documented cannot drift apart.
 */
export interface RestRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below `/api/v1/{tenant}`, OpenAPI style: `/contacts/{id}`. */
  path: string;
  /** OpenAPI `operationId`, also the GraphQL operation's name: `listContacts`. */
  operationId: string;
  /** OpenAPI tag: the resource, e.g. `Contacts`. */
  tag: string;
  summary: string;
  description?: string;
  /** The abilities of which the caller needs any one (documented per route; enforced by the schema). */
  abilities: readonly Ability[];
  /** Path parameters (`id`), validated; a bad one is 422 (a malformed id) or 404. */
  params?: z.ZodObject;
  /** Query string, validated and coerced (`page`, `per_page`, filters). */
  query?: z.ZodObject;
  /** JSON body, validated (snake_case fields). Absent: the route takes no body. */
  body?: z.ZodType;
  /** The GraphQL document: exactly one operation, named `operationId`. */
  document: string;
  /** GraphQL variables from the validated parameters, query, body and headers. */
  variables(input: RestInput): Record<string, unknown>;
  /** The REST answer from the operation's `data` (already free of errors that fail the request). */
  respond(data: Record<string, unknown>, input: RestInput): RestResult;
  /** Success status: 200, 201 (create), 202 (a queued send), 204 (delete, no body). */
  status: 200 | 201 | 202 | 204;
  /** The response's `data` item, for the OpenAPI document (a list route: one element). */
  response?: z.ZodType;
  /**
   * GraphQL input fields whose REST name is not their snake_case (`to.phone` → `phone_number`), for
   * the field a 422 names; paths without the leading `input.`. See src/rest/errors.ts `restField`.
   */
  errorFields?: Readonly<Record<string, string>>;
  /** A list route answers `{ data: [...], meta: { current_page, per_page, total, last_page } }`. */
  list?: boolean;
}

export interface RestInput {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  headers: Headers;
}

export type RestResult =
  | { kind: 'object'; data: Record<string, unknown> }
  | { kind: 'list'; data: Record<string, unknown>[]; meta: PageMeta }
  | { kind: 'empty' }
  /** The operation answered null where an object was asked: 404 NOT_FOUND. */
  | { kind: 'not-found'; message: string };

export interface PageMeta {
  current_page: number;
  per_page: number;
  total: number;
  last_page: number;
}
