import { z } from 'zod';

export type JsonSchema = { [key: string]: unknown };

/**
 * Converts zod schemas to JSON Schema 2020-12 (OpenAPI 3.1's dialect) for one document. A schema
 * named with `.meta({ id: 'Contact' })` comes out of zod under `$defs`; those are hoisted into
 * `components.schemas` and every `#/$defs/X` becomes `#/components/schemas/X`: inside an OpenAPI
 * document a `#/…` reference resolves against the document root, where `$defs` does not exist.
 */
export class SchemaCollector {
  /** Hoisted named schemas, for `components.schemas`. */
  readonly components: Record<string, JsonSchema> = {};
  /** The text of each placed component as zod made it, to tell an equal schema from a clash. */
  private readonly placed = new Map<string, string>();

  /**
   * `io: 'input'` for what the client sends (a field with a default is optional, coercions take
   * their input), `'output'` for what the server answers. A part zod cannot express in JSON Schema
   * (a transform's result) is documented as any value rather than failing the whole document.
   */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const converted = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
    }) as JsonSchema;
    delete converted.$schema;
    const defs = (converted.$defs ?? {}) as Record<string, JsonSchema>;
    delete converted.$defs;
    const renamed = new Map<string, string>();
    for (const [name, def] of Object.entries(defs)) renamed.set(name, this.place(name, def, io));
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value === null || typeof value !== 'object') return value;
      const out: JsonSchema = {};
      for (const [key, inner] of Object.entries(value)) {
        if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/')) {
          const name = inner.slice('#/$defs/'.length);
          out.$ref = `#/components/schemas/${renamed.get(name) ?? name}`;
        } else {
          out[key] = rewrite(inner);
        }
      }
      return out;
    };
    for (const [name, target] of renamed) {
      this.components[target] = rewrite(defs[name]) as JsonSchema;
    }
    return rewrite(converted) as JsonSchema;
  }

  /**
   * The component name for a hoisted schema. The same id seen as input and as output may differ
   * (defaults make fields required only in the output): the input variant is then `<id>Input`.
   */
  private place(name: string, def: JsonSchema, io: 'input' | 'output'): string {
    const candidates = [name, io === 'input' ? `${name}Input` : `${name}Output`];
    for (let index = 2; candidates.length < 20; index++) candidates.push(`${name}${index}`);
    const text = JSON.stringify(def);
    for (const candidate of candidates) {
      const existing = this.placed.get(candidate);
      if (existing === undefined || existing === text) {
        this.placed.set(candidate, text);
        return candidate;
      }
    }
    throw new Error(`OpenAPI: too many different schemas named ${name}`);
  }
}

/**
 * One OpenAPI parameter per property of a zod object: path parameters are always required, query
 * parameters when the object requires them. A property's description moves to the parameter.
 */
export function objectParameters(
  collector: SchemaCollector,
  schema: z.ZodObject,
  location: 'path' | 'query',
): JsonSchema[] {
  const converted = collector.convert(schema, 'input');
  const properties = (converted.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((converted.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: propertySchema,
    };
  });
}
