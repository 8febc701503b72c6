import { isSupportedCountry, ParseError, parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { z } from 'zod';
import { badUserInput } from '../errors.js';

/**
 * Validation of contact input. Optional text that is blank is stored as null (or '' for lastName,
 * see ContactTable), so `""` and `null` both clear a field.
 */
const required = (max: number) =>
  z
    .string({ error: 'must not be null' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

const optional = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .transform((text) => text || null)
    .nullable();

export const firstName = required(100);
export const lastName = optional(100).transform((text) => text ?? '');
export const company = optional(200);
export const description = optional(5000);
export const email = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .transform((text) => text || null)
  .pipe(z.email('must be an email address such as ada@example.com').nullable())
  .nullable();
/** ISO 3166-1 alpha-2, any case in, upper case out. */
export const country = z
  .string()
  .trim()
  .transform((text) => text.toUpperCase() || null)
  .refine((code) => code === null || isSupportedCountry(code), {
    message: 'must be an ISO 3166-1 alpha-2 country code such as GB',
  })
  .nullable();

export interface ParsedPhone {
  /** E.164, e.g. +442079460958. */
  e164: string;
  /** The country the number belongs to, when it belongs to one. */
  country: string | null;
}

/**
 * Parses a phone number as typed ("+44 20 7946 0958", "020 7946 0958" with country GB) into
 * E.164. A number without a country code needs `defaultCountry`. Throws BAD_USER_INPUT on `field`.
 */
export function parsePhone(
  text: string | null | undefined,
  defaultCountry: string | null | undefined,
  field = 'phone',
): ParsedPhone {
  if (text == null || text.trim() === '') {
    throw badUserInput(field, `${field}: must not be empty`);
  }
  const hint = defaultCountry && isSupportedCountry(defaultCountry) ? defaultCountry : undefined;
  let parsed;
  try {
    parsed = parsePhoneNumberWithError(text.trim(), { defaultCountry: hint });
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    throw badUserInput(
      field,
      error.message === 'INVALID_COUNTRY'
        ? `${field}: start with + and the country code (e.g. +44 20 7946 0958), or give country`
        : `${field}: ${JSON.stringify(text)} is not a phone number`,
    );
  }
  if (!parsed.isValid()) {
    throw badUserInput(field, `${field}: ${JSON.stringify(text)} is not a valid phone number`);
  }
  return { e164: parsed.number, country: parsed.country ?? null };
}
