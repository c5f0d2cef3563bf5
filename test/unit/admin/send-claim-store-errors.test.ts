import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbSendClaimStore } from '../../../lambdas/adapters/dynamodb-send-claim-store';
import { DependencyUnavailableError } from '../../../lambdas/shared/errors';

const meta = { $metadata: {} };
const claim = { messageId: '01JD0000000000000000000000', conversationId: 'cv_A' };
const at = new Date('2026-12-11T10:00:00.000Z');

describe('DynamoDbSendClaimStore error paths', () => {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const mock = mockClient(documents);
  beforeEach(() => mock.reset());
  const store = () => new DynamoDbSendClaimStore(documents, 'dedupe');

  it('a failed Put (throttled) is retryable, not read as a claim', async () => {
    mock.on(PutCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(store().claim('admin#acme#k', claim, at)).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(mock.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('a failed Get of the earlier claim is retryable', async () => {
    mock.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', ...meta }));
    mock.on(GetCommand).rejects(Object.assign(new Error('boom'), { name: 'InternalServerError' }));
    await expect(store().claim('admin#acme#k', claim, at)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('a claim that expired (TTL) between the Put and the Get is claimed again', async () => {
    mock
      .on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'exists', ...meta }))
      .resolves({});
    mock.on(GetCommand).resolves({});
    expect(await store().claim('admin#acme#k', claim, at)).toEqual({ claim, created: true });
    expect(mock.commandCalls(PutCommand)).toHaveLength(2);
  });

  it('gives up, retryable, when the claim keeps disappearing', async () => {
    mock.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', ...meta }));
    mock.on(GetCommand).resolves({});
    await expect(store().claim('admin#acme#k', claim, at)).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect(mock.commandCalls(PutCommand)).toHaveLength(3);
  });
});
