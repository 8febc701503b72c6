import type { z } from 'zod';
import { badUserInput } from './errors.js';

/**
 * Parses a mutation's input with a zod schema; the first problem becomes BAD_USER_INPUT naming the
 * input field (`extensions.field`), e.g. `name` or `phone`.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  /** The field a schema of a single value stands for. */
  name = 'input',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = [...(name === 'input' ? [] : [name]), ...issue.path.map(String)].join('.') || name;
  throw badUserInput(field, `${field}: ${issue.message}`);
}
