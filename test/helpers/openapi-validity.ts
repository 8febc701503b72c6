import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'vitest';

/** Schema validity by the OpenAPI 3.1 schemas, and every `$ref` resolving inside the document. */
export async function expectValidOpenApi31(document: Record<string, any>) {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document));
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
  const refs = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === '$ref') refs.add(inner as string);
        else walk(inner);
      }
    }
  };
  walk(document);
  for (const ref of refs) {
    expect(ref, ref).toMatch(/^#\//);
    const target = ref
      .slice(2)
      .split('/')
      .reduce<any>((node, part) => node?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], document);
    expect(target, `${ref} resolves`).toBeTypeOf('object');
  }
}
