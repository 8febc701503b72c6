import { z } from 'zod';
import { builder } from '../builder.js';
import { OFFSET_DESCRIPTION } from '../db/connection.js';
import { readableWith } from '../auth/type-scopes.js';
import { notFound, uniqueName } from '../errors.js';
import { decodeIdOf } from '../ids.js';
import { parseInput } from '../validation.js';
import type { Source } from '../db/types.js';
import * as repo from './repo.js';
import { primeKey } from '../db/partial.js';

/** Where a contact came from (e.g. "Website form", "Trade fair"). */
export const SourceNode = builder.loadableNode('Source', {
  description: 'Where a contact came from, such as "Website" or "Referral". Needs `sources.read`.',
  authScopes: readableWith('sources.read'),
  id: { resolve: (source: Source) => source.id },
  load: (ids: string[], context) => repo.findSourcesByIds(context.db, context.tenant.id, ids),
  sort: (source) => source.id,
  // A source a page of contacts read with some columns only is not primed as the whole row.
  cacheResolved: primeKey,
  fields: (t) => ({
    name: t.exposeString('name'),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    updatedAt: t.expose('updated_at', { type: 'DateTime' }),
  }),
});

/** Source pages, as every connection of Source nodes returns them. */
export const SourceConnection = builder.connectionObject(
  { type: SourceNode, name: 'SourceConnection' },
  { name: 'SourceEdge' },
);

builder.queryField('sources', (t) =>
  t.connection(
    {
      type: SourceNode,
      description: "The tenant's sources, by name.",
      authScopes: { ability: 'sources.read' },
      args: { offset: t.arg.int({ description: OFFSET_DESCRIPTION }) },
      resolve: (_root, args, context) => repo.listSources(context.db, context.tenant.id, args),
    },
    SourceConnection,
  ),
);

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

const guardName = <T>(write: Promise<T>, name: string | undefined) =>
  uniqueName(write, 'sources_tenant_name', 'source', name);

/** The payload shows the source it wrote even without `sources.read` (see StatusNode). */
const payload = (t: any) => ({
  source: t.field({
    type: SourceNode,
    nullable: true,
    resolve: (result: { source: Source }) => result.source,
  }),
});

builder.relayMutationField(
  'createSource',
  { inputFields: (t) => ({ name: t.string({ required: true }) }) },
  {
    authScopes: { ability: 'sources.create' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const values = parseInput(z.object({ name }), input);
      const source = await guardName(
        repo.createSource(context.db, context.tenant.id, values),
        values.name,
      );
      return { source };
    },
  },
  { outputFields: payload },
);

builder.relayMutationField(
  'updateSource',
  { inputFields: (t) => ({ id: t.id({ required: true }), name: t.string() }) },
  {
    authScopes: { ability: 'sources.update' },
    grantScopes: ['mutationResult'],
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('Source', String(input.id));
      const patch = parseInput(z.object({ name: name.optional() }), {
        name: input.name ?? undefined,
      });
      const source = await guardName(
        repo.updateSource(context.db, context.tenant.id, id, patch),
        patch.name,
      );
      if (!source) throw notFound('source', String(input.id));
      return { source };
    },
  },
  { outputFields: payload },
);

builder.relayMutationField(
  'deleteSource',
  { inputFields: (t) => ({ id: t.id({ required: true }) }) },
  {
    description: 'Deletes a source. Its contacts stay, with no source.',
    authScopes: { ability: 'sources.delete' },
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('Source', String(input.id));
      const source = await repo.deleteSource(context.db, context.tenant.id, id);
      if (!source) throw notFound('source', String(input.id));
      return { deletedSourceId: String(input.id) };
    },
  },
  {
    outputFields: (t) => ({
      deletedSourceId: t.id({ resolve: (result) => result.deletedSourceId }),
    }),
  },
);
