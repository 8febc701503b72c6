import type { Ability } from '../../src/auth/abilities.js';
import type { GraphQLResponse, TestApp, TestTenant } from './test-app.js';

/**
 * One row of the ability matrix (test/abilities.test.ts): an operation and what it needs.
 * - an ability: a token needs exactly that one;
 * - `{ any: [...] }`: a token needs one of them;
 * - `admin`: only the admin key; `none`: any principal.
 * Each module lists its operations in test/operations/<module>.ts as `export const operations`.
 */
export type Requirement = Ability | 'admin' | 'none' | { any: readonly Ability[] };

export interface MatrixContext {
  t: TestApp;
  tenant: TestTenant;
}

export interface Operation {
  name: string;
  requires: Requirement;
  /** Runs the operation as `secret`; fixtures it needs are made directly in the database. */
  run(ctx: MatrixContext, secret: string): Promise<GraphQLResponse>;
}

export function allows(requirement: Requirement, held: ReadonlySet<string>): boolean {
  if (requirement === 'none') return true;
  if (requirement === 'admin') return false;
  if (held.has('*')) return true;
  if (typeof requirement === 'string') return held.has(requirement);
  return requirement.any.some((a) => held.has(a));
}

export function abilitiesNamed(requirement: Requirement): readonly string[] {
  if (requirement === 'none' || requirement === 'admin') return [];
  return typeof requirement === 'string' ? [requirement] : requirement.any;
}
