import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  getOperationAST,
  GraphQLError,
  type GraphQLSchema,
  locatedError,
  type OperationDefinitionNode,
  visit,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values.js';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import type { Context } from './context.js';
import { grantedByAbilities } from './auth/verdict.js';

/**
 * Queries and mutations the caller's abilities fully grant (src/auth/verdict.ts) run compiled:
 * graphql-jit turns the operation into one function per (document, operation) on the schema built
 * without scope-auth's wrappers, so there is no per-field scope work and none of graphql-js's
 * per-field interpretation. Every other operation runs as before on the guarded schema, where
 * scope-auth refuses field by field: one a rule may refuse, a subscription, variables that do not
 * fit (graphql-js reports them, with its messages), a document graphql-jit cannot compile.
 *
 * Only the executor changes: the same resolvers run in the same order with the same context,
 * and every other plugin's onExecute (cost and rate limits, input text, error codes, masking)
 * sees the same arguments and result.
 */
export function useCompiledExecution(
  unguarded: GraphQLSchema,
  options: { enabled: boolean; onCompiled?: () => void },
): Plugin {
  if (!options.enabled) return {};
  const compiled = new WeakMap<DocumentNode, Map<string, CompiledQuery | null>>();

  const compiledFor = (document: DocumentNode, operation: OperationDefinitionNode) => {
    const name = operation.name?.value ?? '';
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    let query = byName.get(name);
    if (query === undefined) {
      const result = compileQuery(unguarded, document, operation.name?.value, {
        disablingCapturingStackErrors: true,
      });
      query = isCompiledQuery(result) ? result : null;
      byName.set(name, query);
    }
    return query;
  };

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation || operation.operation === 'subscription') return;
      const context = args.contextValue as unknown as Context;
      if (!context.principal) return;
      if (!grantedByAbilities(args.schema, args.document, operation, context)) return;
      const query = compiledFor(args.document, operation);
      if (!query) return;
      setExecuteFn((execution: ExecutionArgs) => {
        // Variables that do not fit run the usual way, for graphql-js's errors.
        const coerced = getVariableValues(
          execution.schema,
          operation.variableDefinitions ?? [],
          execution.variableValues ?? {},
          { maxErrors: 1 },
        );
        if (coerced.errors) return executeFn(execution);
        options.onCompiled?.();
        const result = query.query(
          execution.rootValue,
          execution.contextValue,
          execution.variableValues,
        );
        return isPromise(result)
          ? result.then((done) => located(done, execution.document))
          : located(result, execution.document);
      });
    },
  };
}

const isPromise = <T>(value: T | Promise<T>): value is Promise<T> =>
  typeof (value as Promise<T>)?.then === 'function';

/**
 * The result with its errors as graphql-js makes them: graphql-jit's carry their locations and
 * path but not their field nodes, which yoga's masking and the error codes copy an error by; so
 * each becomes `locatedError` of what the resolver threw, at its fields, as graphql-js does.
 */
function located(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.length) return result;
  const fields = fieldsAt(document);
  const errors = result.errors.map((error) => {
    const nodes = (error.locations ?? []).flatMap(
      (at) => fields.get(`${at.line}:${at.column}`) ?? [],
    );
    const original = error.originalError;
    return original
      ? locatedError(original, nodes, error.path)
      : new GraphQLError(error.message, { nodes, path: error.path, extensions: error.extensions });
  });
  return { ...result, errors };
}

/** A document's fields by where they start ("line:column"), found once per document. */
const fieldsByLocation = new WeakMap<DocumentNode, Map<string, FieldNode>>();

function fieldsAt(document: DocumentNode): Map<string, FieldNode> {
  let fields = fieldsByLocation.get(document);
  if (!fields) {
    const found = new Map<string, FieldNode>();
    visit(document, {
      Field(node) {
        const start = node.loc?.startToken;
        if (start) found.set(`${start.line}:${start.column}`, node);
      },
    });
    fieldsByLocation.set(document, (fields = found));
  }
  return fields;
}
