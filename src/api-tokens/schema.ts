import { z } from 'zod';
import { builder } from '../builder.js';
import { isAbilityGrant } from '../auth/abilities.js';
import type { ApiToken } from '../db/types.js';
import { notFound } from '../errors.js';
import { decodeIdOf } from '../ids.js';
import { parseInput } from '../validation.js';
import * as repo from './repo.js';

export const ApiTokenNode = builder.loadableNode('ApiToken', {
  description: 'An API token. Its secret is shown once, by createApiToken, and never again.',
  authScopes: { admin: true },
  id: { resolve: (token: ApiToken) => token.id },
  load: (ids: string[], context) => repo.findApiTokensByIds(context.db, context.tenant.id, ids),
  toKey: (token) => token.id,
  sort: true,
  cacheResolved: true,
  fields: (t) => ({
    name: t.exposeString('name'),
    hint: t.exposeString('token_hint', { description: 'The first characters of the token.' }),
    abilities: t.exposeStringList('abilities'),
    createdAt: t.expose('created_at', { type: 'DateTime' }),
    lastUsedAt: t.expose('last_used_at', {
      type: 'DateTime',
      nullable: true,
      description: 'Updated at most once a minute.',
    }),
    expiresAt: t.expose('expires_at', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revoked_at', { type: 'DateTime', nullable: true }),
    active: t.boolean({
      description: 'Neither revoked nor expired.',
      resolve: (token) =>
        !token.revoked_at && !(token.expires_at && token.expires_at <= new Date()),
    }),
  }),
});

/** ApiToken pages, as every connection of ApiToken nodes returns them. */
export const ApiTokenConnection = builder.connectionObject(
  { type: ApiTokenNode, name: 'ApiTokenConnection' },
  { name: 'ApiTokenEdge' },
);

builder.queryField('apiTokens', (t) =>
  t.connection(
    {
      type: ApiTokenNode,
      description: "The tenant's API tokens, newest first. Admin key only.",
      authScopes: { admin: true },
      resolve: (_root, args, context) => repo.listApiTokens(context.db, context.tenant.id, args),
    },
    ApiTokenConnection,
  ),
);

const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');
const abilities = z
  .array(z.string())
  .min(1, 'must name at least one ability')
  .refine((list) => list.every(isAbilityGrant), {
    message: 'contains an unknown ability; see Query.abilityCategories',
  })
  .transform((list) => [...new Set(list)].sort());
const expiresAt = z
  .date()
  .refine((date) => date.getTime() > Date.now(), 'must be in the future')
  .nullable();

builder.relayMutationField(
  'createApiToken',
  {
    inputFields: (t) => ({
      name: t.string({ required: true }),
      abilities: t.stringList({ required: true, description: 'Ability strings, or `*` for all.' }),
      expiresAt: t.field({
        type: 'DateTime',
        description: 'Omit for a token that does not expire.',
      }),
    }),
  },
  {
    description: 'Creates an API token. Admin key only. The secret is in this response only.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, context) => {
      const values = parseInput(z.object({ name, abilities, expiresAt }), {
        ...input,
        expiresAt: input.expiresAt ?? null,
      });
      return repo.createApiToken(context.db, context.tenant.id, values);
    },
  },
  {
    outputFields: (t) => ({
      apiToken: t.field({ type: ApiTokenNode, nullable: true, resolve: (r) => r.apiToken }),
      token: t.string({
        description: 'The secret, for `Authorization: Bearer <token>`. Shown this once only.',
        resolve: (r) => r.plaintext,
      }),
    }),
  },
);

builder.relayMutationField(
  'updateApiToken',
  {
    inputFields: (t) => ({
      id: t.id({ required: true }),
      name: t.string(),
      abilities: t.stringList(),
      expiresAt: t.field({ type: 'DateTime', description: 'null removes the expiry.' }),
    }),
  },
  {
    description: "Changes a token's name, abilities or expiry; in force from the next request.",
    authScopes: { admin: true },
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('ApiToken', String(input.id));
      const patch = parseInput(
        z.object({
          name: name.optional(),
          abilities: abilities.optional(),
          expiresAt: expiresAt.optional(),
        }),
        {
          name: input.name ?? undefined,
          abilities: input.abilities ?? undefined,
          expiresAt: input.expiresAt === undefined ? undefined : input.expiresAt,
        },
      );
      const apiToken = await repo.updateApiToken(context.db, context.tenant.id, id, patch);
      context.authCache.forget(context.tenant.id);
      if (!apiToken) throw notFound('API token', String(input.id));
      return { apiToken };
    },
  },
  {
    outputFields: (t) => ({
      apiToken: t.field({ type: ApiTokenNode, nullable: true, resolve: (r) => r.apiToken }),
    }),
  },
);

builder.relayMutationField(
  'revokeApiToken',
  { inputFields: (t) => ({ id: t.id({ required: true }) }) },
  {
    description: 'Revokes a token: its next request is UNAUTHENTICATED. Admin key only.',
    authScopes: { admin: true },
    resolve: async (_root, { input }, context) => {
      const id = decodeIdOf('ApiToken', String(input.id));
      const apiToken = await repo.revokeApiToken(context.db, context.tenant.id, id);
      context.authCache.forget(context.tenant.id);
      if (!apiToken) throw notFound('API token', String(input.id));
      return { apiToken };
    },
  },
  {
    outputFields: (t) => ({
      apiToken: t.field({ type: ApiTokenNode, nullable: true, resolve: (r) => r.apiToken }),
    }),
  },
);
