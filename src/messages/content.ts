/**
 * What a message carries, as stored in `messages.content`, and the request body Meta's Cloud API
 * expects for it (POST /{phone-number-id}/messages). The template content is stored already in
 * Meta's shape, built and checked against the template when the message is accepted.
 */
export type MediaKind = 'image' | 'video' | 'audio' | 'document';

export interface TextContent {
  body: string;
  previewUrl: boolean;
}

export interface MediaContent {
  kind: MediaKind;
  link: string;
  caption?: string;
  filename?: string;
}

export interface TemplateContent {
  name: string;
  language: string;
  components: MetaTemplateComponent[];
}

export interface MetaTemplateComponent {
  type: 'header' | 'body' | 'button';
  sub_type?: string;
  index?: string;
  parameters: MetaTemplateParameter[];
}

export type MetaTemplateParameter =
  | { type: 'text'; text: string }
  | {
      type: 'image' | 'video' | 'document';
      image?: { link: string };
      video?: { link: string };
      document?: { link: string; filename?: string };
    };

export type MessageContent =
  | { type: 'TEXT'; content: TextContent }
  | { type: 'MEDIA'; content: MediaContent }
  | { type: 'TEMPLATE'; content: TemplateContent };

/** Meta's JSON for one outgoing message. `biz_opaque_callback_data` comes back in status webhooks. */
export function toMetaRequest(
  to: string,
  message: MessageContent,
  callbackData: string,
): Record<string, unknown> {
  const base = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: to.replace(/^\+/, ''),
    biz_opaque_callback_data: callbackData,
  };
  switch (message.type) {
    case 'TEXT':
      return {
        ...base,
        type: 'text',
        text: { body: message.content.body, preview_url: message.content.previewUrl },
      };
    case 'MEDIA': {
      const { kind, link, caption, filename } = message.content;
      // Meta takes a caption for image, video and document, a filename for documents only.
      const media: Record<string, string> = { link };
      if (caption !== undefined && kind !== 'audio') media.caption = caption;
      if (filename !== undefined && kind === 'document') media.filename = filename;
      return { ...base, type: kind, [kind]: media };
    }
    case 'TEMPLATE': {
      const { name, language, components } = message.content;
      return {
        ...base,
        type: 'template',
        template: {
          name,
          language: { code: language },
          ...(components.length > 0 && { components }),
        },
      };
    }
  }
}
