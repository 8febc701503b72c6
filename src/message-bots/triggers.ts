import { z } from 'zod';
import { builder } from '../builder.js';

/**
 * What both kinds of bot share: a name, when they fire (WhatsMark's "reply type": on an exact
 * keyword, on a message containing a keyword, or on a contact's first message) and the keywords.
 */
export const TRIGGER_TYPES = ['EXACT_MATCH', 'CONTAINS', 'FIRST_MESSAGE'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export const BotTriggerTypeEnum = builder.enumType('BotTriggerType', {
  description: 'When a bot replies to an incoming message.',
  values: {
    EXACT_MATCH: { description: 'The message is one of the keywords (case-insensitive).' },
    CONTAINS: { description: 'The message contains one of the keywords (case-insensitive).' },
    FIRST_MESSAGE: { description: "The contact's first message; takes no keywords." },
  },
});

export const botName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters');

/** Trimmed, at most 50, duplicates (any case) dropped keeping the first spelling. */
export const keywordList = z
  .array(z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'))
  .max(50, 'must hold at most 50 keywords')
  .transform((list) => {
    const seen = new Set<string>();
    return list.filter((k) => !seen.has(k.toLowerCase()) && seen.add(k.toLowerCase()));
  });

/** Keyword triggers need a keyword; FIRST_MESSAGE takes none. */
export function checkTrigger(
  bot: { triggerType: TriggerType; keywords: string[] },
  ctx: z.RefinementCtx,
): void {
  if (bot.triggerType === 'FIRST_MESSAGE' && bot.keywords.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['keywords'],
      message: 'must be empty when triggerType is FIRST_MESSAGE',
    });
  }
  if (bot.triggerType !== 'FIRST_MESSAGE' && bot.keywords.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['keywords'],
      message: `must name at least one keyword for ${bot.triggerType}`,
    });
  }
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const httpUrl = z
  .string()
  .trim()
  .max(2048, 'must be at most 2048 characters')
  .refine(isHttpUrl, 'must be an http(s) URL');

/** Merges an update's input over the stored values: undefined keeps, null clears. */
export function mergePatch<T extends Record<string, unknown>>(
  current: T,
  patch: Record<string, unknown>,
  /** Fields that cannot be cleared; a null there keeps the current value. */
  required: readonly string[],
): T {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || (value === null && required.includes(key))) continue;
    merged[key] = value;
  }
  return merged as T;
}

export const BotFilterInput = builder.inputType('BotFilter', {
  fields: (t) => ({
    active: t.boolean(),
    triggerType: t.field({ type: BotTriggerTypeEnum }),
    search: t.string({ description: 'Case-insensitive part of the name or of a keyword.' }),
  }),
});
