import type { Context } from '../context.js';
import { type Ability, grants } from './abilities.js';
import { principalAbilities } from './principal.js';
import { PRINCIPAL_ONLY } from './verdict.js';

/**
 * The rule of a type a mutation payload may show without the read ability: readable with one of
 * `abilities`, or one level below a mutation that granted `mutationResult`.
 *
 * Written as a function so that the usual case, a caller who holds the ability, is one Set lookup
 * per object: scope-auth cannot cache a scope map with `$granted` (it depends on the path), and
 * evaluating it per object was a measurable part of a page of contacts with its relations. The
 * map, and so the FORBIDDEN error it yields, is the same as before when the ability is missing.
 */
export function readableWith(...abilities: Ability[]) {
  const map =
    abilities.length === 1
      ? ({ ability: abilities[0]!, $granted: 'mutationResult' } as const)
      : ({ anyAbility: abilities, $granted: 'mutationResult' } as const);
  const rule = (_parent: unknown, context: Context) => {
    const held = principalAbilities(context.principal);
    return abilities.some((ability) => grants(held, ability)) || map;
  };
  // It reads the caller only: the verdict (src/auth/verdict.ts) may ask it once per operation.
  return Object.assign(rule, { [PRINCIPAL_ONLY]: true as const });
}
