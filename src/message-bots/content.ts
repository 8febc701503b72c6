import { z } from 'zod';
import type { MessageBot, MessageBotContent } from '../db/types.js';
import { botName, checkTrigger, httpUrl, keywordList, TRIGGER_TYPES } from './triggers.js';

/**
 * A message bot's reply, checked against WhatsApp's limits: a TEXT reply (up to 4096
 * characters), MEDIA (a link, optional caption), BUTTONS (1–3 quick-reply buttons, titles up to
 * 20 characters) or CTA_URL (one link button). Each reply type takes only its own fields.
 */
export const REPLY_TYPES = ['TEXT', 'MEDIA', 'BUTTONS', 'CTA_URL'] as const;
export const MEDIA_TYPES = ['IMAGE', 'VIDEO', 'AUDIO', 'DOCUMENT'] as const;
export type ReplyType = (typeof REPLY_TYPES)[number];

type ContentField = 'text' | 'header' | 'footer' | 'media' | 'buttons' | 'ctaButton';
const CONTENT_FIELDS: readonly ContentField[] = [
  'text',
  'header',
  'footer',
  'media',
  'buttons',
  'ctaButton',
];

/** The content fields each reply type uses; `text` is required except for MEDIA (caption). */
export const FIELDS_OF: Record<ReplyType, readonly ContentField[]> = {
  TEXT: ['text'],
  MEDIA: ['media', 'text'],
  BUTTONS: ['text', 'header', 'footer', 'buttons'],
  CTA_URL: ['text', 'header', 'footer', 'ctaButton'],
};
const REQUIRED_OF: Record<ReplyType, readonly ContentField[]> = {
  TEXT: ['text'],
  MEDIA: ['media'],
  BUTTONS: ['text', 'buttons'],
  CTA_URL: ['text', 'ctaButton'],
};

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

export const messageBotValues = z
  .object({
    name: botName,
    triggerType: z.enum(TRIGGER_TYPES),
    keywords: keywordList,
    replyType: z.enum(REPLY_TYPES),
    text: text(4096).nullish(),
    header: text(60).nullish(),
    footer: text(60).nullish(),
    media: z
      .object({ type: z.enum(MEDIA_TYPES), url: httpUrl, filename: text(240).nullish() })
      .nullish(),
    buttons: z
      .array(
        z.object({
          title: text(20),
          id: z.string().trim().min(1, 'must not be empty').max(256).nullish(),
        }),
      )
      .min(1, 'must hold 1 to 3 buttons')
      .max(3, 'must hold 1 to 3 buttons')
      .nullish(),
    ctaButton: z.object({ text: text(20), url: httpUrl }).nullish(),
    active: z.boolean(),
  })
  .superRefine((bot, ctx) => {
    checkTrigger(bot, ctx);
    for (const field of CONTENT_FIELDS) {
      const used = FIELDS_OF[bot.replyType].includes(field);
      const given = bot[field] != null;
      if (given && !used) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `is not used by replyType ${bot.replyType}`,
        });
      }
      if (!given && REQUIRED_OF[bot.replyType].includes(field)) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `is required for replyType ${bot.replyType}`,
        });
      }
    }
    // Interactive messages and captions allow 1024 characters, plain text 4096.
    if (bot.replyType !== 'TEXT' && bot.text && bot.text.length > 1024) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'must be at most 1024 characters' });
    }
    const titles = (bot.buttons ?? []).map((b) => b.title.toLowerCase());
    if (new Set(titles).size !== titles.length) {
      ctx.addIssue({ code: 'custom', path: ['buttons'], message: 'titles must differ' });
    }
  });

export type MessageBotValues = z.output<typeof messageBotValues>;

/** The stored content: only the reply type's fields, buttons given ids (`button_1`…) if absent. */
export function toContent(values: MessageBotValues): MessageBotContent {
  const content: MessageBotContent = {};
  if (values.text) content.text = values.text;
  if (values.header) content.header = values.header;
  if (values.footer) content.footer = values.footer;
  if (values.media) {
    content.media = { type: values.media.type, url: values.media.url };
    if (values.media.filename) content.media.filename = values.media.filename;
  }
  if (values.buttons) {
    content.buttons = values.buttons.map((b, i) => ({
      id: b.id ?? `button_${i + 1}`,
      title: b.title,
    }));
  }
  if (values.ctaButton) content.ctaButton = values.ctaButton;
  return content;
}

/**
 * A stored bot as update input, before the patch: content fields the (possibly new) reply type
 * does not use are dropped, and keywords when the trigger becomes FIRST_MESSAGE, so switching
 * type needs no explicit clearing.
 */
export function currentValues(
  bot: MessageBot,
  replyType: ReplyType,
  triggerType: string,
): Record<string, unknown> {
  const content = bot.content as Record<ContentField, unknown>;
  const values: Record<string, unknown> = {
    name: bot.name,
    triggerType,
    keywords: triggerType === 'FIRST_MESSAGE' ? [] : bot.keywords,
    replyType,
    active: bot.active,
  };
  for (const field of FIELDS_OF[replyType]) values[field] = content[field] ?? null;
  return values;
}
