import type { GraphQLResolveInfo } from 'graphql';
import { grants } from '../auth/abilities.js';
import { principalAbilities } from '../auth/principal.js';
import type { Context } from '../context.js';
import type { ResolveTree } from 'graphql-parse-resolve-info';
import { nodeSubfieldsOf, selectedNodeSubfields, selectionVariables } from '../lookahead.js';
import type { ContactColumn, ContactSelection, RelationSelection } from './pages.js';

/**
 * The columns each field of a type reads from its row. A field not listed here (one another module
 * adds later, say) makes its type's rows read whole: a missing entry costs columns, never a wrong
 * answer. `id` and `tenant_id` are always read.
 */
const CONTACT_COLUMNS: Record<string, readonly ContactColumn[]> = {
  __typename: [],
  id: [],
  firstName: ['first_name'],
  lastName: ['last_name'],
  company: ['company'],
  type: ['type'],
  email: ['email'],
  phone: ['phone'],
  country: ['country'],
  description: ['description'],
  status: ['status_id'],
  source: ['source_id'],
  groups: [],
  messages: [],
  createdAt: ['created_at'],
  updatedAt: ['updated_at'],
};
const STATUS_COLUMNS: Record<string, readonly string[]> = {
  __typename: [],
  id: [],
  name: ['name'],
  color: ['color'],
  createdAt: ['created_at'],
  updatedAt: ['updated_at'],
};
const SOURCE_COLUMNS: Record<string, readonly string[]> = {
  __typename: [],
  id: [],
  name: ['name'],
  createdAt: ['created_at'],
  updatedAt: ['updated_at'],
};
const GROUP_COLUMNS: Record<string, readonly string[]> = {
  __typename: [],
  id: [],
  name: ['name'],
  description: ['description'],
  contactCount: [],
  contacts: [],
  createdAt: ['created_at'],
  updatedAt: ['updated_at'],
};

/** The columns `fields` read, with `id` and `tenant_id`; undefined (all) when one is unknown. */
function columnsOf<C extends string>(
  map: Record<string, readonly C[]>,
  fields: Iterable<string>,
): C[] | undefined {
  const columns = new Set<string>(['id', 'tenant_id']);
  for (const field of fields) {
    const read = Object.hasOwn(map, field) ? map[field] : undefined;
    if (!read) return undefined;
    for (const column of read) columns.add(column);
  }
  return [...columns] as C[];
}

/**
 * What a contacts connection's statement reads for the nodes its query selects: their columns, and
 * the relations the caller may read (`status`, `source`, `groups`) with their own columns. A
 * relation the caller may not read is left to its field, which answers FORBIDDEN.
 */
export function contactSelection(context: Context, info: GraphQLResolveInfo): ContactSelection {
  // Once per field of a document and caller (per execution when its directives read variables).
  const variables = selectionVariables(info);
  const known = selections.get(info.fieldNodes);
  if (known && known.variables === variables && known.principal === context.principal) {
    return known.selection;
  }
  const selection = selectionOf(context, info);
  selections.set(info.fieldNodes, {
    variables,
    principal: context.principal,
    selection,
  });
  return selection;
}

const selections = new WeakMap<
  object,
  { variables: unknown; principal: Context['principal']; selection: ContactSelection }
>();

/** `contactSelection` of a contacts connection selected below the field being resolved. */
export function contactSelectionOf(context: Context, tree: ResolveTree): ContactSelection {
  return selectionFrom(context, nodeSubfieldsOf([tree]));
}

function selectionOf(context: Context, info: GraphQLResolveInfo): ContactSelection {
  return selectionFrom(context, selectedNodeSubfields(info));
}

function selectionFrom(context: Context, fields: Map<string, Set<string>>): ContactSelection {
  const held = principalAbilities(context.principal);
  const relation = (
    name: string,
    ability: Parameters<typeof grants>[1],
    map: Record<string, readonly string[]>,
  ): RelationSelection | undefined => {
    const below = fields.get(name);
    if (!below || !grants(held, ability)) return undefined;
    return { columns: columnsOf(map, below) };
  };
  return {
    columns: columnsOf(CONTACT_COLUMNS, fields.keys()),
    status: relation('status', 'statuses.read', STATUS_COLUMNS),
    source: relation('source', 'sources.read', SOURCE_COLUMNS),
    groups: relation('groups', 'groups.read', GROUP_COLUMNS),
  };
}
