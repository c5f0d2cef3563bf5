import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import {
  TEMPLATE_APPROVAL_STATUSES,
  TEMPLATE_CATEGORIES,
  TemplateNotFoundError,
  templateKeyOf,
  type TemplateApprovalStatus,
  type TemplateDefinition,
  type TemplateRegistry,
} from '../domain/templates';
import { unavailable } from './aws-errors';

const templateItemSchema = z.object({
  businessId: z.string().min(1),
  name: z.string().min(1),
  language: z.string().min(1),
  providerTemplateId: z.string().min(1),
  category: z.enum(TEMPLATE_CATEGORIES as [TemplateDefinition['category'], ...TemplateDefinition['category'][]]),
  approvalStatus: z.enum(TEMPLATE_APPROVAL_STATUSES as [TemplateApprovalStatus, ...TemplateApprovalStatus[]]),
  rejectionReason: z.string().optional(),
  variables: z.record(z.string(), z.string()).default({}),
  connectionId: z.string().min(1),
  updatedAt: z.string().min(1),
});

/**
 * The `templates` table: partition `businessId`, sort `templateKey` = `${name}#${language}`.
 * A business's templates are one partition, so `list` is one query, never a scan.
 * @example
 * const registry = new DynamoDbTemplateRegistry(documents, 'templates-table');
 * await registry.get('acme', 'reengagement', 'es_MX');
 */
export class DynamoDbTemplateRegistry implements TemplateRegistry {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(businessId: string, name: string, language: string): Promise<TemplateDefinition | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      item = (
        await this.documents.send(
          new GetCommand({ TableName: this.tableName, Key: { businessId, templateKey: templateKeyOf(name, language) } }),
        )
      ).Item;
    } catch (error) {
      throw unavailable('DynamoDB GetItem (template)', error);
    }
    return item ? toDefinition(item) : undefined;
  }

  async put(definition: TemplateDefinition): Promise<void> {
    const parsed = templateItemSchema.parse(definition);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...withoutUndefined(parsed), templateKey: templateKeyOf(parsed.name, parsed.language) },
        }),
      );
    } catch (error) {
      throw unavailable('DynamoDB PutItem (template)', error);
    }
  }

  async list(businessId: string): Promise<TemplateDefinition[]> {
    const definitions: TemplateDefinition[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let page;
      try {
        page = await this.documents.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'businessId = :b',
            ExpressionAttributeValues: { ':b': businessId },
            ExclusiveStartKey: startKey,
          }),
        );
      } catch (error) {
        throw unavailable('DynamoDB Query (templates)', error);
      }
      for (const item of page.Items ?? []) {
        const definition = toDefinition(item);
        if (definition) definitions.push(definition);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return definitions;
  }

  async setApprovalStatus(
    businessId: string,
    name: string,
    language: string,
    status: TemplateApprovalStatus,
    reason?: string,
  ): Promise<void> {
    const values: Record<string, unknown> = { ':status': status, ':at': this.now().toISOString() };
    let update = 'SET approvalStatus = :status, updatedAt = :at';
    if (reason !== undefined) {
      update += ', rejectionReason = :reason';
      values[':reason'] = reason;
    } else {
      update += ' REMOVE rejectionReason';
    }
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { businessId, templateKey: templateKeyOf(name, language) },
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(templateKey)',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new TemplateNotFoundError(`no template ${templateKeyOf(name, language)} for the business`);
      }
      throw unavailable('DynamoDB UpdateItem (template status)', error);
    }
  }
}

/** A malformed item reads as no template: sending falls back to "not approved", never crashes. */
function toDefinition(item: Record<string, unknown>): TemplateDefinition | undefined {
  const parsed = templateItemSchema.safeParse(item);
  if (!parsed.success) return undefined;
  const { rejectionReason, ...rest } = parsed.data;
  return { ...rest, ...(rejectionReason !== undefined && { rejectionReason }) };
}

function withoutUndefined<T extends Record<string, unknown>>(item: T): T {
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined)) as T;
}
