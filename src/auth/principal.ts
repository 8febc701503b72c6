import type { Ability } from './abilities.js';

/** Who is calling: the tenant's admin (admin key) or one of its API tokens. */
export type Principal =
  | { kind: 'admin' }
  | {
      kind: 'token';
      tokenId: string;
      name: string;
      /** Ability strings as stored; may include `*`. */
      abilities: ReadonlySet<string>;
      expiresAt: Date | null;
    };

const ADMIN_ABILITIES: ReadonlySet<string> = new Set(['*']);

export function principalAbilities(principal: Principal): ReadonlySet<string> {
  return principal.kind === 'admin' ? ADMIN_ABILITIES : principal.abilities;
}

export type { Ability };
