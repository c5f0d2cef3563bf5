import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { contentCacheKey, type ContentCache } from '../providers/whatsapp/twilio/send/content-cache';
import { unavailable } from './aws-errors';

/** Enough for every distinct button set and list a busy container sees; the oldest go first. */
const DEFAULT_MEMO_ENTRIES = 1000;

/**
 * Content SIDs in the `contentCache` table (pk `cacheKey` = `${accountSid}#${hash}`; attributes
 * `contentSid`, `createdAt`), with a process-local memo in front: a Content resource never changes,
 * so a warm container asks DynamoDB once per distinct content.
 *
 * `put` is unconditional: two containers that created the same content at once both hold valid
 * SIDs, and whichever write lands last is as good as the other. Failures throw
 * `DependencyUnavailableError`; the sender treats them as a miss and never fails a send on them.
 *
 * @example
 * const cache = new DynamoDbContentCache(documents, env.CONTENT_CACHE_TABLE);
 * await cache.put('AC…', hash, 'HX…');
 * await cache.get('AC…', hash); // 'HX…'
 */
export class DynamoDbContentCache implements ContentCache {
  private readonly memo = new Map<string, string>();

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: { now?: () => Date; memoEntries?: number } = {},
  ) {}

  async get(accountSid: string, hash: string): Promise<string | undefined> {
    const cacheKey = contentCacheKey(accountSid, hash);
    const memoised = this.memo.get(cacheKey);
    if (memoised !== undefined) return memoised;
    let item: Record<string, unknown> | undefined;
    try {
      item = (await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { cacheKey } }))).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (content cache)', error);
    }
    const contentSid = item?.contentSid;
    if (typeof contentSid !== 'string' || contentSid === '') return undefined;
    this.remember(cacheKey, contentSid);
    return contentSid;
  }

  async put(accountSid: string, hash: string, contentSid: string): Promise<void> {
    const cacheKey = contentCacheKey(accountSid, hash);
    const createdAt = (this.options.now?.() ?? new Date()).toISOString();
    try {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: { cacheKey, contentSid, createdAt } }));
    } catch (error) {
      throw unavailable('DynamoDB PutItem (content cache)', error);
    }
    this.remember(cacheKey, contentSid);
  }

  private remember(cacheKey: string, contentSid: string): void {
    this.memo.delete(cacheKey);
    this.memo.set(cacheKey, contentSid);
    const limit = this.options.memoEntries ?? DEFAULT_MEMO_ENTRIES;
    while (this.memo.size > limit) {
      const oldest = this.memo.keys().next().value;
      if (oldest === undefined) break;
      this.memo.delete(oldest);
    }
  }
}
