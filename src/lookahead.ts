import { type ASTNode, type GraphQLResolveInfo, visit } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';

/**
 * The parsed selection of the field being resolved, once per field of a document (and, when its
 * directives read variables, per execution): the items of a list resolve the same field with the
 * same `fieldNodes` (a nested connection under each of 20 groups parses its selection once, not
 * 20 times), and so do later executions of the same document.
 */
const parsed = new WeakMap<object, { variables: unknown; trees: ResolveTree[] }>();
const parsedWithArgs = new WeakMap<object, { variables: unknown; trees: ResolveTree[] }>();

/**
 * What a selection may depend on among the variables: all of them when a directive of the
 * operation (`@skip(if: $x)`, `@include(if: $x)`) reads one, else nothing (one constant), so that
 * a selection is parsed once for every execution of the same document.
 */
export function selectionVariables(info: GraphQLResolveInfo): unknown {
  let reads = directiveVariables.get(info.operation);
  if (reads === undefined) {
    reads = [info.operation, ...Object.values(info.fragments ?? {})].some(readsVariable);
    directiveVariables.set(info.operation, reads);
  }
  return reads ? info.variableValues : NO_VARIABLES;
}

const NO_VARIABLES = Symbol('no variables');
const directiveVariables = new WeakMap<object, boolean>();

function readsVariable(node: ASTNode): boolean {
  let found = false;
  visit(node, {
    Directive(directive) {
      visit(directive, {
        Variable() {
          found = true;
        },
      });
    },
  });
  return found;
}

/**
 * The selection below the field being resolved. Field names depend on the variables only through
 * directives (`selectionVariables`); with `args`, the arguments they carry may depend on any
 * variable, so those trees are parsed again for each execution's variables.
 */
function parse(info: GraphQLResolveInfo, args = false): ResolveTree[] {
  const variables = args ? info.variableValues : selectionVariables(info);
  const cache = args ? parsedWithArgs : parsed;
  const cached = cache.get(info.fieldNodes);
  if (cached && cached.variables === variables) return cached.trees;
  let trees: ResolveTree[];
  try {
    const root = parseResolveInfo(info) as ResolveTree | null | undefined;
    trees = root ? [root] : [];
  } catch {
    trees = [];
  }
  cache.set(info.fieldNodes, { variables, trees });
  return trees;
}

/**
 * The names of the fields the operation selects at `path` below the field being resolved, under
 * any alias, through fragments, honouring `@skip`/`@include`. For a connection,
 * `selectedFields(info, ['edges', 'node'])` tells which fields of its nodes are asked for, so the
 * resolver can fetch their relations in the same statement. Never throws: unreadable selections
 * count as none (the fields then load as they would anyway).
 */
export function selectedFields(info: GraphQLResolveInfo, path: readonly string[]): Set<string> {
  return new Set(selectedSubfields(info, path).keys());
}

/**
 * Like `selectedFields`, with each field's own selected subfields by name (empty for a leaf), as
 * `selectedFields` would give one level further down.
 */
export function selectedSubfields(
  info: GraphQLResolveInfo,
  path: readonly string[],
): Map<string, Set<string>> {
  return subfieldsOf(parse(info), path);
}

/**
 * The selections of the fields at `path` below the field being resolved (one per alias), each
 * with its arguments, variables applied: what a resolver may read ahead for a field below it.
 */
export function selectedTrees(info: GraphQLResolveInfo, path: readonly string[]): ResolveTree[] {
  let level = parse(info, true);
  for (const name of path) level = children(level).filter((field) => field.name === name);
  return level;
}

/** `selectedSubfields` below the given selections (e.g. from `selectedTrees`). */
export function subfieldsOf(
  trees: ResolveTree[],
  path: readonly string[],
): Map<string, Set<string>> {
  let level = trees;
  for (const name of path) level = children(level).filter((field) => field.name === name);
  const fields = new Map<string, Set<string>>();
  for (const field of children(level)) {
    const below = fields.get(field.name) ?? new Set<string>();
    for (const child of children([field])) below.add(child.name);
    fields.set(field.name, below);
  }
  return fields;
}

function children(trees: ResolveTree[]): ResolveTree[] {
  return trees.flatMap((tree) =>
    Object.values(tree.fieldsByTypeName).flatMap((fields) => Object.values(fields)),
  );
}
