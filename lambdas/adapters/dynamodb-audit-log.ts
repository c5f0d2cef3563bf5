import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditLog, AuditRecord } from '../domain/admin/ports';
import { unavailable } from './aws-errors';

/**
 * The audit table: partition `businessId`, sort `auditId` (`${ISO time}#${uuid}`, so a business's
 * records read in time order), TTL attribute `expiresAt`. Append-only: a unique sort key per record
 * and a condition that it is new, so a retry never overwrites an earlier record.
 * @example await new DynamoDbAuditLog(documents, 'audit-table').write(record);
 */
export class DynamoDbAuditLog implements AuditLog {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async write(record: AuditRecord): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record },
          ConditionExpression: 'attribute_not_exists(auditId)',
        }),
      );
    } catch (error) {
      throw unavailable('DynamoDB PutItem (audit)', error);
    }
  }
}
