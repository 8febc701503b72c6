import type { z } from 'zod';
import { badUserInput } from './errors.js';

/**
 * Parses a mutation's input with a zod schema; the first problem becomes BAD_USER_INPUT naming the
 * input field (`extensions.field`), e.g. `name` or `phone`.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'input';
  throw badUserInput(field, `${field}: ${issue.message}`);
}
