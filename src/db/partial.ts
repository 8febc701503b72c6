/**
 * Rows read with only the columns a selection needs carry `PARTIAL`. The loadable types prime
 * their per-request DataLoader with the rows fields return (`cacheResolved`); a partial row must
 * not answer a later load of the whole row, so it is primed under a key no load asks for: one key
 * for them all (not an id), so that the first is stored and each later one costs a lookup.
 */
export const PARTIAL: unique symbol = Symbol('partial row');

export interface MaybePartial {
  id: string;
  [PARTIAL]?: true;
}

const PARTIAL_KEY = 'partial rows';

/** The key a resolved row is primed under: its id when whole. */
export function primeKey(row: MaybePartial): string {
  return row[PARTIAL] ? PARTIAL_KEY : row.id;
}
