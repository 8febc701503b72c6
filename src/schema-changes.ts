import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

/**
 * No silent breaking change: `npm run schema:breaking` compares the printed schema
 * (`schema/schema.graphql`) with the last released one (`schema/last-release.graphql`, whose first
 * line names its version) using GraphQL Inspector, and fails on every breaking change that
 * `schema/CHANGELOG.md` does not record. A change is recorded when its path (`Query.contacts`,
 * `QueryContactsConnection`, as Inspector names it) is written in backticks in the section of a
 * version newer than the released one (`## 1.0.0`): the version the change ships in.
 */
export interface SchemaFiles {
  /** SDL of the last release, its first line `# version x.y.z`. */
  released: string;
  /** SDL printed from the code now. */
  current: string;
  /** The changelog's Markdown. */
  changelog: string;
}

export interface BreakingCheck {
  releasedVersion: string;
  breaking: Change[];
  /** The breaking changes the changelog does not record under a newer version. */
  unrecorded: Change[];
}

export async function checkBreakingChanges(files: SchemaFiles): Promise<BreakingCheck> {
  const releasedVersion = /^# version (\d+\.\d+\.\d+)\s*$/m.exec(files.released)?.[1];
  if (!releasedVersion) {
    throw new Error('The released schema must start with "# version x.y.z".');
  }
  const changes = await diff(buildSchema(files.released), buildSchema(files.current));
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  const recorded = recordedPaths(files.changelog, releasedVersion);
  const unrecorded = breaking.filter((c) => !c.path || !recorded.has(c.path));
  return { releasedVersion, breaking, unrecorded };
}

/** Every `path` in backticks in the sections of versions newer than `released`. */
function recordedPaths(changelog: string, released: string): Set<string> {
  const paths = new Set<string>();
  let current = false;
  for (const line of changelog.split('\n')) {
    const heading = /^## +\[?(\d+\.\d+\.\d+)/.exec(line);
    if (heading) current = compareVersions(heading[1]!, released) > 0;
    else if (/^## /.test(line)) current = false;
    if (!current) continue;
    for (const match of line.matchAll(/`([^`]+)`/g)) paths.add(match[1]!);
  }
  return paths;
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! - y![i]!;
  return 0;
}

async function main(directory: string): Promise<number> {
  const read = (name: string) => readFileSync(`${directory}/${name}`, 'utf8');
  const result = await checkBreakingChanges({
    released: read('last-release.graphql'),
    current: read('schema.graphql'),
    changelog: read('CHANGELOG.md'),
  });
  const recorded = result.breaking.length - result.unrecorded.length;
  process.stdout.write(
    `Breaking changes since ${result.releasedVersion}: ${result.breaking.length} ` +
      `(${recorded} recorded in CHANGELOG.md).\n`,
  );
  if (result.unrecorded.length === 0) return 0;
  process.stderr.write(
    `Not recorded in ${directory}/CHANGELOG.md under a version after ${result.releasedVersion}:\n` +
      result.unrecorded.map((c) => `  \`${c.path ?? '?'}\`: ${c.message}\n`).join('') +
      'Record each under the version it ships in (deprecate with @deprecated(reason:) before removing).\n',
  );
  return 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv[2] ?? 'schema');
}
