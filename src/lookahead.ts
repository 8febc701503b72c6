import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';

/**
 * The names of the fields the operation selects at `path` below the field being resolved, under
 * any alias, through fragments, honouring `@skip`/`@include`. For a connection,
 * `selectedFields(info, ['edges', 'node'])` tells which fields of its nodes are asked for, so the
 * resolver can fetch their relations in the same statement. Never throws: unreadable selections
 * count as none (the fields then load as they would anyway).
 */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  let level: ResolveTree[];
  try {
    const root = parseResolveInfo(info) as ResolveTree | null | undefined;
    level = root ? [root] : [];
  } catch {
    return new Set();
  }
  for (const name of path) level = children(level).filter((field) => field.name === name);
  return new Set(children(level).map((field) => field.name));
}

function children(trees: ResolveTree[]): ResolveTree[] {
  return trees.flatMap((tree) =>
    Object.values(tree.fieldsByTypeName).flatMap((fields) => Object.values(fields)),
  );
}
