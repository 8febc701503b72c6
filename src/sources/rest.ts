import { z } from 'zod';
import { crudRoutes } from '../rest/crud.js';
import { globalId, timestamp } from '../rest/params.js';
import type { RestRoute } from '../rest/route.js';

/** Sources over REST (API.md "The REST face"): `/sources`, `/sources/{id}`. */

export const sourceRoutes: RestRoute[] = crudRoutes({
  typename: 'Source',
  path: '/sources',
  tag: 'Sources',
  noun: 'source',
  abilities: 'sources',
  selection: 'id name createdAt updatedAt',
  response: z.object({
    id: globalId,
    name: z.string(),
    created_at: timestamp,
    updated_at: timestamp,
  }),
  createBody: z.object({ name: z.string() }),
  updateBody: z.object({ name: z.string().optional() }),
  descriptions: {
    list: 'By name.',
    create: 'The name must be new to the tenant, in any case (409 CONFLICT otherwise).',
  },
});
