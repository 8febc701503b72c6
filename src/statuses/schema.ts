import { z } from 'zod';
import { builder } from '../builder.js';
import { OFFSET_DESCRIPTION } from '../db/connection.js';
import { readableWith } from '../auth/type-scopes.js';
import { notFound, uniqueName } from '../errors.js';
import { decodeIdOf } from '../ids.js';
import { parseInput } from '../validation.js';
import type { Status } from '../db/types.js';
import * as repo from './repo.js';
import { primeKey } from '../db/partial.js';

/** A contact's lifecycle stage in the tenant's pipeline (e.g. "New lead", "Won"). */
export const StatusNode = builder.loadableNode('Status', {
  description:
    'A stage a contact can be in, such as "New lead" or "Customer". Needs `statuses.read`.',
  authScopes: readableWith('statuses.read'),
  id: { resolve: (status: Status) => status.id },
  load: (ids: string[], context) => repo.findStatusesByIds(context.db, context.tenant.id, ids),
  sort: (status) => status.id,
  // A status a page of contacts read with some columns only is not primed as the whole row.
  cacheResolved: primeKey,
  fields: (t) => ({
    name: t.exposeString('name'),
    color: t.exposeString('color', { description: 'A CSS hex colour, `#rrggbb`.' }),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

/** Status pages, as every connection of Status nodes returns them. */
export const StatusConnection = builder.connectionObject(
  { type: StatusNode, name: 'StatusConnection' },
  { name: 'StatusEdge' },
);

builder.queryField('statuses', (t) =>
  t.connection(
    {
      type: StatusNode,
      description: "The tenant's statuses, by name.",
      authScopes: { ability: 'statuses.read' },
      args: { offset: t.arg.int({ description: OFFSET_DESCRIPTION }) },
      resolve: (_root, args, context) => repo.listStatuses(context.db, context.tenant.id, args),
    },
    StatusConnection,
  ),
);

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');
const color = z
  .string()
  .trim()
  .regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'must be a hex colour such as #22c55e')
  .transform((hex) => normaliseHex(hex));

function normaliseHex(hex: string): string {
  const digits = hex.slice(1).toLowerCase();
  return `#${digits.length === 3 ? [...digits].map((d) => d + d).join('') : digits}`;
}

const guardName = <T>(write: Promise<T>, name: string | undefined) =>
  uniqueName(write, 'statuses_tenant_name', 'status', name);

/**
 * A mutation's payload shows the status it wrote even to a token without `statuses.read`: the
 * mutation field grants `mutationResult`, which the Status type accepts one level below it.
 */
const payload = (t: any) => ({
  status: t.field({
    type: StatusNode,
    nullable: true,
    resolve: (result: { status: Status }) => result.status,
  }),
});

builder.relayMutationField(
  'createStatus',
  {
    inputFields: (t) => ({
      name: t.string({ required: true }),
      color: t.string({ required: true, description: 'Hex colour, `#rgb` or `#rrggbb`.' }),
    }),
  },
  {
    authScopes: { ability: 'statuses.create' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const values = parseInput(z.object({ name, color }), input);
      const status = await guardName(
        repo.createStatus(context.db, context.tenant.id, values),
        values.name,
      );
      return { status };
    },
  },
  { outputFields: payload },
);

builder.relayMutationField(
  'updateStatus',
  {
    inputFields: (t) => ({
      id: t.id({ required: true }),
      name: t.string(),
      color: t.string(),
    }),
  },
  {
    authScopes: { ability: 'statuses.update' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('Status', String(input.id));
      const patch = parseInput(z.object({ name: name.optional(), color: color.optional() }), {
        name: input.name ?? undefined,
        color: input.color ?? undefined,
      });
      const status = await guardName(
        repo.updateStatus(context.db, context.tenant.id, id, patch),
        patch.name,
      );
      if (!status) throw notFound('status', String(input.id));
      return { status };
    },
  },
  { outputFields: payload },
);

builder.relayMutationField(
  'deleteStatus',
  { inputFields: (t) => ({ id: t.id({ required: true }) }) },
  {
    authScopes: { ability: 'statuses.delete' },
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('Status', String(input.id));
      const status = await repo.deleteStatus(context.db, context.tenant.id, id);
      if (!status) throw notFound('status', String(input.id));
      return { deletedStatusId: String(input.id) };
    },
  },
  {
    outputFields: (t) => ({
      deletedStatusId: t.id({ resolve: (result) => result.deletedStatusId }),
    }),
  },
);
