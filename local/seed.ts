/**
 * Seeds the demo business: one Twilio connection whose credentials live in Secrets Manager, exactly
 * the way the admin API will store a real one. Idempotent: a second run updates, never fails.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { marshall } from '@aws-sdk/util-dynamodb';

export interface SeedDemoOptions {
  endpoint: string;
  region: string;
  /** The connections table's local name. */
  connectionsTable: string;
  /** Its partition key attribute: must be `connectionId`, checked so a schema change fails loudly here. */
  connectionsPartitionKey?: string;
  accountSid: string;
  authToken: string;
  /** The business's WhatsApp number, E.164. */
  whatsappNumber: string;
  /** Secret names start with `<prefix>/connections/`. */
  secretPrefix: string;
  businessId?: string;
  connectionId?: string;
  now?: () => Date;
}

export interface SeededDemo {
  businessId: string;
  connectionId: string;
  secretName: string;
  secretArn: string;
}

/** Raised when the seed cannot be written as designed (e.g. the connections table has another key). */
export class SeedError extends Error {}

async function upsertSecret(client: SecretsManagerClient, name: string, secretString: string): Promise<string> {
  try {
    const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: secretString }));
    return created.ARN as string;
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: secretString }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    return described.ARN as string;
  }
}

/**
 * Creates or updates the demo connection's secret and its item in the connections table.
 * @example
 * const demo = await seedDemo({ endpoint, region: 'us-east-1', connectionsTable, accountSid, authToken,
 *   whatsappNumber: '+14155238886', secretPrefix: 'echo-whatsapp' });
 * demo.secretArn // 'arn:aws:secretsmanager:us-east-1:123456789012:secret:echo-whatsapp/connections/demo-…'
 */
export async function seedDemo(options: SeedDemoOptions): Promise<SeededDemo> {
  const businessId = options.businessId ?? 'demo';
  const connectionId = options.connectionId ?? 'demo';
  if (options.connectionsPartitionKey && options.connectionsPartitionKey !== 'connectionId') {
    throw new SeedError(
      `the connections table's partition key is \`${options.connectionsPartitionKey}\`, the seed writes \`connectionId\`: ` +
        'update local/seed.ts to the new schema',
    );
  }
  const config = {
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
  const secrets = new SecretsManagerClient(config);
  const dynamodb = new DynamoDBClient(config);
  try {
    const secretName = `${options.secretPrefix}/connections/${connectionId}`;
    const secretArn = await upsertSecret(
      secrets,
      secretName,
      JSON.stringify({ accountSid: options.accountSid, authToken: options.authToken }),
    );

    const now = (options.now ?? (() => new Date()))().toISOString();
    const fields = {
      businessId,
      provider: 'twilio',
      status: 'active',
      displayNumber: options.whatsappNumber,
      providerNumberId: options.whatsappNumber,
      accountSid: options.accountSid,
      // What the admin API shows of the token; the token itself lives only in the secret.
      authTokenLast4: options.authToken.slice(-4),
      secretArn,
      verified: false,
      updatedAt: now,
    };
    // One UpdateItem: creates the item on the first run and keeps its createdAt on later ones.
    const names = Object.fromEntries(Object.keys(fields).map((key, i) => [`#f${i}`, key]));
    const values = Object.fromEntries(Object.values(fields).map((value, i) => [`:f${i}`, value]));
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: options.connectionsTable,
        Key: marshall({ connectionId }),
        UpdateExpression: `SET ${Object.keys(fields)
          .map((_key, i) => `#f${i} = :f${i}`)
          .join(', ')}, #createdAt = if_not_exists(#createdAt, :now)`,
        ExpressionAttributeNames: { ...names, '#createdAt': 'createdAt' },
        ExpressionAttributeValues: marshall({ ...values, ':now': now }),
      }),
    );
    return { businessId, connectionId, secretName, secretArn };
  } finally {
    secrets.destroy();
    dynamodb.destroy();
  }
}
