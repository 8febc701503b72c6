import type { MetaTemplate } from './repo.js';

/**
 * The templates syncTemplates loads in sandbox mode (and the demo seed), in Meta's wire format:
 * every header format, body parameters, each common button type, and one PENDING, one REJECTED
 * and one PAUSED template. Meta ids are fixed, so a second sandbox sync changes nothing.
 */
export const SANDBOX_TEMPLATES: readonly MetaTemplate[] = [
  {
    id: '900000000000001',
    name: 'order_confirmation',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Order confirmed' },
      {
        type: 'BODY',
        text: 'Hi {{1}}, thanks for your order {{2}}! Your total is {{3}}. We will let you know as soon as it ships.',
        example: { body_text: [['Maria', '#1042', '$59.90']] },
      },
      { type: 'FOOTER', text: 'Reply STOP to unsubscribe' },
      {
        type: 'BUTTONS',
        buttons: [
          {
            type: 'URL',
            text: 'Track order',
            url: 'https://shop.example.com/orders/{{1}}',
            example: ['https://shop.example.com/orders/1042'],
          },
        ],
      },
    ],
  },
  {
    id: '900000000000002',
    name: 'shipping_update',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      {
        type: 'HEADER',
        format: 'DOCUMENT',
        example: { header_handle: ['https://shop.example.com/samples/invoice.pdf'] },
      },
      {
        type: 'BODY',
        text: 'Hi {{1}}, your order {{2}} is on its way with {{3}}. Your invoice is attached.',
        example: { body_text: [['Maria', '#1042', 'DHL Express']] },
      },
      {
        type: 'BUTTONS',
        buttons: [{ type: 'PHONE_NUMBER', text: 'Call support', phone_number: '+15550100200' }],
      },
    ],
  },
  {
    id: '900000000000003',
    name: 'summer_sale',
    language: 'en_US',
    status: 'APPROVED',
    category: 'MARKETING',
    components: [
      {
        type: 'HEADER',
        format: 'IMAGE',
        example: { header_handle: ['https://shop.example.com/samples/summer.jpg'] },
      },
      {
        type: 'BODY',
        text: 'Hi {{1}}! Our summer sale is on: {{2}} off everything until Sunday. ☀️',
        example: { body_text: [['Maria', '30%']] },
      },
      { type: 'FOOTER', text: 'Tap "Stop promotions" to opt out' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Shop now' },
          { type: 'QUICK_REPLY', text: 'Stop promotions' },
          { type: 'URL', text: 'View offers', url: 'https://shop.example.com/sale' },
        ],
      },
    ],
  },
  {
    id: '900000000000004',
    name: 'login_code',
    language: 'en_US',
    status: 'APPROVED',
    category: 'AUTHENTICATION',
    components: [
      {
        type: 'BODY',
        text: '*{{1}}* is your verification code. For your security, do not share this code.',
        add_security_recommendation: true,
        example: { body_text: [['482913']] },
      },
      { type: 'FOOTER', text: 'This code expires in 10 minutes.', code_expiration_minutes: 10 },
      {
        type: 'BUTTONS',
        buttons: [{ type: 'OTP', otp_type: 'COPY_CODE', text: 'Copy code' }],
      },
    ],
  },
  {
    id: '900000000000005',
    name: 'welcome_message',
    language: 'es',
    status: 'APPROVED',
    category: 'MARKETING',
    components: [
      {
        type: 'HEADER',
        format: 'TEXT',
        text: '¡Bienvenido, {{1}}!',
        example: { header_text: ['Carlos'] },
      },
      {
        type: 'BODY',
        text: 'Hola {{1}}, gracias por unirte a {{2}}. Responde a este mensaje si necesitas ayuda.',
        example: { body_text: [['Carlos', 'Tienda Demo']] },
      },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Ver catálogo' }] },
    ],
  },
  {
    id: '900000000000006',
    name: 'appointment_reminder',
    language: 'en_US',
    status: 'PENDING',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'LOCATION' },
      {
        type: 'BODY',
        text: 'Hi {{1}}, this is a reminder of your appointment on {{2}} at {{3}}.',
        example: { body_text: [['Maria', 'Friday 12 December', '10:30']] },
      },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Confirm' },
          { type: 'QUICK_REPLY', text: 'Reschedule' },
        ],
      },
    ],
  },
  {
    id: '900000000000007',
    name: 'flash_coupon',
    language: 'en_US',
    status: 'REJECTED',
    category: 'MARKETING',
    rejected_reason: 'PROMOTIONAL',
    components: [
      {
        type: 'BODY',
        text: 'Today only: use code {{1}} for 50% off your next order!',
        example: { body_text: [['FLASH50']] },
      },
      { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'FLASH50' }] },
    ],
  },
  {
    id: '900000000000008',
    name: 'feedback_survey',
    language: 'en_US',
    status: 'PAUSED',
    category: 'MARKETING',
    components: [
      {
        type: 'HEADER',
        format: 'VIDEO',
        example: { header_handle: ['https://shop.example.com/samples/thanks.mp4'] },
      },
      { type: 'BODY', text: 'How did we do? Tap below to rate your last order.' },
      {
        type: 'BUTTONS',
        buttons: [
          { type: 'QUICK_REPLY', text: 'Great' },
          { type: 'QUICK_REPLY', text: 'Could be better' },
        ],
      },
    ],
  },
];
