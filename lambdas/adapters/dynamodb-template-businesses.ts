import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unavailable } from './aws-errors';

/**
 * The businesses that have templates: the distinct partition keys of the `templates` table.
 *
 * This is the one Scan in the product, on purpose: the hourly sync must visit every template
 * anyway, and no index lists businesses. It stays cheap because the table holds a handful of items
 * per business and none per message or conversation: with 1,000 businesses × 3 templates of
 * ~0.5 KB, one run reads ~1.5 MB (two pages, ~190 read units). `maxItems` bounds a run if the
 * table ever grows past that.
 * @example
 * const businessIds = await new DynamoDbTemplateBusinesses(documents, templatesTable).list();
 */
export class DynamoDbTemplateBusinesses {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly maxItems: number = 100_000,
  ) {}

  async list(): Promise<string[]> {
    const businesses = new Set<string>();
    let read = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      let page;
      try {
        page = await this.documents.send(
          new ScanCommand({
            TableName: this.tableName,
            ProjectionExpression: 'businessId',
            ...(startKey && { ExclusiveStartKey: startKey }),
          }),
        );
      } catch (error) {
        throw unavailable('DynamoDB Scan (templates)', error);
      }
      for (const item of page.Items ?? []) if (typeof item.businessId === 'string') businesses.add(item.businessId);
      read += page.ScannedCount ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey && read < this.maxItems);
    return [...businesses];
  }
}
