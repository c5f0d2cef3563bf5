/**
 * `npm run ops -- audit --business <id> --from <ISO> --to <ISO>`: what the payload archive holds for
 * one business in a window, both directions, in time order, as JSON Lines on stdout: every webhook
 * request we accepted (its payload decoded: JSON, or Twilio's form fields) and every request we sent
 * to a BSP with its answer (credentials were never archived). It is the business's own data: numbers
 * and texts are not masked; redirect it to a file, not a shared log.
 */
import { archiveKeyTime, type ArchiveRecord, type PayloadArchiveReader } from '../../lambdas/domain/archive';

/** A body as the audit shows it: JSON when it is JSON, form fields when it is a form, else the text. */
function decoded(body: string | undefined, contentType?: string): unknown {
  if (body === undefined || body === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    // Not JSON.
  }
  if (contentType?.includes('x-www-form-urlencoded') || /^[\w.%+-]+=[^&]*(&[\w.%+-]+=[^&]*)*$/.test(body)) {
    return Object.fromEntries(new URLSearchParams(body));
  }
  return body;
}

/**
 * One audit line for one archived record.
 * @example auditLineOf(record) // { direction: 'inbound', at: '…', provider: 'meta', payload: { object: 'whatsapp_business_account', … } }
 */
export function auditLineOf(record: ArchiveRecord): Record<string, unknown> {
  if (record.direction === 'inbound') {
    return {
      direction: 'inbound',
      at: record.receivedAt,
      provider: record.provider,
      businessId: record.businessId,
      connectionId: record.connectionId,
      route: record.route,
      requestId: record.requestId,
      payload: decoded(record.rawBody, record.headers['content-type']),
    };
  }
  return {
    direction: 'outbound',
    at: record.at,
    provider: record.provider,
    businessId: record.businessId,
    connectionId: record.connectionId,
    conversationId: record.conversationId,
    messageId: record.messageId,
    outcome: record.outcome,
    exchanges: record.exchanges.map((exchange) => ({
      method: exchange.method,
      url: exchange.url,
      status: exchange.status,
      durationMs: exchange.durationMs,
      ...(exchange.error && { error: exchange.error }),
      request: decoded(exchange.requestBody, exchange.requestHeaders['content-type']),
      response: decoded(exchange.responseBody),
    })),
  };
}

/** Writes the audit of one business and window; returns how many records it wrote. */
export async function audit(
  archive: PayloadArchiveReader,
  query: { businessId: string; from: Date; to: Date },
  write: (line: string) => void,
): Promise<number> {
  const keys: string[] = [];
  for (const direction of ['inbound', 'outbound'] as const) {
    for await (const key of archive.list({ direction, ...query })) keys.push(key);
  }
  // Both halves merged by time (each listing is already in time order per connection).
  keys.sort((a, b) => (archiveKeyTime(a)?.getTime() ?? 0) - (archiveKeyTime(b)?.getTime() ?? 0) || a.localeCompare(b));
  for (const key of keys) write(JSON.stringify(auditLineOf(await archive.get(key))));
  return keys.length;
}
