/**
 * Seeds the demo businesses: one connection each, its credentials in Secrets Manager, exactly the
 * way the admin API stores a real one (`secretLast4`, never a secret, on the item). `npm run dev`
 * seeds three: `demo` (Twilio), `demo-meta` (Meta Cloud API) and `demo-360dialog` (360dialog).
 * Idempotent: a second run updates, never fails, and keeps `createdAt`.
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
import { DynamoDbAdminConnectionStore } from '../lambdas/adapters/dynamodb-admin-connection-store';
import { isSharedNumber, type ProviderName } from '../lambdas/domain/providers';

/** Where the seed writes. */
export interface SeedTarget {
  endpoint: string;
  region: string;
  /** The connections table's local name. */
  connectionsTable: string;
  /** Its partition key attribute: must be `connectionId`, checked so a schema change fails loudly here. */
  connectionsPartitionKey?: string;
  /** Secret names start with `<prefix>/connections/`. */
  secretPrefix: string;
  now?: () => Date;
}

export interface SeedDemoOptions extends SeedTarget {
  accountSid: string;
  authToken: string;
  /** The business's WhatsApp number, E.164. */
  whatsappNumber: string;
  businessId?: string;
  connectionId?: string;
  /**
   * Seed the connection as tested (`verified: true`), so the settings page shows it connected.
   * @default false
   */
  verified?: boolean;
}

export interface SeededDemo {
  businessId: string;
  connectionId: string;
  secretName: string;
  secretArn: string;
}

/** One connection to seed, of any provider. */
export interface SeedConnection {
  businessId: string;
  connectionId: string;
  provider: ProviderName;
  /** The secret's JSON, as the provider reads it (`{accountSid, authToken}`, `{accessToken, appSecret, verifyToken}`, `{apiKey, webhookSecret}`). */
  secret: Record<string, string>;
  /** Which secret fields the admin API shows the last 4 characters of. */
  last4Of: string[];
  /** E.164. */
  displayNumber: string;
  /** Meta's phone number id; the E.164 number for Twilio and 360dialog. */
  providerNumberId: string;
  /** Meta's WABA id, Twilio's Account SID; none for 360dialog. */
  providerAccountId?: string;
  /** Other non-secret attributes of the item (`accountSid`, Meta's `verifyToken`, which the owner must see). */
  attributes?: Record<string, string>;
  /** @default false */
  verified?: boolean;
}

export interface SeededConnection extends SeededDemo {
  provider: ProviderName;
  displayNumber: string;
  providerNumberId: string;
  providerAccountId?: string;
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

async function writeConnection(secrets: SecretsManagerClient, dynamodb: DynamoDBClient, target: SeedTarget, connection: SeedConnection): Promise<SeededConnection> {
  const secretName = `${target.secretPrefix}/connections/${connection.connectionId}`;
  const secretArn = await upsertSecret(secrets, secretName, JSON.stringify(connection.secret));
  const now = (target.now ?? (() => new Date()))().toISOString();
  const fields: Record<string, unknown> = {
    businessId: connection.businessId,
    provider: connection.provider,
    status: 'active',
    displayNumber: connection.displayNumber,
    providerNumberId: connection.providerNumberId,
    ...(connection.providerAccountId !== undefined && { providerAccountId: connection.providerAccountId }),
    ...connection.attributes,
    // What the admin API shows of the secrets; the secrets themselves live only in Secrets Manager.
    secretLast4: Object.fromEntries(connection.last4Of.map((key) => [key, (connection.secret[key] ?? '').slice(-4)])),
    secretArn,
    verified: connection.verified ?? false,
    credentialsUpdatedAt: now,
    updatedAt: now,
  };
  // One UpdateItem: creates the item on the first run and keeps its createdAt on later ones.
  const names = Object.fromEntries(Object.keys(fields).map((key, i) => [`#f${i}`, key]));
  const values = Object.fromEntries(Object.values(fields).map((value, i) => [`:f${i}`, value]));
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: target.connectionsTable,
      Key: marshall({ connectionId: connection.connectionId }),
      UpdateExpression: `SET ${Object.keys(fields)
        .map((_key, i) => `#f${i} = :f${i}`)
        .join(', ')}, #createdAt = if_not_exists(#createdAt, :now)`,
      ExpressionAttributeNames: { ...names, '#createdAt': 'createdAt' },
      ExpressionAttributeValues: marshall({ ...values, ':now': now }, { removeUndefinedValues: true }),
    }),
  );
  // The number's claim, as the admin API writes it beside a saved connection, so that another
  // business cannot save the demo's number locally either (a shared sandbox number is claimed by none).
  if (!isSharedNumber(connection.provider, connection.providerNumberId)) {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: target.connectionsTable,
        Key: marshall({ connectionId: DynamoDbAdminConnectionStore.numberClaimKey(connection.provider, connection.providerNumberId) }),
        UpdateExpression:
          'SET kind = :kind, claimProvider = :provider, claimProviderNumberId = :number, claimBusinessId = :business, ' +
          'claimConnectionId = :connection, claimedAt = if_not_exists(claimedAt, :now)',
        ExpressionAttributeValues: marshall({
          ':kind': 'number-claim',
          ':provider': connection.provider,
          ':number': connection.providerNumberId,
          ':business': connection.businessId,
          ':connection': connection.connectionId,
          ':now': now,
        }),
      }),
    );
  }
  return {
    businessId: connection.businessId,
    connectionId: connection.connectionId,
    secretName,
    secretArn,
    provider: connection.provider,
    displayNumber: connection.displayNumber,
    providerNumberId: connection.providerNumberId,
    ...(connection.providerAccountId !== undefined && { providerAccountId: connection.providerAccountId }),
  };
}

/**
 * Creates or updates connections (secret + item), in order.
 * @example
 * const [meta] = await seedConnections(target, [{ businessId: 'demo-meta', connectionId: 'demo-meta', provider: 'meta',
 *   secret: { accessToken, appSecret, verifyToken }, last4Of: ['accessToken', 'appSecret'], displayNumber: '+15550100001',
 *   providerNumberId: '100000000000001', providerAccountId: '200000000000001', verified: true }]);
 */
export async function seedConnections(target: SeedTarget, connections: SeedConnection[]): Promise<SeededConnection[]> {
  if (target.connectionsPartitionKey && target.connectionsPartitionKey !== 'connectionId') {
    throw new SeedError(
      `the connections table's partition key is \`${target.connectionsPartitionKey}\`, the seed writes \`connectionId\`: ` +
        'update local/seed.ts to the new schema',
    );
  }
  const config = { endpoint: target.endpoint, region: target.region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const secrets = new SecretsManagerClient(config);
  const dynamodb = new DynamoDBClient(config);
  try {
    const seeded: SeededConnection[] = [];
    for (const connection of connections) seeded.push(await writeConnection(secrets, dynamodb, target, connection));
    return seeded;
  } finally {
    secrets.destroy();
    dynamodb.destroy();
  }
}

/** The Twilio demo connection as `seedConnections` takes it. */
export function twilioDemoConnection(options: Omit<SeedDemoOptions, keyof SeedTarget>): SeedConnection {
  return {
    businessId: options.businessId ?? 'demo',
    connectionId: options.connectionId ?? 'demo',
    provider: 'twilio',
    secret: { accountSid: options.accountSid, authToken: options.authToken },
    last4Of: ['authToken'],
    displayNumber: options.whatsappNumber,
    providerNumberId: options.whatsappNumber,
    providerAccountId: options.accountSid,
    // Read by the webhook and send Lambdas that predate `providerAccountId`.
    attributes: { accountSid: options.accountSid },
    verified: options.verified ?? false,
  };
}

/**
 * Creates or updates the Twilio demo connection's secret and its item in the connections table.
 * @example
 * const demo = await seedDemo({ endpoint, region: 'us-east-1', connectionsTable, accountSid, authToken,
 *   whatsappNumber: '+14155238886', secretPrefix: 'echo-whatsapp' });
 * demo.secretArn // 'arn:aws:secretsmanager:us-east-1:123456789012:secret:echo-whatsapp/connections/demo-…'
 */
export async function seedDemo(options: SeedDemoOptions): Promise<SeededDemo> {
  const [seeded] = await seedConnections(options, [twilioDemoConnection(options)]);
  const { businessId, connectionId, secretName, secretArn } = seeded!;
  return { businessId, connectionId, secretName, secretArn };
}
