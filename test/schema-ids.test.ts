import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { decodeId, encodeId } from '../src/ids.js';
import { schema } from '../src/schema.js';

/**
 * Every Node's `id` resolves without a promise (src/schema.ts `withSyncNodeIds`: Pothos' relay
 * plugin resolves it asynchronously, which made every object of a list complete asynchronously)
 * and to the same global id as before: the type name and the row's id, encoded by `encodeId`.
 */
const nodeTypes = Object.values(schema.getTypeMap()).filter(
  (type) => isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node'),
);

describe('Node ids', () => {
  it('covers every Node type', () => {
    expect(nodeTypes.map((t) => t.name).sort()).toEqual(
      [
        'ApiToken',
        'Contact',
        'Group',
        'Message',
        'MessageBot',
        'Source',
        'Status',
        'Template',
        'TemplateBot',
      ].sort(),
    );
  });

  it.each(nodeTypes.map((t) => [t.name, t] as const))('%s.id is synchronous', (name, type) => {
    const field = (type as { getFields(): Record<string, any> }).getFields().id;
    const row = { id: '1f0c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f' };
    const id = field.resolve(row, {}, {}, {});
    expect(typeof id).toBe('string');
    expect(id).toBe(encodeId(name, row.id));
    expect(decodeId(id)).toEqual({ typename: name, id: row.id });
  });
});
