import { readFileSync } from 'node:fs';
import type pg from 'pg';

/**
 * CPU time of local processes, from /proc/<pid>/stat (Linux): user + system, in ms. NaN when the
 * process is gone or /proc is unreadable. Clock ticks are taken as 100 a second (USER_HZ, which
 * Linux fixes at 100 for /proc), so the resolution is 10 ms.
 */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may hold spaces): state is field 3,
    // utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time of the PostgreSQL backends serving the database `client` is connected to (other than
 * `client`'s own), when PostgreSQL runs on this machine. `since` gives ms per backend pid from an
 * earlier call; NaN when PostgreSQL's processes are not visible here. A backend that started since counts from zero, one that ended since is lost
 * (connection pools keep theirs while busy, so this undercounts little).
 */
export async function backendCpuMs(
  client: pg.Client,
  since?: Map<number, number>,
): Promise<{ ms: number; byPid: Map<number, number> }> {
  const { rows } = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  );
  const byPid = new Map<number, number>();
  let ms = 0;
  for (const { pid } of rows) {
    const now = processCpuMs(pid);
    if (!Number.isFinite(now)) continue;
    byPid.set(pid, now);
    ms += now - (since?.get(pid) ?? 0);
  }
  // Backends exist but none is readable: PostgreSQL runs elsewhere (another host, container).
  return { ms: rows.length > 0 && byPid.size === 0 ? Number.NaN : ms, byPid };
}
