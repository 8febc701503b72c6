import { z } from 'zod';
import type { Template, TemplateBotParameters } from '../db/types.js';
import { badUserInput } from '../errors.js';
import {
  botName,
  checkTrigger,
  httpUrl,
  keywordList,
  TRIGGER_TYPES,
} from '../message-bots/triggers.js';
import { templateParameters } from '../templates/components.js';

/**
 * A template bot's values and how its parameter mapping must fit its template: one body
 * parameter per {{n}}, the header's parameter (text, or a media link) when the header takes one,
 * one parameter per button that needs one. Each parameter is a contact field or a fixed value.
 */
export const CONTACT_FIELDS = [
  'FIRST_NAME',
  'LAST_NAME',
  'FULL_NAME',
  'PHONE',
  'EMAIL',
  'COMPANY',
  'COUNTRY',
] as const;

const parameter = z
  .object({
    contactField: z.enum(CONTACT_FIELDS).nullish(),
    value: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(1024, 'must be at most 1024 characters')
      .nullish(),
  })
  .superRefine((p, ctx) => {
    if ((p.contactField == null) === (p.value == null)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of contactField and value' });
    }
  })
  .transform((p) => (p.contactField ? { contactField: p.contactField } : { value: p.value! }));

export const templateBotValues = z
  .object({
    name: botName,
    triggerType: z.enum(TRIGGER_TYPES),
    keywords: keywordList,
    headerParameter: parameter.nullish(),
    headerMediaUrl: httpUrl.nullish(),
    bodyParameters: z.array(parameter).max(100, 'must hold at most 100 parameters'),
    buttonParameters: z.array(parameter).max(10, 'must hold at most 10 parameters'),
    active: z.boolean(),
  })
  .superRefine(checkTrigger);

export type TemplateBotValues = z.output<typeof templateBotValues>;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The stored mapping, or BAD_USER_INPUT naming the input field that does not fit `template`. */
export function fitParameters(
  template: Template,
  values: TemplateBotValues,
): TemplateBotParameters {
  const name = JSON.stringify(template.name);
  if (template.removed_at) {
    throw badUserInput('templateId', `The template ${name} is no longer listed by WhatsApp.`);
  }
  const wanted = templateParameters(template);
  if (values.bodyParameters.length !== wanted.body) {
    throw badUserInput(
      'bodyParameters',
      `The template ${name} takes ${plural(wanted.body, 'body parameter')}; got ${values.bodyParameters.length}.`,
    );
  }
  if (values.buttonParameters.length !== wanted.buttons.length) {
    throw badUserInput(
      'buttonParameters',
      `The template ${name} has ${plural(wanted.buttons.length, 'button')} that take a parameter; got ${values.buttonParameters.length}.`,
    );
  }
  const header = wanted.header?.kind;
  if (header === 'LOCATION') {
    throw badUserInput(
      'templateId',
      `Template bots cannot send ${name}: its header is a location.`,
    );
  }
  if (header === 'TEXT' && !values.headerParameter) {
    throw badUserInput('headerParameter', `The template ${name} takes a header parameter.`);
  }
  if (header !== 'TEXT' && values.headerParameter) {
    throw badUserInput('headerParameter', `The template ${name} takes no header text parameter.`);
  }
  if (header === 'MEDIA' && !values.headerMediaUrl) {
    throw badUserInput('headerMediaUrl', `The template ${name} has a media header: give its link.`);
  }
  if (header !== 'MEDIA' && values.headerMediaUrl) {
    throw badUserInput('headerMediaUrl', `The template ${name} has no media header.`);
  }
  return {
    header: values.headerParameter ?? null,
    headerMediaUrl: values.headerMediaUrl ?? null,
    body: values.bodyParameters,
    buttons: values.buttonParameters,
  };
}
