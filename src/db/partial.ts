/**
 * Rows read with only the columns a selection needs carry `PARTIAL`. The loadable types prime
 * their per-request DataLoader with the rows fields return (`cacheResolved`); a partial row must
 * not answer a later load of the whole row, so it is primed under a key no load asks for.
 */
export const PARTIAL: unique symbol = Symbol('partial row');

export interface MaybePartial {
  id: string;
  [PARTIAL]?: true;
}

/** The key a resolved row is primed under: its id when whole. */
export function primeKey(row: MaybePartial): string {
  return row[PARTIAL] ? `partial:${row.id}` : row.id;
}
