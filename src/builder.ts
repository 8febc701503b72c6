import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin, { resolveNodes } from '@pothos/plugin-relay';
import ScopeAuthPlugin, { type AuthFailure, AuthScopeFailureType } from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { type Ability, grants } from './auth/abilities.js';
import { principalAbilities } from './auth/principal.js';
import type { Context } from './context.js';
import { decodeId, encodeId, nodeIdOrNull } from './ids.js';

/**
 * The scopes every rule in the schema is written in:
 * - `ability`: the caller holds that ability (the admin key holds them all);
 * - `anyAbility`: the caller holds at least one of them;
 * - `admin`: the caller used the tenant's admin key.
 */
export interface Scopes {
  ability: Ability;
  anyAbility: readonly Ability[];
  admin: boolean;
}

/** The abilities (or admin key) a failed scope check asked for, for the FORBIDDEN message. */
function missing(failure: AuthFailure): string[] {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      if (failure.scope === 'ability') return [String(failure.parameter)];
      if (failure.scope === 'anyAbility') return (failure.parameter as string[]).map(String);
      if (failure.scope === 'admin') return ['admin key'];
      return [];
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes:
      return failure.failures.flatMap(missing);
    default:
      return [];
  }
}

function forbidden(failure: AuthFailure): GraphQLError {
  const needed = [...new Set(missing(failure))];
  const abilities = needed.filter((n) => n !== 'admin key');
  const message =
    needed.includes('admin key') && abilities.length === 0
      ? "This operation needs the tenant's admin key."
      : `This operation needs the ${abilities.map((a) => `"${a}"`).join(' or ')} ability.`;
  return new GraphQLError(message, {
    extensions: {
      code: 'FORBIDDEN',
      ...(abilities.length > 0 && { requiredAbilities: abilities }),
    },
  });
}

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: Scopes;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: true;
  Connection: { totalCount: () => Promise<number> };
}>({
  // scope-auth first, so that no other plugin's wrapper runs before the check (Pothos guide).
  plugins: [ScopeAuthPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    runScopesOnType: true,
    authScopes: (context) => {
      const held = principalAbilities(context.principal);
      return {
        admin: context.principal.kind === 'admin',
        ability: (ability) => grants(held, ability),
        anyAbility: (abilities) => abilities.some((ability) => grants(held, ability)),
      };
    },
    unauthorizedError: (_parent, _context, _info, result) => forbidden(result.failure),
  },
  // A refusal nulls only the refused field (README "Abilities"), so every place a scope rule can
  // refuse is nullable: each connection field and mutation field, and each connection's `node`
  // (all of their node types have rules). Other fields that can be refused say `nullable: true`
  // themselves; test/refusal-nullability.test.ts walks the schema for any that do not.
  relay: {
    defaultConnectionFieldOptions: { nullable: true },
    relayMutationFieldOptions: { nullable: true },
    clientMutationId: 'optional',
    cursorType: 'String',
    encodeGlobalID: encodeId,
    decodeGlobalID: decodeId,
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: true },
    // GitHub's shortcut for `edges { node }`: the same nodes, nullable as `node` is.
    nodesOnConnection: {
      description: 'The nodes of `edges`, in the same order: a shortcut for `edges { node }`.',
    },
    nodeQueryOptions: {
      nullable: true,
      resolve: async (_root, args, context, info): Promise<unknown> =>
        (await resolveNodes(builder, context, info, [nodeIdOrNull(info, args.id)]))[0],
    },
    nodesQueryOptions: {
      nullable: { list: false, items: true },
      resolve: (_root, args, context, info): Promise<unknown[]> =>
        resolveNodes(
          builder,
          context,
          info,
          args.ids.map((id) => nodeIdOrNull(info, id)),
        ),
    },
  },
});
