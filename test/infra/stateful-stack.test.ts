import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { CONSUMER_TIMEOUT_SECONDS, DEFAULT_MAX_RECEIVE_COUNT, OUTBOUND_MAX_RECEIVE_COUNT, STACK_NAMES } from '../../lib/config';
import { DEFAULT_SEND_CONFIG } from '../../lambdas/domain/outbound/send-outbound';
import { FifoQueueWithDlq } from '../../lib/constructs/fifo-queue-with-dlq';
import { logicalIdOf, SYNTH_TIMEOUT_MS, synthesizeWithoutBundling, type SynthesizedApp } from './synth';

const FOURTEEN_DAYS_IN_SECONDS = 14 * 24 * 60 * 60;

describe('stateful stack', () => {
  let synthesized: SynthesizedApp;
  let template: Template;
  let keyRef: { 'Fn::GetAtt': [string, 'Arn'] };

  beforeAll(() => {
    synthesized = synthesizeWithoutBundling();
    template = synthesized.statefulTemplate;
    keyRef = { 'Fn::GetAtt': [logicalIdOf(synthesized.stateful.encryptionKey), 'Arn'] };
  }, SYNTH_TIMEOUT_MS);

  it('is named for operators and the local runtime', () => {
    expect(synthesized.stateful.stackName).toBe(STACK_NAMES.stateful);
  });

  describe('KMS key', () => {
    it('is a single customer managed key with rotation on, kept when the stack goes', () => {
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.hasResource('AWS::KMS::Key', {
        Properties: Match.objectLike({ EnableKeyRotation: true }),
        DeletionPolicy: 'Retain',
      });
    });

    it('lets CloudWatch Logs use it only for log groups of this account and region', () => {
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
              Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
            }),
          ]),
        },
      });
    });

    it('does not depend on any resource of its own stack (no circular dependency with the bus or archive)', () => {
      const [key] = Object.values(template.findResources('AWS::KMS::Key'));
      const policy = JSON.stringify(key?.Properties?.KeyPolicy);
      expect(policy).not.toContain('Fn::GetAtt');
      // Only pseudo parameters (AWS::Region, AWS::AccountId, ...) may be referenced.
      const referenced = [...policy.matchAll(/"Ref":"([^"]+)"/g)].map((match) => match[1]);
      expect(referenced.filter((name) => !name?.startsWith('AWS::'))).toEqual([]);
    });
  });

  describe('tables', () => {
    const table = (construct: { node: { defaultChild?: unknown } }) =>
      template.findResources('AWS::DynamoDB::Table')[logicalIdOf(construct)]!.Properties as Record<string, unknown>;

    it('are seven, on demand, with PITR, encrypted with our key, retained, with generated names', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 7);
      const tables = template.findResources('AWS::DynamoDB::Table');
      for (const [logicalId, table] of Object.entries(tables)) {
        expect({ logicalId, DeletionPolicy: table.DeletionPolicy, UpdateReplacePolicy: table.UpdateReplacePolicy }).toEqual({
          logicalId,
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
        });
        expect(table.Properties).toMatchObject({
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyRef },
        });
        expect(table.Properties.TableName).toBeUndefined();
      }
    });

    it('audit: by business and time-ordered audit id, deleted by TTL on expiresAt, no index', () => {
      const audit = table(synthesized.stateful.tables.audit);
      expect(audit).toMatchObject({
        KeySchema: [
          { AttributeName: 'businessId', KeyType: 'HASH' },
          { AttributeName: 'auditId', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyRef },
      });
      expect(audit.GlobalSecondaryIndexes).toBeUndefined();
      expect(logicalIdOf(synthesized.stateful.tables.audit)).toMatch(/^AuditTable/);
    });

    it('connections: by id, GSIs byBusiness (businessId, connectionId) and byProviderNumber', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: Match.arrayWith([
          Match.objectLike({
            IndexName: 'byBusiness',
            KeySchema: [
              { AttributeName: 'businessId', KeyType: 'HASH' },
              { AttributeName: 'connectionId', KeyType: 'RANGE' },
            ],
          }),
          Match.objectLike({
            IndexName: 'byProviderNumber',
            KeySchema: [{ AttributeName: 'providerNumberId', KeyType: 'HASH' }],
          }),
        ]),
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'businessId', AttributeType: 'S' },
          { AttributeName: 'providerNumberId', AttributeType: 'S' },
        ]),
      });
    });

    it('conversations: by id, GSIs byBusiness (newest first by lastMessageAt) and byWindowExpiry', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'conversationId', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: Match.arrayWith([
          Match.objectLike({
            IndexName: 'byBusiness',
            KeySchema: [
              { AttributeName: 'businessId', KeyType: 'HASH' },
              { AttributeName: 'lastMessageAt', KeyType: 'RANGE' },
            ],
          }),
          Match.objectLike({
            IndexName: 'byWindowExpiry',
            KeySchema: [
              { AttributeName: 'windowExpiryBucket', KeyType: 'HASH' },
              { AttributeName: 'windowExpiresAt', KeyType: 'RANGE' },
            ],
          }),
        ]),
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'lastMessageAt', AttributeType: 'S' },
          { AttributeName: 'windowExpiresAt', AttributeType: 'S' },
        ]),
      });
    });

    it('messages: partition conversationId, sort messageId', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'conversationId', KeyType: 'HASH' },
          { AttributeName: 'messageId', KeyType: 'RANGE' },
        ],
      });
    });

    it('messages: a sparse GSI byOutcomeDeadline (outcomePending, outcomeDeadline) for the outcome watchdog', () => {
      const messages = table(synthesized.stateful.tables.messages);
      expect(messages.GlobalSecondaryIndexes).toEqual([
        {
          IndexName: 'byOutcomeDeadline',
          KeySchema: [
            { AttributeName: 'outcomePending', KeyType: 'HASH' },
            { AttributeName: 'outcomeDeadline', KeyType: 'RANGE' },
          ],
          // Small items (every send may pass through this one partition): what the watchdog needs.
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['businessId', 'connectionId', 'idempotencyKey', 'sendState'],
          },
        },
      ]);
      expect(messages.AttributeDefinitions).toEqual(
        expect.arrayContaining([
          { AttributeName: 'outcomePending', AttributeType: 'S' },
          { AttributeName: 'outcomeDeadline', AttributeType: 'S' },
        ]),
      );
    });

    it('templates: partition businessId, sort templateKey (name#language), no index', () => {
      const templates = table(synthesized.stateful.tables.templates);
      expect(templates.KeySchema).toEqual([
        { AttributeName: 'businessId', KeyType: 'HASH' },
        { AttributeName: 'templateKey', KeyType: 'RANGE' },
      ]);
      expect(templates.AttributeDefinitions).toEqual([
        { AttributeName: 'businessId', AttributeType: 'S' },
        { AttributeName: 'templateKey', AttributeType: 'S' },
      ]);
      expect(templates.GlobalSecondaryIndexes).toBeUndefined();
    });

    it('contentCache: by cacheKey (accountSid#sha256), no index, no TTL', () => {
      const contentCache = table(synthesized.stateful.tables.contentCache);
      expect(contentCache.KeySchema).toEqual([{ AttributeName: 'cacheKey', KeyType: 'HASH' }]);
      expect(contentCache.GlobalSecondaryIndexes).toBeUndefined();
      expect(contentCache.TimeToLiveSpecification).toBeUndefined();
    });

    it('dedupe: by dedupeKey, items expire through TTL on expiresAt', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: 'dedupeKey', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      });
    });
  });

  describe('FIFO queues', () => {
    const queueIds = () => ({
      inbound: logicalIdOf(synthesized.stateful.inboundQueue),
      inboundDlq: logicalIdOf(synthesized.stateful.inboundDeadLetterQueue),
      outbound: logicalIdOf(synthesized.stateful.outboundQueue),
      outboundDlq: logicalIdOf(synthesized.stateful.outboundDeadLetterQueue),
    });
    const queue = (logicalId: string) => template.findResources('AWS::SQS::Queue')[logicalId]!;

    it('all four (two queues, two DLQs) are FIFO, KMS-encrypted with our key, explicit dedup ids, generated names', () => {
      // Plus the media queue and its DLQ, which are standard queues (test/infra/media.test.ts).
      template.resourceCountIs('AWS::SQS::Queue', 6);
      for (const logicalId of Object.values(queueIds())) {
        expect({ logicalId, ...queue(logicalId).Properties }).toMatchObject({
          logicalId,
          FifoQueue: true,
          ContentBasedDeduplication: false,
          KmsMasterKeyId: keyRef,
          KmsDataKeyReusePeriodSeconds: 300,
        });
        expect(queue(logicalId).Properties.QueueName).toBeUndefined();
      }
    });

    it.each([
      ['inbound', 'inboundDlq', CONSUMER_TIMEOUT_SECONDS.inbound, DEFAULT_MAX_RECEIVE_COUNT],
      ['outbound', 'outboundDlq', CONSUMER_TIMEOUT_SECONDS.outbound, OUTBOUND_MAX_RECEIVE_COUNT],
    ] as const)(
      '%s: redrives to its own FIFO DLQ after its maxReceiveCount, visibility = 6 × consumer timeout',
      (name, dlqName, consumerTimeoutSeconds, maxReceiveCount) => {
        const ids = queueIds();
        expect(queue(ids[name]).Properties).toMatchObject({
          VisibilityTimeout: 6 * consumerTimeoutSeconds,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': [ids[dlqName], 'Arn'] },
            maxReceiveCount,
          },
        });
        expect(queue(ids[dlqName]).Properties).toMatchObject({
          FifoQueue: true,
          MessageRetentionPeriod: FOURTEEN_DAYS_IN_SECONDS,
        });
      },
    );

    it('expose each maxReceiveCount as its queue uses it: the outbound one is a high safety net, not a retry budget', () => {
      expect(synthesized.stateful.maxReceiveCount).toBe(DEFAULT_MAX_RECEIVE_COUNT);
      expect(synthesized.stateful.inboundQueue.deadLetterQueue?.maxReceiveCount).toBe(DEFAULT_MAX_RECEIVE_COUNT);
      expect(synthesized.stateful.outboundMaxReceiveCount).toBe(OUTBOUND_MAX_RECEIVE_COUNT);
      expect(synthesized.stateful.outboundQueue.deadLetterQueue?.maxReceiveCount).toBe(OUTBOUND_MAX_RECEIVE_COUNT);
      expect(OUTBOUND_MAX_RECEIVE_COUNT).toBeGreaterThanOrEqual(5 * DEFAULT_SEND_CONFIG.maxAttempts);
    });

    it('refuse non-TLS access (SSL-only queue policy on each queue)', () => {
      for (const logicalId of Object.values(queueIds())) {
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: logicalId }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            ]),
          },
        });
      }
    });

    it('alarm as soon as one message is in a DLQ', () => {
      const ids = queueIds();
      for (const dlq of [ids.inboundDlq, ids.outboundDlq]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
          AlarmActions: [{ Ref: logicalIdOf(synthesized.stateful.alarmTopic) }],
        });
      }
    });
  });

  describe('event bus', () => {
    it('is a custom bus encrypted with our key, archived with the same key', () => {
      template.hasResourceProperties('AWS::Events::EventBus', { KmsKeyIdentifier: keyRef });
      template.hasResourceProperties('AWS::Events::Archive', {
        KmsKeyIdentifier: keyRef,
        RetentionDays: 14,
        EventPattern: { source: ['echo.whatsapp'] },
      });
    });
  });

  describe('alarm topic', () => {
    it('is encrypted with our key', () => {
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyRef });
    });
  });

  describe('admin user pool (Cognito, when no external issuer is configured)', () => {
    const pool = () => Object.values(template.findResources('AWS::Cognito::UserPool'))[0]!;

    it('is one pool, retained and protected from deletion', () => {
      template.resourceCountIs('AWS::Cognito::UserPool', 1);
      expect(pool()).toMatchObject({ DeletionPolicy: 'Retain', Properties: { DeletionProtection: 'ACTIVE' } });
    });

    it('has no self sign-up: only operators create users (with their business)', () => {
      expect(pool().Properties.AdminCreateUserConfig).toEqual({ AllowAdminCreateUserOnly: true });
    });

    it('binds a user to a business by an immutable custom attribute business_id', () => {
      expect(pool().Properties.Schema).toContainEqual({
        AttributeDataType: 'String',
        Mutable: false,
        Name: 'business_id',
        StringAttributeConstraints: { MaxLength: '128', MinLength: '1' },
      });
    });

    it('requires strong passwords, TOTP MFA, and enforces threat protection (Plus plan)', () => {
      expect(pool().Properties).toMatchObject({
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireLowercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
            RequireUppercase: true,
          },
        },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      });
    });

    it('has a hosted UI domain unique per stack (for the authorization code flow)', () => {
      template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
        Domain: { 'Fn::Join': ['-', ['echo-whatsapp', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }]] },
      });
    });

    it('has no app client here: the settings page client lives with the page (its callback URL is the CloudFront domain)', () => {
      template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    });
  });

  it("creates one secret, Echo's Meta app's (verify token generated, the rest for the operator), with our key; connection secrets are created at run time by the admin API", () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: {
        Name: 'echo-whatsapp/meta-app',
        KmsKeyId: Match.anyValue(),
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: JSON.stringify({ appSecret: '', systemUserToken: '' }), GenerateStringKey: 'verifyToken' }),
      },
    });
  });
});

describe('FifoQueueWithDlq', () => {
  it('derives the visibility timeout from the consumer timeout and takes maxReceiveCount as a prop', () => {
    const stack = new Stack(new App(), 'QueueTest');
    new FifoQueueWithDlq(stack, 'Queue', {
      encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      consumerTimeout: Duration.seconds(45),
      maxReceiveCount: 3,
    });

    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 270,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
  });
});
