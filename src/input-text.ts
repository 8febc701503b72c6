import { type DocumentNode, type ExecutionArgs, Kind, type ValueNode, visit } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badUserInput } from './errors.js';

/**
 * Text no column can hold: NUL (PostgreSQL's text refuses it, so the statement failed as an
 * INTERNAL_SERVER_ERROR) and half a UTF-16 surrogate pair (JSON lets `"\ud800"` through where a
 * GraphQL string literal does not; UTF-8 cannot encode it, so it was stored as U+FFFD).
 */
export const UNSTORABLE =
  /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Refuses an operation with such text in any argument, literal or variable, before it runs:
 * BAD_USER_INPUT naming the input field (`input.` left out, as parseInput names fields), with
 * `data: null`, as a mutation whose resolver refused its input answers.
 */
export function useInputTextCheck(): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const field = unstorableTextAt(args);
      if (field === undefined) return;
      const error = badUserInput(
        field,
        `${field}: must not contain NUL characters or unpaired UTF-16 surrogates.`,
      );
      setResultAndStopExecution({ data: null, errors: [error] });
    },
  };
}

interface Step {
  /** A document value, or a variable's value (raw JSON: execution coerces it later). */
  node?: ValueNode;
  value?: unknown;
  key: string | number;
  parent: Step | undefined;
}

/** The path of the first argument value holding unstorable text, or undefined. */
export function unstorableTextAt(args: ExecutionArgs): string | undefined {
  const variables = (args.variableValues ?? {}) as Record<string, unknown>;
  const { defaults, values } = argumentsOf(args.document);
  const stack: Step[] = values.map((step) => ({ ...step, parent: undefined }));
  // Iterative: a variable's JSON may nest as deep as the body limit allows.
  for (let step = stack.pop(); step; step = stack.pop()) {
    const { node, value } = step;
    const child = (item: Omit<Step, 'parent'>) => stack.push({ ...item, parent: step });
    if (node?.kind === Kind.VARIABLE) {
      const name = node.name.value;
      if (Object.hasOwn(variables, name)) child({ value: variables[name], key: '' });
      else if (defaults.has(name)) child({ node: defaults.get(name), key: '' });
    } else if (node?.kind === Kind.LIST) {
      node.values.forEach((item, i) => child({ node: item, key: i }));
    } else if (node?.kind === Kind.OBJECT) {
      for (const field of node.fields) child({ node: field.value, key: field.name.value });
    } else if (node) {
      if (node.kind === Kind.STRING && UNSTORABLE.test(node.value)) return pathOf(step);
    } else if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return pathOf(step);
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => child({ value: item, key: i }));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) child({ value: item, key });
    }
  }
  return undefined;
}

/** A document's argument values and variable defaults, read once per document. */
const documentArguments = new WeakMap<
  DocumentNode,
  { defaults: Map<string, ValueNode>; values: { node: ValueNode; key: string }[] }
>();

function argumentsOf(document: DocumentNode) {
  let found = documentArguments.get(document);
  if (!found) {
    const defaults = new Map<string, ValueNode>();
    const values: { node: ValueNode; key: string }[] = [];
    visit(document, {
      VariableDefinition(node) {
        if (node.defaultValue) defaults.set(node.variable.name.value, node.defaultValue);
      },
      Argument(node) {
        values.push({ node: node.value, key: node.name.value });
      },
    });
    documentArguments.set(document, (found = { defaults, values }));
  }
  return found;
}

function pathOf(step: Step): string {
  const keys: (string | number)[] = [];
  for (let at: Step | undefined = step; at; at = at.parent) if (at.key !== '') keys.push(at.key);
  keys.reverse();
  if (keys[0] === 'input' && keys.length > 1) keys.shift();
  // A value nested thousands deep is named by where it starts.
  return keys.length > 20 ? `${keys.slice(0, 20).join('.')}…` : keys.join('.');
}
