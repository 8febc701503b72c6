import { isEnumType } from 'graphql';
import { z } from 'zod';
import { schema } from '../schema.js';

/**
 * Query-string filters of the list routes, built from the GraphQL schema so that a REST filter
 * accepts and documents exactly what the GraphQL filter argument does.
 */

/**
 * A zod enum of a GraphQL enum's values, read from the built schema. Throws at start-up when the
 * schema has no such enum, so a renamed type fails loudly rather than documenting nothing.
 */
export function graphqlEnum(name: string) {
  const type = schema.getType(name);
  if (!isEnumType(type)) throw new Error(`The schema has no enum ${name}.`);
  return z.enum(type.getValues().map((value) => value.name) as [string, ...string[]]);
}

/** A GraphQL enum as a query parameter: `status=approved` and `status=APPROVED` are the same. */
export function enumQuery(name: string) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? value.toUpperCase() : value),
    graphqlEnum(name),
  );
}

/** `true` or `false` in a query string, as a boolean. */
export const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');
