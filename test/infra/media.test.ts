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

  it("lets the settings page load images and players from the media bucket's presigned host, and from no other", () => {
    // Prepare: the page's CSP as CloudFront sends it, pseudo parameters written as `${AWS::…}`.
    const policies = Object.values(echo.statelessTemplate.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const csps = policies.map((policy) => joined(policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy));
    const host = 'https://echo-whatsapp-media-${AWS::AccountId}-${AWS::Region}.s3.${AWS::Region}.${AWS::URLSuffix}';

    // Assess: every policy (page and API) admits exactly that host for img-src and media-src.
    expect(csps.length).toBeGreaterThan(0);
    for (const csp of csps) {
      const directive = (name: string) => csp.split(';').map((part) => part.trim().split(/\s+/)).find((parts) => parts[0] === name)?.slice(1);
      expect(directive('img-src')).toEqual(expect.arrayContaining(["'self'", host]));
      expect(directive('img-src')!.filter((source) => source.includes('s3') || source.includes('*'))).toEqual([host]);
      expect(directive('media-src')).toEqual([host]);
      // Nothing else may reach the bucket: not scripts, frames, fetches or the default.
      for (const name of ['default-src', 'script-src', 'connect-src', 'frame-src', 'object-src']) expect(directive(name)?.join(' ') ?? '').not.toContain('echo-whatsapp-media');
    }
    // The host names the bucket the stateful stack creates (the signer's virtual-hosted, regional form).
    const bucketId = echo.stateful.getLogicalId(echo.stateful.mediaBucket.bucket.node.defaultChild as never);
    expect(host).toBe(`https://${joined(echo.statefulTemplate.findResources('AWS::S3::Bucket')[bucketId]!.Properties.BucketName)}.s3.\${AWS::Region}.\${AWS::URLSuffix}`);
  });
});

/** A CloudFormation string (a literal or `Fn::Join` of literals, `Ref`s and imports) as text. */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return `\${${record.Ref}}`;
  // The Cognito domain of connect-src and form-action, exported by the stateful stack.
  if (record['Fn::ImportValue'] !== undefined) return '${import}';
  const join = record['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map(joined).join(join[0]);
  throw new Error(`not a plain CloudFormation string: ${JSON.stringify(value)}`);
}
