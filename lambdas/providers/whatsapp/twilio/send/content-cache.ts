/**
 * Where the Content SIDs (`HX…`) of the buttons and lists we created live, by account and by a hash
 * of the content. A Content resource never changes once created, so an entry never goes stale
 * unless someone deletes the content in Twilio (the sender then re-creates it and overwrites).
 *
 * Two containers creating the same content at once is harmless: both SIDs are valid, the last
 * `put` wins, the other Content resource is simply never used again.
 */
export interface ContentCache {
  /** The SID cached for this content, or `undefined`. */
  get(accountSid: string, hash: string): Promise<string | undefined>;
  /** Records (or overwrites) the SID for this content. */
  put(accountSid: string, hash: string, contentSid: string): Promise<void>;
}

/**
 * A process-local cache, for the local runtime without DynamoDB and for tests.
 * @example const cache = new InMemoryContentCache();
 */
export class InMemoryContentCache implements ContentCache {
  private readonly entries = new Map<string, string>();

  async get(accountSid: string, hash: string): Promise<string | undefined> {
    return this.entries.get(contentCacheKey(accountSid, hash));
  }

  async put(accountSid: string, hash: string, contentSid: string): Promise<void> {
    this.entries.set(contentCacheKey(accountSid, hash), contentSid);
  }

  /** How many entries are cached (for tests). */
  get size(): number {
    return this.entries.size;
  }
}

/**
 * The cache key: Content SIDs belong to one Twilio account (a subaccount cannot use its parent's),
 * so the account is part of the key.
 * @example contentCacheKey('AC123', 'ab12…') // 'AC123#ab12…'
 */
export function contentCacheKey(accountSid: string, hash: string): string {
  return `${accountSid}#${hash}`;
}
