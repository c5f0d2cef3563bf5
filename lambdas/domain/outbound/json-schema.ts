import * as z from 'zod';
import { outboundMessageSchema } from './contract';

/** Where the published schema lives, relative to the repository root. */
export const OUTBOUND_SCHEMA_PATH = 'schemas/outbound-message.v1.json';
export const OUTBOUND_SCHEMA_ID = 'https://schemas.echo.dev/whatsapp/outbound-message.v1.json';

/**
 * The outbound message contract as JSON Schema (draft 2020-12), for producers in other languages.
 * It describes what a producer sends (`io: 'input'`). Lengths are `maxLength` in code points, as
 * JSON Schema defines them and as the zod schema counts.
 * @example JSON.stringify(outboundMessageJsonSchema(), null, 2)
 */
export function outboundMessageJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(outboundMessageSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return { $schema, $id: OUTBOUND_SCHEMA_ID, ...rest };
}

/** The file's exact text (two-space indent, trailing newline). */
export function outboundMessageJsonSchemaText(): string {
  return `${JSON.stringify(outboundMessageJsonSchema(), null, 2)}\n`;
}
