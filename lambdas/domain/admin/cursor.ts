import { AdminValidationError } from './errors';

/**
 * Opaque page cursors: base64url of `{ s: scope, k: key }`, where `scope` is the business (for
 * conversations) or the conversation (for messages) the cursor was handed out for and `key` the
 * DynamoDB key to continue after. A cursor is accepted only for the same scope and only with the
 * key attributes that scope's query uses, so a cursor cannot move a query into another partition
 * (the query's own key condition already pins the partition; this also refuses foreign cursors
 * with a clear 400 instead of an empty page).
 */
interface CursorBody {
  s: string;
  k: Record<string, string>;
}

/** @example encodeCursor('acme', { conversationId: 'cv_…', businessId: 'acme', lastMessageAt: '…' }) // 'eyJz…' */
export function encodeCursor(scope: string, key: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ s: scope, k: key } satisfies CursorBody), 'utf8').toString('base64url');
}

/**
 * The key of a cursor handed out for `scope`, with exactly `attributes` as string values, and
 * `pinned` attributes equal to the given values. Throws `AdminValidationError` otherwise.
 */
export function decodeCursor(cursor: string, scope: string, attributes: readonly string[], pinned: Record<string, string>): Record<string, string> {
  const invalid = () => new AdminValidationError('invalid cursor', [{ path: 'cursor', message: 'not a cursor of this list' }]);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof body !== 'object' || body === null) throw invalid();
  const { s, k } = body as Partial<CursorBody>;
  if (s !== scope || typeof k !== 'object' || k === null) throw invalid();
  const keys = Object.keys(k);
  if (keys.length !== attributes.length || !attributes.every((name) => typeof (k as Record<string, unknown>)[name] === 'string')) throw invalid();
  for (const [name, value] of Object.entries(pinned)) if (k[name] !== value) throw invalid();
  return k as Record<string, string>;
}
