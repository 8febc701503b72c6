import type { Ability } from './abilities.js';

/**
 * Who is calling: the tenant's admin (admin key), one of its API tokens, or, for an operation
 * that only introspects the schema, anyone (no secret, or one that was refused; see app.ts).
 * The anonymous principal holds no ability.
 */
export type Principal =
  | { kind: 'admin' }
  | { kind: 'anonymous'; abilities: ReadonlySet<string> }
  | {
      kind: 'token';
      tokenId: string;
      name: string;
      /** Ability strings as stored; may include `*`. */
      abilities: ReadonlySet<string>;
      expiresAt: Date | null;
    };

export const ANONYMOUS: Principal = Object.freeze({
  kind: 'anonymous',
  abilities: new Set<string>(),
});

const ADMIN_ABILITIES: ReadonlySet<string> = new Set(['*']);

export function principalAbilities(principal: Principal): ReadonlySet<string> {
  return principal.kind === 'admin' ? ADMIN_ABILITIES : principal.abilities;
}

export type { Ability };
