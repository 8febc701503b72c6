import { type ASTNode, type GraphQLResolveInfo, visit } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';
import { type PageNeeds, WHOLE_PAGE } from './db/connection.js';

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

/** Where a connection selects its nodes: `edges { node }`, or the `nodes` shortcut. */
const NODE_PATHS: readonly (readonly string[])[] = [['edges', 'node'], ['nodes']];

/**
 * The fields selected on the nodes of the connection being resolved, through `edges { node }`
 * and `nodes` alike, so the resolver can fetch their columns and relations in one statement.
 */
export function selectedNodeSubfields(info: GraphQLResolveInfo): Map<string, Set<string>> {
  return nodeSubfieldsOf(parse(info));
}

/** `selectedNodeSubfields` of a connection selected below (e.g. from `selectedNodeTrees`). */
export function nodeSubfieldsOf(trees: ResolveTree[]): Map<string, Set<string>> {
  const merged = new Map<string, Set<string>>();
  for (const path of NODE_PATHS) {
    for (const [name, below] of subfieldsOf(trees, path)) {
      const known = merged.get(name);
      if (known) for (const child of below) known.add(child);
      else merged.set(name, below);
    }
  }
  return merged;
}

/** What the connection being resolved asks of its page besides its nodes (`PageNeeds`). */
export function selectedPageNeeds(info: GraphQLResolveInfo): PageNeeds {
  return pageNeedsOf(parse(info));
}

/**
 * `selectedPageNeeds` of a connection selected below (e.g. from `selectedNodeTrees`); the whole
 * page when the selection could not be read.
 */
export function pageNeedsOf(trees: ResolveTree[]): PageNeeds {
  if (trees.length === 0) return WHOLE_PAGE;
  // Once per parsed selection (`parse` keeps them per field of a document).
  const key = trees.length === 1 ? trees[0]! : trees;
  let needs = pageNeeds.get(key);
  if (needs) return needs;
  const edges = subfieldsOf(trees, ['edges']);
  const pageInfo = subfieldsOf(trees, ['pageInfo']);
  needs = {
    cursors: edges.has('cursor') || pageInfo.has('startCursor') || pageInfo.has('endCursor'),
    more: pageInfo.has('hasNextPage') || pageInfo.has('hasPreviousPage'),
  };
  pageNeeds.set(key, needs);
  return needs;
}

const pageNeeds = new WeakMap<object, PageNeeds>();

/** The selections of the field `name` on the nodes of the connection being resolved. */
export function selectedNodeTrees(info: GraphQLResolveInfo, name: string): ResolveTree[] {
  return NODE_PATHS.flatMap((path) => selectedTrees(info, [...path, name]));
}

/**
 * The selections of the fields at `path` below the field being resolved (one per alias), each
 * with its arguments, variables applied: what a resolver may read ahead for a field below it.
 */
function selectedTrees(info: GraphQLResolveInfo, path: readonly string[]): ResolveTree[] {
  let level = parse(info, true);
  for (const name of path) level = children(level).filter((field) => field.name === name);
  return level;
}

/**
 * The fields selected at `path` below the given selections, under any alias, through fragments,
 * honouring `@skip`/`@include`, each with its own selected subfields by name (empty for a leaf).
 */
function subfieldsOf(trees: ResolveTree[], path: readonly string[]): Map<string, Set<string>> {
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
