import { z } from 'zod';
import { decodeId } from '../ids.js';

/**
 * Zod pieces the REST routes share. Each one is also documentation: the OpenAPI document is
 * generated from them (`z.toJSONSchema`), so descriptions here are what integrators read.
 */

/** A global id, exactly as GraphQL issues it (a REST id works in `node(id:)` and back). */
export const globalId = z
  .string()
  .min(1)
  .max(200)
  .describe('A global id, the same as GraphQL’s `id` (works in `node(id:)`).');

/** `{id}` in a route's path. A malformed id is 422; a well-formed one of nothing here, 404. */
export const idParams = z.object({ id: globalId });

/** `{id}` naming a `typename`: an id of another type (or none) is 422, as in GraphQL. */
export function idParamsOf(typename: string) {
  return z.object({
    id: globalId.refine((id) => {
      try {
        return decodeId(id).typename === typename;
      } catch {
        return false;
      }
    }, `must be a ${typename} id`),
  });
}

/**
 * `page` and `per_page` of a list route (Laravel's paginator). A server configured with a smaller
 * MAX_PAGE_SIZE refuses a larger `per_page` from GraphQL's `first` (422 naming `per_page`).
 */
export const pageQuery = z.object({
  page: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_001)
    .default(1)
    .describe('The page, from 1. `(page - 1) * per_page` may be at most 10000.'),
  per_page: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(20)
    .describe('Items per page, 1 to 100.'),
});

export type PageQuery = z.output<typeof pageQuery>;

/** `{ "data": { "id", "deleted": true } }`, the answer of every DELETE of one object. */
export const deletedResponse = z.object({
  id: globalId,
  deleted: z.literal(true),
});

/** Timestamps as GraphQL's `DateTime`: ISO 8601, UTC. */
export const timestamp = z.iso.datetime().describe('ISO 8601, UTC.');
