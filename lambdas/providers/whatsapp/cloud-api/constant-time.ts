import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets in constant time, whatever their lengths: both are hashed first, so
 * neither the content nor the length of the expected value leaks through timing. An empty
 * expected value never matches (an unset secret must not accept an empty header).
 * @example secretsEqual('s3cret', 's3cret') // true
 */
export function secretsEqual(received: string | undefined, expected: string | undefined): boolean {
  if (!received || !expected) return false;
  const a = createHash('sha256').update(received, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
