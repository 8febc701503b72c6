import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  getNamedType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
} from 'graphql';
import { afterAll, describe, expect, it } from 'vitest';
import { schema } from '../src/schema.js';

/**
 * The schema's names as clients see them, and the breaking-change check CI runs
 * (`npm run schema:breaking`, src/schema-changes.ts), run as CI runs it, on copies of the files.
 */
const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'schema-changes-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the check on a copy of `schema/` changed by `change`; its exit code and output. */
async function check(
  change: (files: { schema: string; changelog: string }) => {
    schema?: string;
    changelog?: string;
  },
) {
  const dir = mkdtempSync(join(scratch, 'case-'));
  cpSync('schema', dir, { recursive: true });
  const files = {
    schema: readFileSync(join(dir, 'schema.graphql'), 'utf8'),
    changelog: readFileSync(join(dir, 'CHANGELOG.md'), 'utf8'),
  };
  const changed = change(files);
  if (changed.schema) writeFileSync(join(dir, 'schema.graphql'), changed.schema);
  if (changed.changelog) writeFileSync(join(dir, 'CHANGELOG.md'), changed.changelog);
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'src/schema-changes.ts', dir]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/** The schema without `Contact.firstName`. */
function withoutFirstName(sdl: string): string {
  const removed = sdl.replace(
    /(type Contact implements Node \{[^}]*?)\n {2}firstName: String!/,
    '$1',
  );
  expect(removed).not.toBe(sdl);
  return removed;
}

describe('the breaking-change check', () => {
  it('passes on the committed schema and changelog', async () => {
    const result = await check(() => ({}));
    expect(result.output).toMatch(/Breaking changes since 0\.1\.0: \d+ \(\d+ recorded/);
    expect(result.code).toBe(0);
  });

  it('fails on a removed field the changelog does not record, naming it', async () => {
    const result = await check(({ schema }) => ({ schema: withoutFirstName(schema) }));
    expect(result.code).toBe(1);
    expect(result.output).toContain('`Contact.firstName`');
    expect(result.output).toContain("Field 'firstName' was removed from object type 'Contact'");
  });

  it('passes once the removal is recorded under the version it ships in, not an older one', async () => {
    const entry = (version: string) => `\n## ${version}\n\n- Removed \`Contact.firstName\`.\n`;
    const recorded = await check(({ schema, changelog }) => ({
      schema: withoutFirstName(schema),
      changelog: changelog + entry('2.0.0'),
    }));
    expect(recorded.output).not.toContain('Not recorded');
    expect(recorded.code).toBe(0);
    const underReleased = await check(({ schema, changelog }) => ({
      schema: withoutFirstName(schema),
      changelog: changelog + entry('0.1.0'),
    }));
    expect(underReleased.code).toBe(1);
  });
});

describe('connection names', () => {
  const connections = Object.values(schema.getTypeMap()).filter(
    (type): type is GraphQLObjectType =>
      isObjectType(type) && 'edges' in type.getFields() && 'pageInfo' in type.getFields(),
  );
  const nodeTypeOf = (connection: GraphQLObjectType) =>
    getNamedType(connection.getFields().nodes!.type).name;

  it('finds every connection', () => {
    expect(connections.map((c) => c.name).sort()).toEqual([
      'ApiTokenConnection',
      'ContactConnection',
      'GroupConnection',
      'MessageBotConnection',
      'MessageConnection',
      'SourceConnection',
      'StatusConnection',
      'TemplateBotConnection',
      'TemplateConnection',
    ]);
  });

  it('names each connection and edge after its node, and gives each `nodes`', () => {
    for (const connection of connections) {
      const fields = connection.getFields();
      expect(fields.nodes, connection.name).toBeDefined();
      const node = nodeTypeOf(connection);
      expect(connection.name).toBe(`${node}Connection`);
      const edge = getNamedType(fields.edges!.type);
      expect(edge.name).toBe(`${node}Edge`);
      expect(getNamedType((edge as GraphQLObjectType).getFields().node!.type).name).toBe(node);
      // As nullable as `node`: a refused node is null in `nodes` too.
      const nodes: GraphQLField<unknown, unknown> = fields.nodes!;
      expect(isNonNullType(nodes.type)).toBe(true);
    }
  });
});
