/**
 * Writes the public JSON Schemas from their zod definitions: `npm run schemas`.
 * A unit test (test/unit/outbound/json-schema.test.ts) fails when a committed file differs from
 * what this script would write, so the published contract cannot drift from the code.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OUTBOUND_SCHEMA_PATH, outboundMessageJsonSchemaText } from '../lambdas/domain/outbound/json-schema';

const root = join(__dirname, '..');
const target = join(root, OUTBOUND_SCHEMA_PATH);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, outboundMessageJsonSchemaText());
console.log(`wrote ${OUTBOUND_SCHEMA_PATH}`);
