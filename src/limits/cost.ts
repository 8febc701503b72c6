import {
  type ASTNode,
  type DocumentNode,
  getNamedType,
  GraphQLError,
  type GraphQLSchema,
  isLeafType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  visit,
} from 'graphql';
import { type ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import { DEFAULT_PAGE_SIZE, getMaxPageSize } from '../db/connection.js';

/**
 * The cost of an operation, computed before it runs from the document and its variables, in the
 * manner of Shopify's GraphQL Admin API:
 * - a field returning an object (or a list of objects) costs 1, plus what is selected in it;
 * - a scalar or enum field costs 0, and so do `pageInfo` and introspection (`__schema`, `__type`);
 * - a connection costs 1 plus its selection times the page size asked for (`first` or `last`,
 *   default 20, counted at most 100 as pages are);
 * - a connection's `nodes` costs what `edges { node }` with the same selection costs;
 * - `nodes(ids:)` costs 1 plus its selection for each id;
 * - fragments on an interface or union count their costliest type; `@skip`/`@include` are honoured.
 * E.g. `statuses(first: 10) { edges { node { name } } }` costs 1 + 10 × (1 + 1) = 21.
 */
export const estimateFieldCost: ComplexityEstimator = ({
  type: parent,
  field,
  args,
  childComplexity,
}) => {
  if (field.name.startsWith('__')) return 0;
  // A connection's `nodes` costs what the same selection in `edges { node { … } }` does.
  if (field.name === 'nodes' && parent.name.endsWith('Connection')) return 2 + childComplexity;
  const type = getNamedType(field.type);
  if (isLeafType(type) || type.name === 'PageInfo') return 0;
  const isConnection =
    type.name.endsWith('Connection') && field.args.some((arg) => arg.name === 'first');
  if (isConnection) {
    const asked = (args.last ?? args.first ?? DEFAULT_PAGE_SIZE) as number;
    return 1 + Math.min(Math.max(asked, 0), getMaxPageSize()) * childComplexity;
  }
  if (Array.isArray(args.ids)) return args.ids.length * (1 + childComplexity);
  return 1 + childComplexity;
};

/** Work a single operation may describe before its cost is not even computed. */
const MAX_QUERY_NODES = 10_000;

export type CostResult =
  | { ok: true; cost: number }
  /** The document cannot be costed: too large, or variables execution will refuse anyway. */
  | { ok: false; tooLarge: boolean; error: GraphQLError };

/**
 * Costs already computed, by document (yoga's parser cache hands out the same DocumentNode for
 * the same text) and then by operation name and the values of the variables a cost can depend on
 * (`costVariables`): a client repeating a query is costed once, and so is a mutation sent with
 * new input each time. At most COSTS_PER_DOCUMENT keys are kept per document (cursors vary).
 */
const costs = new WeakMap<DocumentNode, { variables: string[]; known: Map<string, CostResult> }>();
const COSTS_PER_DOCUMENT = 100;

/** The cost of the operation `operationName` (or the only one) of a validated document. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
): CostResult {
  let cached = costs.get(document);
  if (!cached)
    costs.set(document, (cached = { variables: costVariables(document), known: new Map() }));
  let key: string;
  try {
    key = `${operationName ?? ''} ${JSON.stringify(cached.variables.map((name) => variables?.[name]))}`;
  } catch {
    // Variables too deep to serialise: not cached (execution refuses them anyway).
    return computeCost(schema, document, variables, operationName);
  }
  let result = cached.known.get(key);
  if (!result) {
    result = computeCost(schema, document, variables, operationName);
    if (cached.known.size >= COSTS_PER_DOCUMENT) cached.known.clear();
    cached.known.set(key, result);
  }
  return result;
}

/**
 * The variables a cost can depend on: those given to `first`, `last` or `ids` (page sizes and
 * `nodes(ids:)`, `estimateFieldCost`) and to directives (`@skip`/`@include`). Any other variable
 * changes what runs, not what it costs. Those that do not fit their type are refused by execution
 * whatever the cost said.
 */
function costVariables(document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (node: ASTNode) =>
    visit(node, {
      Variable(variable) {
        names.add(variable.name.value);
      },
    });
  visit(document, {
    Directive(directive) {
      for (const argument of directive.arguments ?? []) collect(argument.value);
    },
    Field(field) {
      for (const argument of field.arguments ?? []) {
        if (COST_ARGUMENTS.has(argument.name.value)) collect(argument.value);
      }
    },
  });
  return [...names].sort();
}

const COST_ARGUMENTS = new Set(['first', 'last', 'ids']);

function computeCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
): CostResult {
  try {
    const cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [estimateFieldCost],
      maxQueryNodes: MAX_QUERY_NODES,
    });
    return { ok: true, cost };
  } catch (error) {
    const tooLarge = /maximum allowed number of nodes/.test((error as Error).message);
    return { ok: false, tooLarge, error: error as GraphQLError };
  }
}

/** The mutations that send a message; each one counts against the tenant's messages per second. */
export const SEND_MUTATIONS: ReadonlySet<string> = new Set([
  'sendTextMessage',
  'sendMediaMessage',
  'sendTemplateMessage',
]);

/**
 * How many messages a mutation asks to send: its root fields that are send mutations, one per
 * response key (aliases count apart, fragments are followed). `@skip`/`@include` are not
 * evaluated: a skipped send still counts, erring high.
 */
export function countSends(document: DocumentNode, operation: OperationDefinitionNode): number {
  if (operation.operation !== 'mutation') return 0;
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [],
    ),
  );
  const keys = new Set<string>();
  const visited = new Set<string>();
  const collect = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (SEND_MUTATIONS.has(selection.name.value)) {
          keys.add(selection.alias?.value ?? selection.name.value);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return keys.size;
}
