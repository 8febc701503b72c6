import {
  type DocumentNode,
  type ExecutionArgs,
  getOperationAST,
  type GraphQLSchema,
  type OperationDefinitionNode,
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
export function useCompiledExecution(unguarded: GraphQLSchema): Plugin {
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
        return query.query(execution.rootValue, execution.contextValue, execution.variableValues);
      });
    },
  };
}
