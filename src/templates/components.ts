import type { Template } from '../db/types.js';

/**
 * Reads Meta's template `components` array (HEADER, BODY, FOOTER, BUTTONS) into the shape the API
 * shows, and derives what a send must supply: the body parameters {{1}}…{{n}} (or named ones,
 * {{first_name}}), the header parameter (text, media or location) and the button parameters.
 * Unknown components and fields are ignored; the raw array stays in the database.
 */
export type HeaderParameterKind = 'TEXT' | 'MEDIA' | 'LOCATION';

export interface TemplateButtonShape {
  /** Position in the BUTTONS component: what a send names as the button's `index`. */
  index: number;
  type: string;
  otpType: string | null;
  text: string | null;
  url: string | null;
  phoneNumber: string | null;
  /** 1 for a URL with a {{1}} suffix, a COPY_CODE coupon or an OTP code; 0 otherwise. */
  parameterCount: number;
}

export interface TemplateShape {
  header: { format: string; text: string | null } | null;
  body: string;
  footer: string | null;
  buttons: TemplateButtonShape[];
  headerParameter: { kind: HeaderParameterKind; count: number } | null;
  bodyParameterCount: number;
}

type Component = Record<string, unknown>;

const MEDIA_FORMATS = new Set(['IMAGE', 'VIDEO', 'DOCUMENT']);
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * How many parameters a text takes: positional {{1}}…{{n}} count up to the highest index (Meta
 * requires them consecutive); named ones count once per distinct name.
 */
export function countPlaceholders(text: string | null | undefined): number {
  if (!text) return 0;
  const names = new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1]!));
  if (names.size === 0) return 0;
  const positions = [...names].map(Number);
  return positions.every((n) => Number.isInteger(n) && n > 0) ? Math.max(...positions) : names.size;
}

function find(components: readonly Component[], type: string): Component | undefined {
  return components.find((c) => String(c.type).toUpperCase() === type);
}

function button(raw: Component, index: number): TemplateButtonShape {
  const type = String(raw.type ?? '').toUpperCase();
  const url = str(raw.url);
  const parameterCount =
    (type === 'URL' && countPlaceholders(url) > 0) || type === 'COPY_CODE' || type === 'OTP'
      ? 1
      : 0;
  return {
    index,
    type,
    otpType: str(raw.otp_type),
    text: str(raw.text),
    url,
    phoneNumber: str(raw.phone_number),
    parameterCount,
  };
}

const shapes = new WeakMap<object, TemplateShape>();

export function describeComponents(components: readonly Component[]): TemplateShape {
  const cached = shapes.get(components);
  if (cached) return cached;
  const list = Array.isArray(components) ? components : [];
  const headerRaw = find(list, 'HEADER');
  const format = headerRaw ? String(headerRaw.format ?? 'TEXT').toUpperCase() : null;
  const header = format ? { format, text: str(headerRaw!.text) } : null;
  let headerParameter: TemplateShape['headerParameter'] = null;
  if (header && MEDIA_FORMATS.has(header.format)) headerParameter = { kind: 'MEDIA', count: 1 };
  else if (header?.format === 'LOCATION') headerParameter = { kind: 'LOCATION', count: 1 };
  else if (header && countPlaceholders(header.text) > 0) {
    headerParameter = { kind: 'TEXT', count: countPlaceholders(header.text) };
  }
  const body = str(find(list, 'BODY')?.text) ?? '';
  const buttonsRaw = find(list, 'BUTTONS')?.buttons;
  const shape: TemplateShape = {
    header,
    body,
    footer: str(find(list, 'FOOTER')?.text),
    buttons: Array.isArray(buttonsRaw) ? buttonsRaw.map((b, i) => button(b as Component, i)) : [],
    headerParameter,
    bodyParameterCount: countPlaceholders(body),
  };
  shapes.set(components, shape);
  return shape;
}

/** What a send of this template must supply, for the sending module and template bots. */
export function templateParameters(template: Pick<Template, 'components'>): {
  header: TemplateShape['headerParameter'];
  body: number;
  /** The buttons that take a parameter, with their index. */
  buttons: { index: number; type: string }[];
} {
  const shape = describeComponents(template.components);
  return {
    header: shape.headerParameter,
    body: shape.bodyParameterCount,
    buttons: shape.buttons
      .filter((b) => b.parameterCount > 0)
      .map((b) => ({ index: b.index, type: b.type })),
  };
}
