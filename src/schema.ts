import { type GraphQLSchema, isObjectType, lexicographicSortSchema } from 'graphql';
import { encodeId } from './ids.js';
import { builder } from './builder.js';
import './common/schema.js';
import './tenants/schema.js';
import './api-tokens/schema.js';
import './statuses/schema.js';
import './sources/schema.js';
import './groups/schema.js';
import './contacts/schema.js';
import './templates/schema.js';
import './message-bots/schema.js';
import './template-bots/schema.js';
import './whatsapp/schema.js';
import './messages/schema.js';
import './messages/send.js';
import './messages/subscription.js';

/** The whole API, sorted so that the printed SDL diffs cleanly. */
export const schema = withSyncNodeIds(lexicographicSortSchema(builder.toSchema()));

/**
 * The same API without scope-auth's wrappers (the same types, fields and resolvers, none of the
 * scope checks): only for operations the caller's abilities fully grant, decided beforehand
 * (src/auth/verdict.ts, src/compiled-execution.ts). test/verdict.test.ts checks it prints the same.
 */
export const unguardedSchema = withSyncNodeIds(
  lexicographicSortSchema(builder.toSchema({ disableScopeAuth: true })),
);

/**
 * Pothos' relay plugin resolves every Node's `id` through an `async` function, so every object
 * with an `id` in the response completed asynchronously: for a page of 100 contacts, 100 promises
 * and the executor's slow path for each. The id is computed here the same way (the type's own
 * `id.resolve`, encoded as the builder's `encodeGlobalID` does), without a promise. No plugin wraps
 * these fields (they have no scopes of their own; a type's scopes run in its isTypeOf), so
 * nothing else changes; test/schema-ids.test.ts checks each Node type.
 */
function withSyncNodeIds(built: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(built.getTypeMap())) {
    if (!isObjectType(type) || !type.getInterfaces().some((i) => i.name === 'Node')) continue;
    const rawId = (type.extensions.pothosOptions as { id?: { resolve?: unknown } } | undefined)?.id
      ?.resolve;
    const field = type.getFields().id;
    if (!field || typeof rawId !== 'function') continue;
    const name = type.name;
    const original = field.resolve!;
    field.resolve = (parent, args, context, info) => {
      const raw: unknown = rawId(parent, args, context, info);
      // An id that is itself a promise keeps the plugin's path.
      if (raw && typeof (raw as PromiseLike<unknown>).then === 'function') {
        return original(parent, args, context, info);
      }
      return encodeId(name, String(raw));
    };
  }
  return built;
}
