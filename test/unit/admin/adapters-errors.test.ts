import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbAdminConnectionStore } from '../../../lambdas/adapters/dynamodb-admin-connection-store';
import { DynamoDbConversationLister, DynamoDbMessageLister } from '../../../lambdas/adapters/dynamodb-admin-readers';
import { DynamoDbAuditLog } from '../../../lambdas/adapters/dynamodb-audit-log';
import { SecretsManagerSecretWriter } from '../../../lambdas/adapters/secrets-manager-secret-writer';
import { DependencyUnavailableError } from '../../../lambdas/shared/errors';
import { NumberInUseError } from '../../../lambdas/domain/admin/errors';

const meta = { $metadata: {} };
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:p/connections/cn_1-AbCdEf';

describe('SecretsManagerSecretWriter error paths', () => {
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  const mock = mockClient(client);
  beforeEach(() => mock.reset());

  it('writes a new version when the secret exists', async () => {
    mock.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', ...meta }));
    mock.on(DescribeSecretCommand).resolves({ ARN });
    mock.on(PutSecretValueCommand).resolves({ ARN });
    expect(await new SecretsManagerSecretWriter(client, 'key-1').put('p/connections/cn_1', '{}')).toEqual({ arn: ARN });
    expect(mock.commandCalls(CreateSecretCommand)[0].args[0].input).toEqual(expect.objectContaining({ KmsKeyId: 'key-1', Name: 'p/connections/cn_1' }));
    expect(mock.commandCalls(RestoreSecretCommand)).toHaveLength(0);
  });

  it('restores a secret pending deletion before writing to it', async () => {
    mock.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', ...meta }));
    mock.on(DescribeSecretCommand).resolves({ ARN, DeletedDate: new Date() });
    mock.on(RestoreSecretCommand).resolves({ ARN });
    mock.on(PutSecretValueCommand).resolves({ ARN });
    expect(await new SecretsManagerSecretWriter(client, 'key-1').put('p/connections/cn_1', '{}')).toEqual({ arn: ARN });
    expect(mock.commandCalls(RestoreSecretCommand)).toHaveLength(1);
  });

  it('wraps other failures as DependencyUnavailableError without the secret value', async () => {
    mock.on(CreateSecretCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const failure = new SecretsManagerSecretWriter(client, 'key-1').put('p/connections/cn_1', '{"authToken":"SECRETVALUE"}');
    await expect(failure).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(failure).rejects.not.toThrow(/SECRETVALUE/);
  });

  it('treats an already deleted or already scheduled secret as deleted; other errors are unavailable', async () => {
    const writer = new SecretsManagerSecretWriter(client, 'key-1');
    mock
      .on(DeleteSecretCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'gone', ...meta }))
      .rejectsOnce(new InvalidRequestException({ message: 'already marked for deletion', ...meta }))
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'InternalServiceError' }));
    await writer.scheduleDeletion(ARN, 7);
    await writer.scheduleDeletion(ARN, 7);
    await expect(writer.scheduleDeletion(ARN, 7)).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(mock.commandCalls(DeleteSecretCommand)[0].args[0].input).toEqual({ SecretId: ARN, RecoveryWindowInDays: 7 });
  });
});

describe('DynamoDB admin adapters error paths', () => {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(documents);
  beforeEach(() => {
    mock.reset();
    // No connection item yet, no number claims.
    mock.on(GetCommand).resolves({});
  });
  const fields = {
    connectionId: 'cn_1', businessId: 'acme', provider: 'twilio' as const, displayNumber: '+5215512345678', providerNumberId: '+5215512345678',
    accountSid: 'AC1', secretArn: ARN, secretLast4: { authToken: '1234' }, credentialsUpdatedAt: 't',
  };

  it('save: a cancelled transaction (the pointer moved) is "not current"; anything else is unavailable', async () => {
    const store = new DynamoDbAdminConnectionStore(documents, 'connections');
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(new TransactionCanceledException({ message: 'cancelled', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }], ...meta }))
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));
    expect(await store.save(fields, new Date())).toBeUndefined();
    await expect(store.save(fields, new Date())).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('save: a failed number claim (third item) is NumberInUseError; a transaction conflict without a failed condition is unavailable', async () => {
    const store = new DynamoDbAdminConnectionStore(documents, 'connections');
    const cancelled = (codes: string[]) =>
      new TransactionCanceledException({ message: 'cancelled', CancellationReasons: codes.map((Code) => ({ Code })), ...meta });
    mock
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(['None', 'None', 'ConditionalCheckFailed']))
      .rejectsOnce(cancelled(['None', 'TransactionConflict', 'None']));
    await expect(store.save(fields, new Date())).rejects.toBeInstanceOf(NumberInUseError);
    await expect(store.save(fields, new Date())).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('disable: false when the pointer names another connection; recordTest: false when the credentials changed', async () => {
    const store = new DynamoDbAdminConnectionStore(documents, 'connections');
    mock.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: 'cancelled', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }], ...meta }),
    );
    expect(await store.disable('acme', 'cn_1', new Date())).toBe(false);
    mock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', ...meta }));
    expect(await store.recordTest('cn_1', 't', { verified: true, lastTest: { at: 't', ok: true, steps: [] } }, new Date())).toBe(false);
  });

  it('claim: a lost race returns the winner; reads that fail are unavailable', async () => {
    const store = new DynamoDbAdminConnectionStore(documents, 'connections');
    mock.on(GetCommand).resolvesOnce({}).resolves({ Item: { connectionId: 'business#acme', currentConnectionId: 'cn_winner' } });
    mock.on(QueryCommand).resolves({ Items: [] });
    mock.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', ...meta }));
    expect(await store.claim('acme', 'cn_mine')).toEqual({ connectionId: 'cn_winner', created: false });
    mock.reset();
    mock.on(GetCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }));
    await expect(store.current('acme')).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('readers and the audit log wrap failures as DependencyUnavailableError', async () => {
    mock.on(QueryCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }));
    mock.on(GetCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }));
    mock.on(PutCommand).rejects(Object.assign(new Error('down'), { name: 'InternalServerError' }));
    await expect(new DynamoDbConversationLister(documents, 'c').listByBusiness('acme', 10)).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(new DynamoDbConversationLister(documents, 'c').get('cv_1')).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(new DynamoDbMessageLister(documents, 'm').list('cv_1', 10)).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(
      new DynamoDbAuditLog(documents, 'a').write({
        businessId: 'acme', auditId: 'x', actor: 'u', action: 'connection.put', at: 't', outcome: 'success', status: 200, requestId: 'r', expiresAt: 1,
      }),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
