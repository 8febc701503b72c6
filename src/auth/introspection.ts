import { type DocumentNode, Kind, parse, type SelectionSetNode } from 'graphql';

const INTROSPECTION_FIELDS = new Set(['__schema', '__type', '__typename']);

/**
 * True when every operation of `query` is a query whose root fields (through fragments) are only
 * `__schema`, `__type` and `__typename`: it reads the schema, which is the same for every tenant
 * and public, and no resolver of ours. False for anything else, including text that does not parse.
 */
export function isIntrospectionOnly(query: string | undefined | null): boolean {
  if (!query) return false;
  let document: DocumentNode;
  try {
    document = parse(query, { noLocation: true });
  } catch {
    return false;
  }
  const fragments = new Map(
    document.definitions.flatMap((d) =>
      d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [],
    ),
  );
  const onlyIntrospection = (selectionSet: SelectionSetNode, seen: Set<string>): boolean =>
    selectionSet.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return INTROSPECTION_FIELDS.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        return onlyIntrospection(selection.selectionSet, seen);
      }
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) return false;
      return onlyIntrospection(fragment, new Set(seen).add(name));
    });
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  return (
    operations.length > 0 &&
    operations.every((o) => o.operation === 'query' && onlyIntrospection(o.selectionSet, new Set()))
  );
}
