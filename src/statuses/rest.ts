import { z } from 'zod';
import { crudRoutes } from '../rest/crud.js';
import { globalId, timestamp } from '../rest/params.js';
import type { RestRoute } from '../rest/route.js';

/** Statuses over REST (API.md "The REST face"): `/statuses`, `/statuses/{id}`. */

const color = z.string().describe('Hex colour, `#rgb` or `#rrggbb`.');

export const statusRoutes: RestRoute[] = crudRoutes({
  typename: 'Status',
  path: '/statuses',
  tag: 'Statuses',
  noun: 'status',
  abilities: 'statuses',
  selection: 'id name color createdAt updatedAt',
  response: z.object({
    id: globalId,
    name: z.string(),
    color: z.string().describe('`#rrggbb`.'),
    created_at: timestamp,
    updated_at: timestamp,
  }),
  createBody: z.object({ name: z.string(), color }),
  updateBody: z.object({ name: z.string().optional(), color: color.optional() }),
  descriptions: {
    list: 'By name.',
    create: 'The name must be new to the tenant, in any case (409 CONFLICT otherwise).',
  },
});
