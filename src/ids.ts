import { type GraphQLResolveInfo, isObjectType } from 'graphql';
import { isUuid } from './db/connection.js';
import { badUserInput } from './errors.js';

/**
 * Global IDs are base64url("Type:uuid"), opaque to clients. A malformed one is BAD_USER_INPUT; a
 * well-formed one that names nothing in the tenant is NOT_FOUND (or null from `node`).
 */
export function encodeId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`).toString('base64url');
}

export function decodeId(globalId: string): { typename: string; id: string } {
  const text = Buffer.from(globalId, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const typename = text.slice(0, colon);
  const id = text.slice(colon + 1);
  if (colon <= 0 || !/^[A-Z][A-Za-z]*$/.test(typename) || !isUuid(id)) {
    throw badUserInput('id', `${JSON.stringify(globalId)} is not a valid ID.`);
  }
  return { typename, id };
}

/** Decodes a global ID that must name a `typename`; the error names the input `field`. */
export function decodeIdOf(typename: string, globalId: string, field = 'id'): string {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeId(globalId);
  } catch {
    throw badUserInput(field, `${JSON.stringify(globalId)} is not a valid ${typename} ID.`);
  }
  if (decoded.typename !== typename) {
    throw badUserInput(field, `${JSON.stringify(globalId)} is not a ${typename} ID.`);
  }
  return decoded.id;
}

/**
 * A decoded id for `node`/`nodes`, or null when its type has no node: such an id was never issued
 * (`Tenant:…`, `Foo:…`), so it names nothing, like a missing one (null, no error). Pothos would
 * otherwise raise "… does not support loading by id", an error with no code.
 */
export function nodeIdOrNull<T extends { typename: string }>(
  info: GraphQLResolveInfo,
  id: T,
): T | null {
  const type = info.schema.getType(id.typename);
  return isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node') ? id : null;
}
