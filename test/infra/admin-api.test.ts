/**
 * The admin API, its function, the settings page's hosting and its sign-in, as the default
 * deployment (Cognito user pool) synthesizes them. The external-issuer and page-less variants are
 * in admin-variants.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ADMIN_DEFAULTS, ADMIN_ROUTES, SEND_DEFAULTS } from '../../lib/config';
import { ADMIN_SECRET_ACTIONS } from '../../lib/constructs/admin-function';
import { SETTINGS_ROUTING_FUNCTION } from '../../lib/constructs/web-hosting';
import {
  actionsOf,
  CONNECTION_SECRETS_RESOURCE,
  environmentOf,
  identityStatements,
  isImportOf,
  logicalIdOf,
  resourceOf,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  synthesizeWithoutBundling,
  type PolicyStatement,
  type SynthesizedApp,
} from './synth';
import { SDK_TIMEOUT_VARIABLES } from '../../lambdas/shared/aws-clients';

/** The admin Lambda's environment contract (binding spec; `lambdas/handlers/admin/env.ts` reads it). */
const ADMIN_ENV_NAMES = [
  'CONNECTIONS_TABLE',
  'CONVERSATIONS_TABLE',
  'MESSAGES_TABLE',
  'TEMPLATES_TABLE',
  'AUDIT_TABLE',
  'DEDUPE_TABLE',
  'OUTBOUND_QUEUE_URL',
  'EVENT_BUS_NAME',
  /** The media bucket: presigned links to inbound media on the messages route. */
  'MEDIA_BUCKET',
  'SECRET_NAME_PREFIX',
  'SECRETS_KMS_KEY_ID',
  'SECRET_RECOVERY_WINDOW_DAYS',
  'WEBHOOK_BASE_URL',
  'TWILIO_API_BASE_URL',
  'TWILIO_CONTENT_BASE_URL',
  'META_GRAPH_BASE_URL',
  'DIALOG360_BASE_URL',
  'SECRETS_CACHE_TTL_SECONDS',
  'BUSINESS_CLAIM',
  'AUDIT_RETENTION_DAYS',
];
// Powertools' settings and the AWS SDK limits: what EchoFunction gives every function.
const POWERTOOLS_ENV_NAMES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL', ...Object.values(SDK_TIMEOUT_VARIABLES)];
/** Managed CloudFront policies (AWS-defined ids). */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

describe('admin API and settings page (Cognito)', () => {
  let synthesized: SynthesizedApp;
  let template: Template;
  let adminStatements: PolicyStatement[];
  const id = (construct: { node: { defaultChild?: unknown } }) => logicalIdOf(construct);

  beforeAll(() => {
    synthesized = synthesizeWithoutBundling();
    template = synthesized.statelessTemplate;
    adminStatements = identityStatements(template, id(synthesized.stateless.admin.echoFunction.role)).filter(
      (statement) => statement.Effect === 'Allow',
    );
  }, SYNTH_TIMEOUT_MS);

  describe('admin function', () => {
    it('is the direct child `Admin` of the stateless stack (the local runtime maps it to lambdas/handlers/admin)', () => {
      const fn = synthesized.stateless.admin.function;
      expect(fn.node.path.split('/').slice(0, 2)).toEqual(['EchoWhatsAppStateless', 'Admin']);
      expect(synthesized.stateless.node.tryFindChild('Admin')).toBe(synthesized.stateless.admin);
    });

    it('runs Node.js 22 on arm64 with tracing, its own log group, and a timeout inside API Gateway\'s 30 s', () => {
      const properties = resourceOf(template, synthesized.stateless.admin.function).Properties;
      expect(properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        Timeout: ADMIN_DEFAULTS.timeoutSeconds,
        LoggingConfig: { LogGroup: { Ref: id(synthesized.stateless.admin.echoFunction.logGroup) } },
      });
      expect(ADMIN_DEFAULTS.timeoutSeconds).toBeLessThan(30);
    });

    it('gets exactly the environment of the spec, with its defaults', () => {
      const environment = environmentOf(template, synthesized.stateless.admin.function);
      expect(Object.keys(environment).sort()).toEqual([...ADMIN_ENV_NAMES, ...POWERTOOLS_ENV_NAMES].sort());
      expect(environment).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'whatsapp-admin',
        SECRET_NAME_PREFIX: 'echo-whatsapp',
        SECRET_RECOVERY_WINDOW_DAYS: '7',
        BUSINESS_CLAIM: 'custom:business_id',
        AUDIT_RETENTION_DAYS: '400',
        TWILIO_API_BASE_URL: SEND_DEFAULTS.twilioApiBaseUrl,
        TWILIO_CONTENT_BASE_URL: SEND_DEFAULTS.twilioContentBaseUrl,
        META_GRAPH_BASE_URL: SEND_DEFAULTS.metaGraphBaseUrl,
        DIALOG360_BASE_URL: SEND_DEFAULTS.dialog360BaseUrl,
        SECRETS_CACHE_TTL_SECONDS: String(SEND_DEFAULTS.secretsCacheTtlSeconds),
      });
      const { stateful } = synthesized;
      expect(isImportOf(environment.AUDIT_TABLE, id(stateful.tables.audit))).toBe(true);
      expect(isImportOf(environment.TEMPLATES_TABLE, id(stateful.tables.templates))).toBe(true);
      expect(isImportOf(environment.DEDUPE_TABLE, id(stateful.tables.dedupe))).toBe(true);
      expect(isImportOf(environment.SECRETS_KMS_KEY_ID, id(stateful.encryptionKey))).toBe(true);
    });

    it('shares every variable it has in common with another function with the same value (one process locally)', () => {
      const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
      const values = new Map<string, { fn: string; value: string }>();
      const conflicts: string[] = [];
      for (const [logicalId, fn] of functions) {
        const variables = (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
        for (const [name, value] of Object.entries(variables)) {
          if (name.startsWith('POWERTOOLS_')) continue;
          const serialized = JSON.stringify(value);
          const seen = values.get(name);
          if (seen && seen.value !== serialized) conflicts.push(`${name}: ${seen.fn} vs ${logicalId}`);
          if (!seen) values.set(name, { fn: logicalId, value: serialized });
        }
      }
      expect(conflicts).toEqual([]);
      const admin = environmentOf(template, synthesized.stateless.admin.function);
      const send = environmentOf(template, synthesized.stateless.send.function);
      expect(admin.WEBHOOK_BASE_URL).toEqual(send.WEBHOOK_BASE_URL);
      // Send claims live next to the send Lambda's outbound dedupe items, as long as they do.
      expect(admin.DEDUPE_TABLE).toEqual(send.DEDUPE_TABLE);
      expect(admin.DEDUPE_TTL_DAYS).toEqual(send.DEDUPE_TTL_DAYS);
    });

    it('alarms on any failed invocation', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: id(synthesized.stateless.admin.function) } }],
      });
    });
  });

  describe('admin permissions (least privilege)', () => {
    const actionsOn = (resource: (value: unknown) => boolean) =>
      adminStatements
        .filter((statement) => resourcesOf(statement).some(resource))
        .flatMap(actionsOf)
        .sort();
    const table = (name: keyof SynthesizedApp['stateful']['tables']) => (value: unknown) =>
      isImportOf(value, id(synthesized.stateful.tables[name]));
    const index = (name: keyof SynthesizedApp['stateful']['tables'], indexName: string) => (value: unknown) => {
      const parts = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join']?.[1] ?? [];
      return isImportOf(parts[0], id(synthesized.stateful.tables[name])) && parts[1] === `/index/${indexName}`;
    };

    it('DynamoDB: per table and named index, only what the routes need', () => {
      expect(actionsOn(table('connections'))).toEqual([
        'dynamodb:ConditionCheckItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
      expect(actionsOn(index('connections', 'byBusiness'))).toEqual(['dynamodb:Query']);
      // UpdateItem: the owner's pause and resume of the AI on one conversation (hand-off).
      expect(actionsOn(table('conversations'))).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      expect(actionsOn(index('conversations', 'byBusiness'))).toEqual(['dynamodb:Query']);
      expect(actionsOn(table('messages'))).toEqual(['dynamodb:Query']);
      expect(actionsOn(table('templates'))).toEqual([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]);
      expect(actionsOn(table('audit'))).toEqual(['dynamodb:PutItem']);
      // The send's idempotency claim: conditional Put, Get of the earlier claim on a retry.
      expect(actionsOn(table('dedupe'))).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
      expect(actionsOn(table('contentCache'))).toEqual([]);
    });

    it('DynamoDB: no Scan, no batch or table-wide action, no wildcard table or index', () => {
      const dynamo = adminStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
      const actions = dynamo.flatMap(actionsOf);
      for (const forbidden of ['dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteTable', 'dynamodb:*', '*']) {
        expect(actions).not.toContain(forbidden);
      }
      const serialized = JSON.stringify(dynamo);
      expect(serialized).not.toContain('/index/*');
      expect(serialized).not.toContain('"*"');
      expect(serialized).not.toContain(':table/*');
    });

    it('Secrets Manager: create, rotate, restore, delete, read, on the connection-secret prefix only', () => {
      const secrets = adminStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('secretsmanager:')));
      expect(secrets).toHaveLength(1);
      expect(actionsOf(secrets[0]!).sort()).toEqual([...ADMIN_SECRET_ACTIONS].sort());
      expect(secrets[0]!.Resource).toEqual(CONNECTION_SECRETS_RESOURCE);
    });

    it('SQS: SendMessage on the outbound queue only; EventBridge: nothing (connection.changed is an outbox entry)', () => {
      const sqs = adminStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('sqs:')));
      expect(sqs.flatMap(actionsOf)).toEqual(['sqs:SendMessage']);
      expect(sqs.flatMap(resourcesOf)).toHaveLength(1);
      expect(isImportOf(sqs[0]!.Resource, id(synthesized.stateful.outboundQueue))).toBe(true);
      const events = adminStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('events:')));
      expect(events).toEqual([]);
    });

    it('KMS: our key only, only through DynamoDB, SQS, Secrets Manager and S3 (Decrypt, for presigned media links)', () => {
      const kms = adminStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('kms:')));
      const byService = Object.fromEntries(
        kms.map((statement) => {
          expect(isImportOf(statement.Resource, id(synthesized.stateful.encryptionKey))).toBe(true);
          const via = statement.Condition?.StringEquals?.['kms:ViaService'] as { 'Fn::Join': [string, unknown[]] };
          return [via['Fn::Join'][1][0], actionsOf(statement).sort()];
        }),
      );
      expect(byService).toEqual({
        'dynamodb.': ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        'sqs.': ['kms:Decrypt', 'kms:GenerateDataKey'],
        'secretsmanager.': ['kms:Decrypt', 'kms:GenerateDataKey'],
        's3.': ['kms:Decrypt'],
      });
    });

    it('only the X-Ray statement uses Resource "*"', () => {
      const star = adminStatements.filter((statement) => resourcesOf(statement).includes('*'));
      expect(star.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    });
  });

  describe('admin HTTP API', () => {
    const adminApiId = () => id(synthesized.stateless.adminApi.api);
    const ofAdminApi = (type: string) =>
      Object.entries(template.findResources(type)).filter(
        ([, resource]) => (resource.Properties?.ApiId as { Ref?: string })?.Ref === adminApiId(),
      );
    const stage = () => ofAdminApi('AWS::ApiGatewayV2::Stage')[0]![1];
    const authorizerId = () => ofAdminApi('AWS::ApiGatewayV2::Authorizer')[0]![0];

    it('is an HTTP API with one Lambda integration, payload format 2.0, no CORS', () => {
      expect(resourceOf(template, synthesized.stateless.adminApi.api).Properties).toMatchObject({ ProtocolType: 'HTTP' });
      expect(resourceOf(template, synthesized.stateless.adminApi.api).Properties.CorsConfiguration).toBeUndefined();
      const integrations = ofAdminApi('AWS::ApiGatewayV2::Integration');
      expect(integrations).toHaveLength(1);
      expect(integrations[0]![1].Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [id(synthesized.stateless.admin.function), 'Arn'] },
      });
    });

    it('has exactly the routes of ADMIN_ROUTES, each once', () => {
      const routeKeys = ofAdminApi('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey);
      expect(routeKeys.sort()).toEqual(Object.values(ADMIN_ROUTES).sort());
      expect(new Set(routeKeys).size).toBe(routeKeys.length);
    });

    it('declares exactly the route keys the admin handler dispatches on', async () => {
      const { ADMIN_ROUTE_KEYS } = await import('../../lambdas/handlers/admin/handler');
      expect(Object.values(ADMIN_ROUTE_KEYS).sort()).toEqual(Object.values(ADMIN_ROUTES).sort());
    });

    it.each(Object.values(ADMIN_ROUTES))('requires a JWT on %s', (routeKey) => {
      const route = ofAdminApi('AWS::ApiGatewayV2::Route').find(([, resource]) => resource.Properties.RouteKey === routeKey);
      expect(route?.[1].Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId() } });
    });

    it("trusts Cognito's issuer for this user pool and the settings page client's ID tokens", () => {
      const [, authorizer] = ofAdminApi('AWS::ApiGatewayV2::Authorizer')[0]!;
      const userPool = synthesized.stateful.adminUserPool!.userPool;
      expect(authorizer.Properties).toMatchObject({
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Audience: [{ Ref: id(synthesized.stateless.settingsClient!) }],
          Issuer: {
            'Fn::Join': [
              '',
              [
                'https://cognito-idp.',
                { Ref: 'AWS::Region' },
                '.',
                { Ref: 'AWS::URLSuffix' },
                '/',
                expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining(id(userPool)) }),
              ],
            ],
          },
        },
      });
    });

    it('throttles every admin route (and any other route by default), well below the webhook', () => {
      const throttle = {
        ThrottlingRateLimit: ADMIN_DEFAULTS.throttle.rateLimit,
        ThrottlingBurstLimit: ADMIN_DEFAULTS.throttle.burstLimit,
      };
      expect(stage().Properties).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: throttle,
        RouteSettings: Object.fromEntries(Object.values(ADMIN_ROUTES).map((key) => [key, throttle])),
      });
      const routes = ofAdminApi('AWS::ApiGatewayV2::Route').map(([logicalId]) => logicalId);
      expect(stage().DependsOn).toEqual(expect.arrayContaining(routes));
    });

    it('writes JSON access logs with the caller (sub) and authorizer errors, to a log group encrypted with our key', () => {
      const settings = stage().Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
      expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [id(synthesized.stateless.adminApi.accessLogGroup), 'Arn'] });
      expect(JSON.parse(settings.Format)).toMatchObject({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        sub: '$context.authorizer.claims.sub',
        authorizerError: '$context.authorizer.error',
      });
      expect(resourceOf(template, synthesized.stateless.adminApi.accessLogGroup).Properties).toMatchObject({
        RetentionInDays: 30,
        KmsKeyId: expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining(id(synthesized.stateful.encryptionKey)) }),
      });
    });

    it('alarms on its 5xx rate', () => {
      const alarm = resourceOf(template, synthesized.stateless.adminApi.serverErrorAlarm);
      expect(JSON.stringify(alarm.Properties.Metrics)).toContain('"MetricName":"5xx"');
      expect(JSON.stringify(alarm.Properties.Metrics)).toContain(adminApiId());
      expect(alarm.Properties.AlarmActions).toEqual([expect.objectContaining({ 'Fn::ImportValue': expect.stringContaining('AlarmsTopic') })]);
    });

    it('outputs its URL', () => {
      template.hasOutput('AdminApiUrl', { Value: Match.anyValue() });
    });
  });

  describe('settings page app client (Cognito)', () => {
    const client = () => resourceOf(template, synthesized.stateless.settingsClient!).Properties;

    it('is a public client (no secret) using only the authorization code grant, scope openid, Cognito sign-in', () => {
      expect(client()).toMatchObject({
        GenerateSecret: false,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid'],
        SupportedIdentityProviders: ['COGNITO'],
        EnableTokenRevocation: true,
        PreventUserExistenceErrors: 'ENABLED',
      });
    });

    it('returns to the settings page on the CloudFront domain', () => {
      expect(client().CallbackURLs).toEqual([
        {
          'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [id(synthesized.stateless.webHosting!.distribution), 'DomainName'] }, '/settings/whatsapp']],
        },
      ]);
    });

    it('may read custom:business_id (so the ID token carries it) but never write it', () => {
      expect(client().ReadAttributes).toContain('custom:business_id');
      expect(client().WriteAttributes).toEqual(['name']);
    });
  });

  describe('settings page hosting', () => {
    const hosting = () => synthesized.stateless.webHosting!;
    const distribution = () => resourceOf(template, hosting().distribution).Properties.DistributionConfig;

    it('keeps the bucket private: public access blocked, SSL only, encrypted, access logged', () => {
      const bucket = resourceOf(template, hosting().bucket).Properties;
      expect(bucket).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: id(hosting().logBucket) }, LogFilePrefix: 's3/' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
        (resource) => resource.Properties.Bucket.Ref === id(hosting().bucket),
      );
      const statements = policy?.Properties.PolicyDocument.Statement as PolicyStatement[];
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      // The only Allow: CloudFront, for this distribution (OAC), reading objects.
      const allows = statements.filter((statement) => statement.Effect === 'Allow');
      expect(allows).toHaveLength(1);
      expect(allows[0]).toMatchObject({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      });
      expect(JSON.stringify(allows[0]!.Condition)).toContain(id(hosting().distribution));
    });

    it('reads the bucket through origin access control (no OAI, no website endpoint)', () => {
      template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
      template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
      const s3Origin = distribution().Origins.find((origin: { S3OriginConfig?: unknown }) => origin.S3OriginConfig);
      expect(s3Origin).toMatchObject({
        DomainName: { 'Fn::GetAtt': [id(hosting().bucket), 'RegionalDomainName'] },
        OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/OriginAccessControl/), 'Id'] },
        S3OriginConfig: { OriginAccessIdentity: '' },
      });
    });

    it('forwards /businesses/* to the admin API: every method, nothing cached, every header but Host, HTTPS and TLS 1.2 only', () => {
      const [behaviour, ...others] = distribution().CacheBehaviors;
      expect(others).toEqual([]);
      expect(behaviour).toMatchObject({
        PathPattern: '/businesses/*',
        AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        ViewerProtocolPolicy: 'https-only',
      });
      const apiOrigin = distribution().Origins.find((origin: { Id: string }) => origin.Id === behaviour.TargetOriginId);
      expect(apiOrigin).toMatchObject({
        DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [id(synthesized.stateless.adminApi.api), 'ApiEndpoint'] }] }] },
        CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
      });
    });

    it('serves the page over HTTPS (HTTP redirects), with the routing function, logging and security headers', () => {
      expect(distribution()).toMatchObject({
        DefaultCacheBehavior: {
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: expect.anything() }],
          ResponseHeadersPolicyId: { Ref: expect.stringMatching(/SecurityHeaders/) },
        },
        Logging: { Bucket: { 'Fn::GetAtt': [id(hosting().logBucket), 'RegionalDomainName'] }, Prefix: 'cloudfront/' },
      });
      expect(distribution().CacheBehaviors[0].ResponseHeadersPolicyId).toEqual(distribution().DefaultCacheBehavior.ResponseHeadersPolicyId);
    });

    it('sends HSTS, a strict CSP allowing the Cognito domain for sign-in, nosniff, DENY framing, no referrer', () => {
      const [policy] = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
      const headers = policy!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
      expect(headers).toMatchObject({
        StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      });
      const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain('connect-src');
      expect(csp).toContain('.amazoncognito.com');
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    });

    it('deploys the page under settings/ with config.json, prunes old files and invalidates /settings/*', () => {
      const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
      expect(deployment!.Properties).toMatchObject({
        DestinationBucketName: { Ref: id(hosting().bucket) },
        DestinationBucketKeyPrefix: 'settings/',
        Prune: true,
        DistributionId: { Ref: id(hosting().distribution) },
        DistributionPaths: ['/settings/*'],
      });
      expect(deployment!.Properties.SourceObjectKeys).toHaveLength(2);
    });

    it("writes config.json for the code flow against Cognito's hosted UI with this client", () => {
      const config = synthesized.stateless.resolve(hosting().siteConfig);
      const domain = { 'Fn::ImportValue': expect.stringContaining('UserPoolDomain') };
      expect(config).toEqual({
        apiBaseUrl: '',
        businessClaim: 'custom:business_id',
        auth: {
          type: 'oidc',
          authorizeUrl: { 'Fn::Join': ['', ['https://', domain, '.auth.', { Ref: 'AWS::Region' }, '.amazoncognito.com/oauth2/authorize']] },
          tokenUrl: { 'Fn::Join': ['', ['https://', domain, '.auth.', { Ref: 'AWS::Region' }, '.amazoncognito.com/oauth2/token']] },
          clientId: { Ref: id(synthesized.stateless.settingsClient!) },
          scope: 'openid',
          redirectPath: '/settings/whatsapp',
        },
      });
      // The deploy-time values reach the file through the deployment's markers.
      const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
      expect(JSON.stringify(deployment!.Properties.SourceMarkers)).toContain(id(synthesized.stateless.settingsClient!));
    });

    it('writes exactly that config.json into the deployed asset (tokens as deploy-time markers)', () => {
      const assembly = synthesized.app.synth();
      const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment'));
      const keys = deployment!.Properties.SourceObjectKeys as string[];
      const configFiles = keys
        .map((key) => path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`, 'config.json'))
        .filter((file) => fs.existsSync(file));
      expect(configFiles).toHaveLength(1);
      const written = JSON.parse(fs.readFileSync(configFiles[0]!, 'utf8'));
      expect(written).toMatchObject({
        apiBaseUrl: '',
        businessClaim: 'custom:business_id',
        auth: { type: 'oidc', scope: 'openid', redirectPath: '/settings/whatsapp', clientId: expect.stringMatching(/^<<marker:/) },
      });
    });

    it('outputs the settings page URL, the user pool id and the client id', () => {
      template.hasOutput('SettingsPageUrl', {
        Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [id(hosting().distribution), 'DomainName'] }, '/settings/whatsapp']] },
      });
      template.hasOutput('AdminUserPoolId', {
        Value: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('AdminUsersUserPool') }),
      });
      template.hasOutput('SettingsClientId', { Value: { Ref: id(synthesized.stateless.settingsClient!) } });
    });
  });

  describe('settings routing function (CloudFront Functions, run here in a VM)', () => {
    type Request = { uri: string; headers?: Record<string, unknown> };
    const run = (uri: string): Request | { statusCode: number; headers: Record<string, { value: string }> } => {
      const context = vm.createContext({});
      vm.runInContext(`${SETTINGS_ROUTING_FUNCTION}\nthis.result = handler(${JSON.stringify({ request: { uri, headers: {} } })});`, context);
      return (context as { result: never }).result;
    };

    it('is the code the distribution runs', () => {
      template.hasResourceProperties('AWS::CloudFront::Function', {
        FunctionCode: SETTINGS_ROUTING_FUNCTION,
        FunctionConfig: Match.objectLike({ Runtime: 'cloudfront-js-2.0' }),
      });
    });

    it.each(['/settings/whatsapp', '/settings/whatsapp/', '/settings/whatsapp/conversations', '/settings/other'])(
      'serves the page for %s',
      (uri) => {
        expect(run(uri)).toMatchObject({ uri: '/settings/index.html' });
      },
    );

    it.each(['/settings/app.js', '/settings/app.css', '/settings/config.json', '/settings/index.html'])(
      'passes the file %s through',
      (uri) => {
        expect(run(uri)).toMatchObject({ uri });
      },
    );

    it.each(['/', '/settings', '/settings/'])('redirects %s to the page', (uri) => {
      expect(run(uri)).toMatchObject({ statusCode: 302, headers: { location: { value: '/settings/whatsapp' } } });
    });
  });
});
