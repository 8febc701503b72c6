import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Context } from '../context.js';
import { type Ability, grants } from './abilities.js';
import { type Principal, principalAbilities } from './principal.js';

/**
 * The authorization verdict of an operation for a caller, decided once from the document and the
 * caller's abilities: `true` when every scope rule it meets (src/builder.ts's scope-auth rules on
 * its fields, on the types they return and on those types' interfaces) grants the caller by its
 * abilities alone. Then no rule can refuse anything in the response, whatever the rows, and the
 * operation may run on the schema built without scope-auth's wrappers (src/schema.ts), doing no
 * per-field or per-object scope work.
 *
 * Anything it cannot decide that way counts as "may refuse" (`false`), and the operation runs on
 * the guarded schema as always, where scope-auth decides field by field and writes the FORBIDDEN
 * errors: a rule the caller fails, `$granted` (it depends on the path), a rule written as a
 * function that is not marked `PRINCIPAL_ONLY`, a scope this module does not know.
 *
 * Cached per document, operation and caller's abilities (a client repeating a query is judged
 * once); the cache goes with the document.
 */
export function grantedByAbilities(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  context: Context,
): boolean {
  const key = `${operation.name?.value ?? ''} ${callerKey(context.principal)}`;
  let known = verdicts.get(document);
  if (!known) verdicts.set(document, (known = new Map()));
  let verdict = known.get(key);
  if (verdict === undefined) {
    verdict = decide(schema, document, operation, context);
    if (known.size >= VERDICTS_PER_DOCUMENT) known.clear();
    known.set(key, verdict);
  }
  return verdict;
}

/**
 * Marks a scope rule written as a function `(parent, context) => true | scope map` whose answer
 * depends on the caller only, never on the parent object, so that the verdict may ask it once.
 */
export const PRINCIPAL_ONLY: unique symbol = Symbol('principal-only scope rule');

const verdicts = new WeakMap<DocumentNode, Map<string, boolean>>();
const VERDICTS_PER_DOCUMENT = 100;

/** Callers' keys by principal (one principal per authenticated row: src/auth/authenticate.ts). */
const callerKeys = new WeakMap<Principal, string>();

function callerKey(principal: Principal): string {
  if (principal.kind === 'admin') return 'admin';
  let key = callerKeys.get(principal);
  if (key === undefined) {
    key = `${principal.kind}:${[...principal.abilities].sort().join(',')}`;
    callerKeys.set(principal, key);
  }
  return key;
}

type ScopeRule = unknown;

function decide(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  context: Context,
): boolean {
  const root = schema.getRootType(operation.operation);
  if (!root) return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const held = principalAbilities(context.principal);
  const isAdmin = context.principal.kind === 'admin';
  const judged = new Map<GraphQLNamedType, boolean>();

  /** Whether a scope map or rule grants the caller by its abilities alone. */
  const grantsRule = (rule: ScopeRule, parentFree: boolean): boolean => {
    if (rule === undefined || rule === null || rule === true) return true;
    if (typeof rule === 'function') {
      if (!parentFree || !(PRINCIPAL_ONLY in rule)) return false;
      let answer: unknown;
      try {
        answer = (rule as unknown as (parent: unknown, context: Context) => unknown)(
          undefined,
          context,
        );
      } catch {
        return false;
      }
      return typeof answer === 'function' ? false : grantsRule(answer, false);
    }
    if (typeof rule !== 'object') return false;
    // scope-auth's default strategy: any one scope of the map grants.
    return Object.entries(rule as Record<string, unknown>).some(([scope, parameter]) => {
      switch (scope) {
        case 'ability':
          return typeof parameter === 'string' && grants(held, parameter as Ability);
        case 'anyAbility':
          return (
            Array.isArray(parameter) &&
            parameter.some((a) => typeof a === 'string' && grants(held, a as Ability))
          );
        case 'admin':
          return parameter === true && isAdmin;
        case '$any':
          return grantsRule(parameter, false);
        case '$all':
          return (
            typeof parameter === 'object' &&
            parameter !== null &&
            Object.entries(parameter).every(([inner, value]) =>
              grantsRule({ [inner]: value }, false),
            )
          );
        default:
          // `$granted` depends on the path; anything else is unknown here.
          return false;
      }
    });
  };

  const authScopes = (options: unknown): ScopeRule =>
    (options as { authScopes?: unknown } | undefined)?.authScopes;

  /** A type's own rule and its interfaces' (scope-auth runs both on each object). */
  const typeGranted = (type: GraphQLNamedType): boolean => {
    let verdict = judged.get(type);
    if (verdict !== undefined) return verdict;
    if (isObjectType(type)) {
      verdict =
        grantsRule(authScopes(type.extensions.pothosOptions), true) &&
        type.getInterfaces().every(typeGranted);
    } else if (isInterfaceType(type)) {
      verdict = grantsRule(authScopes(type.extensions.pothosOptions), true);
    } else {
      verdict = true;
    }
    judged.set(type, verdict);
    return verdict;
  };

  /** Every object type a value of `type` may be. */
  const objectTypes = (type: GraphQLCompositeType) =>
    isAbstractType(type) ? schema.getPossibleTypes(type) : [type];

  const fieldGranted = (field: GraphQLField<unknown, unknown>): boolean => {
    if (!grantsRule(authScopes(field.extensions.pothosOptions), false)) return false;
    const named = getNamedType(field.type);
    if (isObjectType(named)) return typeGranted(named);
    if (isAbstractType(named)) {
      return (
        grantsRule(authScopes(named.extensions.pothosOptions), true) &&
        schema.getPossibleTypes(named).every(typeGranted)
      );
    }
    return true;
  };

  const visitedFragments = new Set<string>();
  const walk = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType): boolean => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        // __typename, __schema and __type: introspection has no scope rules.
        if (name.startsWith('__')) continue;
        let next: GraphQLCompositeType | undefined;
        // On an interface or union, the field each possible object type defines runs.
        for (const type of objectTypes(parent)) {
          const field = type.getFields()[name];
          if (!field) continue;
          if (!fieldGranted(field)) return false;
          next = getNamedType(field.type) as GraphQLCompositeType;
        }
        if (!isObjectType(parent) && !isAbstractType(parent)) return false;
        if (isAbstractType(parent)) {
          const field = isInterfaceType(parent) ? parent.getFields()[name] : undefined;
          if (field) next = getNamedType(field.type) as GraphQLCompositeType;
        }
        if (selection.selectionSet) {
          if (!next || !walk(selection.selectionSet, next)) return false;
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined)
          : parent;
        if (!type || !walk(selection.selectionSet, type)) return false;
      } else {
        const name = selection.name.value;
        if (visitedFragments.has(name)) continue;
        visitedFragments.add(name);
        const fragment = fragments.get(name);
        const type =
          fragment &&
          (schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined);
        if (!fragment || !type || !walk(fragment.selectionSet, type)) return false;
      }
    }
    return true;
  };

  return walk(operation.selectionSet, root);
}
