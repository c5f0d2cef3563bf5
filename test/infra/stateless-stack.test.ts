import { Match, type Template } from 'aws-cdk-lib/assertions';
import { STACK_NAMES, WEBHOOK_ROUTES, WEBHOOK_TIMEOUT_SECONDS } from '../../lib/config';
import { WEBHOOK_SCALING } from '../../lib/scaling';
import {
  actionsOf,
  CONNECTION_SECRETS_RESOURCE,
  identityStatements,
  isImportOf,
  logicalIdOf,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  synthesizeWithoutBundling,
  type PolicyStatement,
  type SynthesizedApp,
} from './synth';
import { SDK_TIMEOUT_VARIABLES } from '../../lambdas/shared/aws-clients';

/** The webhook's environment contract with `lambdas/handlers/webhook/env.ts`. */
const WEBHOOK_ENV_NAMES = [
  'CONNECTIONS_TABLE',
  'CONVERSATIONS_TABLE',
  'MESSAGES_TABLE',
  'DEDUPE_TABLE',
  'INBOUND_QUEUE_URL',
  'OUTBOUND_QUEUE_URL',
  'EVENT_BUS_NAME',
  'ARCHIVE_BUCKET',
  'SECRETS_CACHE_TTL_SECONDS',
  'CONNECTION_CACHE_TTL_SECONDS',
  'DEDUPE_TTL_DAYS',
  'META_APP_SECRET_ARN',
];
// Powertools' settings and the AWS SDK limits: what EchoFunction gives every function.
const POWERTOOLS_ENV_NAMES = ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_LOG_LEVEL', ...Object.values(SDK_TIMEOUT_VARIABLES)];

function webhookEnvironment(synthesized: SynthesizedApp): Record<string, unknown> {
  const fn = synthesized.statelessTemplate.findResources('AWS::Lambda::Function')[
    logicalIdOf(synthesized.stateless.webhook.function)
  ];
  return fn?.Properties.Environment.Variables as Record<string, unknown>;
}

describe('stateless stack', () => {
  let synthesized: SynthesizedApp;
  let template: Template;
  /** Statements of the webhook role's policies. */
  let webhookStatements: PolicyStatement[];
  const statefulId = (construct: { node: { defaultChild?: unknown } }) => logicalIdOf(construct);

  beforeAll(() => {
    synthesized = synthesizeWithoutBundling();
    template = synthesized.statelessTemplate;
    webhookStatements = identityStatements(template, logicalIdOf(synthesized.stateless.webhook.echoFunction.role));
  }, SYNTH_TIMEOUT_MS);

  it('is named for operators and the local runtime', () => {
    expect(synthesized.stateless.stackName).toBe(STACK_NAMES.stateless);
  });

  describe('webhook function', () => {
    it('runs Node.js 22 on arm64 with 512 MB, a 10 s timeout, active tracing and its reserved share of the account concurrency', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: WEBHOOK_TIMEOUT_SECONDS,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        // Reserved, so that no burst of other functions can starve the BSPs' deliveries (lib/scaling.ts).
        ReservedConcurrentExecutions: WEBHOOK_SCALING.reservedConcurrency,
        LoggingConfig: { LogGroup: { Ref: logicalIdOf(synthesized.stateless.webhook.echoFunction.logGroup) } },
      });
    });

    it('logs to its own log group, kept one month, encrypted with the stateful key', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        RetentionInDays: 30,
        KmsKeyId: Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('EncryptionKey') }),
      });
    });

    it('gets exactly the environment variables its env schema reads, plus Powertools', () => {
      const environment = webhookEnvironment(synthesized);
      expect(Object.keys(environment).sort()).toEqual([...WEBHOOK_ENV_NAMES, ...POWERTOOLS_ENV_NAMES].sort());
      expect(environment).toMatchObject({
        SECRETS_CACHE_TTL_SECONDS: '300',
        CONNECTION_CACHE_TTL_SECONDS: '30',
        DEDUPE_TTL_DAYS: '14',
        POWERTOOLS_SERVICE_NAME: 'whatsapp-webhook',
        POWERTOOLS_METRICS_NAMESPACE: 'EchoWhatsApp',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      });
      const { stateful } = synthesized;
      expect(isImportOf(environment.CONNECTIONS_TABLE, statefulId(stateful.tables.connections))).toBe(true);
      expect(isImportOf(environment.CONVERSATIONS_TABLE, statefulId(stateful.tables.conversations))).toBe(true);
      expect(isImportOf(environment.MESSAGES_TABLE, statefulId(stateful.tables.messages))).toBe(true);
      expect(isImportOf(environment.DEDUPE_TABLE, statefulId(stateful.tables.dedupe))).toBe(true);
      expect(isImportOf(environment.INBOUND_QUEUE_URL, statefulId(stateful.inboundQueue))).toBe(true);
      expect(isImportOf(environment.OUTBOUND_QUEUE_URL, statefulId(stateful.outboundQueue))).toBe(true);
      expect(isImportOf(environment.EVENT_BUS_NAME, statefulId(stateful.eventBus))).toBe(true);
    });

    it('has a role of its own without managed policies (no account-wide log access)', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({
          Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
        }),
        ManagedPolicyArns: Match.absent(),
      });
    });

    it('alarms on any failed invocation', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(synthesized.stateless.webhook.function) } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('AlarmsTopic') })],
      });
    });
  });

  describe('webhook permissions (least privilege)', () => {
    const dynamoActionsOn = (tableLogicalId: string) =>
      webhookStatements
        .filter((statement) => resourcesOf(statement).some((resource) => isImportOf(resource, tableLogicalId)))
        .flatMap(actionsOf)
        .sort();

    it('DynamoDB: per table, only the single-item actions its transaction and lookups need', () => {
      const { tables } = synthesized.stateful;
      expect(dynamoActionsOn(statefulId(tables.connections))).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      expect(dynamoActionsOn(statefulId(tables.conversations))).toEqual(['dynamodb:UpdateItem']);
      expect(dynamoActionsOn(statefulId(tables.messages))).toEqual([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]);
      expect(dynamoActionsOn(statefulId(tables.dedupe))).toEqual([
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
      ]);
    });

    it('DynamoDB: never Scan, Delete or a wildcard; Query only on the connections byProviderAccount index (Meta app-level routing)', () => {
      const dynamoStatements = webhookStatements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
      );
      const actions = dynamoStatements.flatMap(actionsOf);
      for (const forbidden of ['dynamodb:Scan', 'dynamodb:DeleteItem', 'dynamodb:*', '*']) {
        expect(actions).not.toContain(forbidden);
      }
      const indexStatements = dynamoStatements.filter((statement) => JSON.stringify(statement).includes('/index/'));
      expect(indexStatements).toHaveLength(1);
      expect(actionsOf(indexStatements[0]!)).toEqual(['dynamodb:Query']);
      expect(JSON.stringify(indexStatements[0])).toContain('/index/byProviderAccount');
      expect(dynamoStatements.filter((statement) => statement !== indexStatements[0]).flatMap(actionsOf)).not.toContain('dynamodb:Query');
    });

    it("Secrets Manager: GetSecretValue only, on the connection-secret prefix and Echo's Meta app secret, decrypt only via Secrets Manager", () => {
      const secretStatements = webhookStatements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('secretsmanager:')),
      );
      expect(secretStatements).toEqual([
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: [{ 'Fn::ImportValue': expect.stringContaining('MetaAppSecret') }, CONNECTION_SECRETS_RESOURCE],
        },
      ]);
      expect(webhookStatements).toContainEqual(
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Condition: {
            StringEquals: {
              'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
            },
          },
        }),
      );
    });

    it('nothing but the admin Lambda can write secrets (every other role: GetSecretValue at most)', () => {
      const adminRole = logicalIdOf(synthesized.stateless.admin.echoFunction.role);
      const secretActionsOf = (statements: PolicyStatement[]) =>
        statements
          .filter((statement) => statement.Effect === 'Allow')
          .flatMap(actionsOf)
          .filter((action) => action === '*' || action.startsWith('secretsmanager:') || action === 'secretsmanager:*');
      expect([...new Set(secretActionsOf(identityStatements(synthesized.statefulTemplate)))]).toEqual([]);
      const roles = Object.keys(template.findResources('AWS::IAM::Role'));
      expect(roles).toContain(adminRole);
      for (const role of roles.filter((id) => id !== adminRole)) {
        const actions = [...new Set(secretActionsOf(identityStatements(template, role)))];
        expect({ role, actions: actions.filter((action) => action !== 'secretsmanager:GetSecretValue') }).toEqual({
          role,
          actions: [],
        });
      }
      // No statement outside a role policy (e.g. a managed policy attached elsewhere) either.
      template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    });

    it('SQS: SendMessage only, on the inbound queue (AI hand-off) and the outbound queue (fallbacks)', () => {
      const sqsStatements = webhookStatements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('sqs:')),
      );
      expect(sqsStatements).toHaveLength(1);
      expect(actionsOf(sqsStatements[0]!)).toEqual(['sqs:SendMessage']);
      const resources = resourcesOf(sqsStatements[0]!);
      expect(resources).toHaveLength(2);
      for (const queue of [synthesized.stateful.inboundQueue, synthesized.stateful.outboundQueue]) {
        expect(resources.some((resource) => isImportOf(resource, statefulId(queue)))).toBe(true);
      }
    });

    it('EventBridge: PutEvents on our bus only', () => {
      const eventStatements = webhookStatements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('events:')),
      );
      expect(eventStatements).toHaveLength(1);
      expect(actionsOf(eventStatements[0]!)).toEqual(['events:PutEvents']);
      expect(isImportOf(eventStatements[0]!.Resource, statefulId(synthesized.stateful.eventBus))).toBe(true);
    });

    it('S3: only PutObject, only under the inbound half of the payload archive', () => {
      const s3Statements = webhookStatements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
      expect(s3Statements).toHaveLength(1);
      expect(actionsOf(s3Statements[0]!)).toEqual(['s3:PutObject']);
      expect(JSON.stringify(s3Statements[0]!.Resource)).toMatch(/echo-whatsapp-archive-.*\/inbound\/\*/);
    });

    it('KMS: only on our key and only through DynamoDB, SQS, Secrets Manager or S3 (the archive)', () => {
      const kmsStatements = webhookStatements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('kms:')),
      );
      const viaServices = kmsStatements.map((statement) => {
        expect(isImportOf(statement.Resource, statefulId(synthesized.stateful.encryptionKey))).toBe(true);
        const via = statement.Condition?.StringEquals?.['kms:ViaService'] as { 'Fn::Join': [string, unknown[]] };
        return via['Fn::Join'][1][0];
      });
      expect(viaServices.sort()).toEqual(['dynamodb.', 's3.', 'secretsmanager.', 'sqs.']);
    });

    it('only the X-Ray statement (no resource-level permissions exist for it) uses Resource "*"', () => {
      const starStatements = webhookStatements.filter((statement) => resourcesOf(statement).includes('*'));
      expect(starStatements.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    });
  });

  describe('webhook HTTP API', () => {
    // Spelled out rather than read from WEBHOOK_ROUTE_KEYS, so that a route lost from the provider list fails here.
    const routeKeys = [
      `POST ${WEBHOOK_ROUTES.twilioInbound}`,
      `POST ${WEBHOOK_ROUTES.twilioStatus}`,
      `POST ${WEBHOOK_ROUTES.twilioFallback}`,
      `GET ${WEBHOOK_ROUTES.meta}`,
      `POST ${WEBHOOK_ROUTES.meta}`,
      `POST ${WEBHOOK_ROUTES.dialog360}`,
      `GET ${WEBHOOK_ROUTES.metaApp}`,
      `POST ${WEBHOOK_ROUTES.metaApp}`,
    ];
    /** Resources of one type that belong to the webhook API (the admin API has its own). */
    const ofWebhookApi = (type: string) =>
      Object.fromEntries(
        Object.entries(template.findResources(type)).filter(
          ([, resource]) => (resource.Properties?.ApiId as { Ref?: string })?.Ref === logicalIdOf(synthesized.stateless.webhookApi.api),
        ),
      );
    const webhookStage = () => Object.values(ofWebhookApi('AWS::ApiGatewayV2::Stage'))[0]!;

    it('is an HTTP API (payload v2 keeps rawPath and rawQueryString for signature checks)', () => {
      expect(resourceOfApi()).toMatchObject({ Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } });
      expect(Object.keys(ofWebhookApi('AWS::ApiGatewayV2::Integration'))).toHaveLength(1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [logicalIdOf(synthesized.stateless.webhook.function), 'Arn'] },
      });
    });

    const resourceOfApi = () =>
      template.toJSON().Resources[logicalIdOf(synthesized.stateless.webhookApi.api)] as { Type: string; Properties: unknown };

    it.each(routeKeys)(
      'routes %s to the webhook, authenticated in the Lambda with the connection secret',
      (routeKey) => {
        template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: routeKey,
          AuthorizationType: 'NONE',
          Target: Match.objectLike({ 'Fn::Join': ['', ['integrations/', Match.anyValue()]] }),
        });
      },
    );

    it('has exactly the webhook routes of the three providers (Twilio inbound, status, fallback; Meta GET and POST; 360dialog POST)', () => {
      expect(
        Object.values(ofWebhookApi('AWS::ApiGatewayV2::Route'))
          .map((route) => route.Properties.RouteKey)
          .sort(),
      ).toEqual([...routeKeys].sort());
    });

    it('serves the $default stage, auto-deployed', () => {
      expect(webhookStage().Properties).toMatchObject({ StageName: '$default', AutoDeploy: true });
    });

    it('writes JSON access logs with request id, ip, route, status, latency and integration error', () => {
      const settings = webhookStage().Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
      expect(settings.DestinationArn).toEqual({
        'Fn::GetAtt': [logicalIdOf(synthesized.stateless.webhookApi.accessLogGroup), 'Arn'],
      });
      expect(JSON.parse(settings.Format)).toMatchObject({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
        integrationErrorMessage: '$context.integrationErrorMessage',
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        RetentionInDays: 30,
        KmsKeyId: Match.anyValue(),
      });
      // Access logs of both APIs, and one log group per function (ours and the settings page's
      // deployment function).
      template.resourceCountIs('AWS::Logs::LogGroup', 2 + Object.keys(template.findResources('AWS::Lambda::Function')).length);
    });

    it('throttles each webhook route, with room for 3 status callbacks a message where statuses arrive (and every other route by default)', () => {
      const { rateLimit, burstLimit } = WEBHOOK_SCALING.throttle;
      const times = (factor: number) => ({ ThrottlingRateLimit: rateLimit * factor, ThrottlingBurstLimit: burstLimit * factor });
      const inbound = times(1);
      const statuses = times(3);
      const both = times(4);
      // 1,000 inbound messages/s per provider, and the 3,000 status callbacks/s their replies cause.
      expect(inbound.ThrottlingRateLimit).toBeGreaterThanOrEqual(1_000);
      expect(webhookStage().Properties).toMatchObject({
        DefaultRouteSettings: inbound,
        RouteSettings: {
          [`POST ${WEBHOOK_ROUTES.twilioInbound}`]: inbound,
          [`POST ${WEBHOOK_ROUTES.twilioFallback}`]: inbound,
          [`POST ${WEBHOOK_ROUTES.twilioStatus}`]: statuses,
          [`GET ${WEBHOOK_ROUTES.meta}`]: inbound,
          [`POST ${WEBHOOK_ROUTES.meta}`]: both,
          [`POST ${WEBHOOK_ROUTES.dialog360}`]: both,
        },
      });
    });

    it('creates the stage after the routes its route settings name', () => {
      const routes = ofWebhookApi('AWS::ApiGatewayV2::Route');
      expect(webhookStage().DependsOn).toEqual(expect.arrayContaining(Object.keys(routes)));
    });

    it('lets API Gateway invoke the webhook only for these routes', () => {
      const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
      const webhookArn = { 'Fn::GetAtt': [logicalIdOf(synthesized.stateless.webhook.function), 'Arn'] };
      const apiGateway = permissions.filter(
        (permission) =>
          permission.Properties.Principal === 'apigateway.amazonaws.com' &&
          JSON.stringify(permission.Properties.FunctionName) === JSON.stringify(webhookArn),
      );
      // One permission per route (GET and POST of Meta's path each have theirs), none for anything else.
      const webhookPaths = [...new Set(routeKeys.map((routeKey) => routeKey.split(' ')[1]!))];
      expect(apiGateway).toHaveLength(routeKeys.length);
      for (const permission of apiGateway) {
        expect(JSON.stringify(permission.Properties.SourceArn)).toContain(logicalIdOf(synthesized.stateless.webhookApi.api));
      }
      for (const path of webhookPaths) {
        template.hasResourceProperties('AWS::Lambda::Permission', {
          Action: 'lambda:InvokeFunction',
          Principal: 'apigateway.amazonaws.com',
          SourceArn: { 'Fn::Join': ['', Match.arrayWith([`/*/*${path}`])] },
        });
      }
    });

    it('alarms on the 5xx rate', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'IF(requests > 0, 100 * errors / requests, 0)' }),
          Match.objectLike({
            Id: 'errors',
            MetricStat: Match.objectLike({
              Metric: Match.objectLike({ Namespace: 'AWS/ApiGateway', MetricName: '5xx' }),
            }),
          }),
        ]),
        Threshold: 1,
      });
    });

    it('outputs the webhook base URL', () => {
      template.hasOutput('WebhookBaseUrl', {
        Value: { 'Fn::Join': ['', Match.arrayWith(['https://', '.execute-api.'])] },
      });
    });
  });
});
