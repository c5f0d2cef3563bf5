import { Match } from 'aws-cdk-lib/assertions';
import { synthesizeWithoutBundling, SYNTH_TIMEOUT_MS, type SynthesizedApp } from './synth';

describe('inbound media infrastructure', () => {
  let echo: SynthesizedApp;
  beforeAll(() => {
    echo = synthesizeWithoutBundling({ mediaRetentionDays: '30' });
  }, SYNTH_TIMEOUT_MS);

  it('keeps media in a private, KMS-encrypted, TLS-only bucket that expires files after the configured days', () => {
    // Prepare
    const bucketId = echo.stateful.getLogicalId(echo.stateful.mediaBucket.bucket.node.defaultChild as never);
    const bucket = echo.statefulTemplate.findResources('AWS::S3::Bucket')[bucketId]!;

    // Assess
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 30, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } })] },
    });
    echo.statefulTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('sends message.received events that carry media, and only those, to the media queue', () => {
    // Assess
    echo.statefulTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['echo.whatsapp'], 'detail-type': ['message.received'], detail: { content: { media: [{ exists: true }] } } },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.objectLike({ MaximumEventAgeInSeconds: 86400 }) })],
    });
  });

  it('runs the media function with partial batch responses, one job at a time, and lets it back off', () => {
    // Assess
    echo.statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    const media = echo.stateless.media.echoFunction.function;
    const fn = echo.statelessTemplate.findResources('AWS::Lambda::Function')[echo.stateless.getLogicalId(media.node.defaultChild as never)]!;
    expect(fn.Properties).toMatchObject({ Timeout: 120, MemorySize: 1024 });
    // The local allowance for plain-http simulators is never set by the stack.
    expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('MEDIA_ALLOW_INSECURE_LOCAL');
  });
});
