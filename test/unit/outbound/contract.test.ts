import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  outboundMessageSchema,
  parseOutboundMessage,
  whatsappLength,
  WHATSAPP_LIMITS,
  type OutboundMessage,
} from '../../../lambdas/domain/outbound/contract';
import { OUTBOUND_SCHEMA_PATH, outboundMessageJsonSchemaText } from '../../../lambdas/domain/outbound/json-schema';

const base = { version: 1, businessId: 'acme', to: '+5215512345678', idempotencyKey: 'k-1' } as const;
const parse = (content: unknown, extra: Record<string, unknown> = {}) => outboundMessageSchema.safeParse({ ...base, content, ...extra });
const issues = (result: ReturnType<typeof parse>) => (result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));

describe('outbound message contract v1', () => {
  it('accepts each content type', () => {
    const contents = [
      { type: 'text', text: 'Hola' },
      { type: 'image', url: 'https://cdn.example.com/a.jpg', caption: 'Pan' },
      { type: 'buttons', body: '¿Sí?', buttons: [{ id: 'y', title: 'Sí' }, { id: 'n', title: 'No' }] },
      { type: 'list', body: 'Elige', button: 'Ver', rows: [{ id: 'r1', title: 'Uno', description: 'El primero' }] },
      { type: 'template', template: { name: 'reengagement', language: 'es_MX', variables: { '1': 'Ana' } } },
    ];
    for (const content of contents) expect(issues(parse(content))).toEqual([]);
  });

  it('counts characters by code point, so an emoji counts once', () => {
    // Prepare: 20 emoji are 40 UTF-16 units but 20 characters.
    const title = '👍'.repeat(WHATSAPP_LIMITS.buttons.titleMax);

    // Act
    const atLimit = parse({ type: 'buttons', body: 'ok', buttons: [{ id: 'a', title }] });
    const over = parse({ type: 'buttons', body: 'ok', buttons: [{ id: 'a', title: `${title}👍` }] });

    // Assess
    expect(whatsappLength(title)).toBe(20);
    expect(atLimit.success).toBe(true);
    expect(issues(over)).toEqual(['content.buttons.0.title: Too long: at most 20 characters, got 21']);
  });

  it.each([
    ['more than 3 buttons', { type: 'buttons', body: 'x', buttons: [1, 2, 3, 4].map((n) => ({ id: `${n}`, title: `${n}` })) }, 'content.buttons'],
    ['a list row title over 24', { type: 'list', body: 'x', button: 'Ver', rows: [{ id: 'r', title: 'x'.repeat(25) }] }, 'content.rows.0.title'],
    ['a list row description over 72', { type: 'list', body: 'x', button: 'Ver', rows: [{ id: 'r', title: 't', description: 'd'.repeat(73) }] }, 'content.rows.0.description'],
    ['more than 10 rows', { type: 'list', body: 'x', button: 'Ver', rows: Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: 't' })) }, 'content.rows'],
    ['an http image', { type: 'image', url: 'http://cdn.example.com/a.jpg' }, 'content.url'],
    ['an empty text', { type: 'text', text: '   ' }, 'content.text'],
  ])('rejects %s with a clear path', (_name, content, path) => {
    const result = parse(content);
    expect(result.success).toBe(false);
    expect(issues(result).some((issue) => issue.startsWith(`${path}:`))).toBe(true);
  });

  it('requires exactly one of conversationId or to', () => {
    const both = outboundMessageSchema.safeParse({ ...base, conversationId: 'cv_' + 'A'.repeat(26), content: { type: 'text', text: 'x' } });
    const neither = outboundMessageSchema.safeParse({ version: 1, businessId: 'acme', idempotencyKey: 'k', content: { type: 'text', text: 'x' } });
    expect(issues(both)).toEqual(['conversationId: give exactly one of conversationId or to']);
    expect(neither.success).toBe(false);
  });

  it('parses a queue body and names the message when it is invalid', () => {
    const good = parseOutboundMessage(JSON.stringify({ ...base, content: { type: 'text', text: 'Hola' } } satisfies OutboundMessage));
    const bad = parseOutboundMessage(JSON.stringify({ ...base, content: { type: 'video' } }));
    expect(good.success).toBe(true);
    expect(bad).toEqual(expect.objectContaining({ success: false, businessId: 'acme', idempotencyKey: 'k-1' }));
  });

  it('is published as JSON Schema exactly as the code defines it (run `npm run schemas` after a change)', () => {
    // Prepare
    const committed = readFileSync(join(__dirname, '..', '..', '..', OUTBOUND_SCHEMA_PATH), 'utf8');

    // Act
    const generated = outboundMessageJsonSchemaText();

    // Assess
    expect(committed).toBe(generated);
  });

  it('publishes the limits and the conversationId/to rule in the JSON Schema', () => {
    const schema = JSON.parse(outboundMessageJsonSchemaText());
    const buttons = schema.properties.content.oneOf.find((c: { title: string }) => c.title === 'Reply buttons');
    expect(buttons.properties.buttons.maxItems).toBe(3);
    expect(buttons.properties.buttons.items.properties.title.maxLength).toBe(20);
    expect(schema.oneOf).toEqual([{ required: ['conversationId'] }, { required: ['to'] }]);
  });
});
