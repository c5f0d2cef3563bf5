import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { handlerEntry, LAMBDA_BUNDLING, REPO_ROOT } from '../bundling';
import { METRICS_NAMESPACE } from '../config';
import { SDK_TIMEOUTS, sdkTimeoutEnvironment } from '../scaling';

// Re-exported: lib/app.ts, the tests and the local runtime import them from here.
export { handlerEntry, REPO_ROOT };

/** Log levels understood by Powertools' Logger. */
export type PowertoolsLogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface EchoFunctionProps {
  /** Folder under `lambdas/handlers/` whose `index.ts` exports `handler`. */
  readonly handlerName: string;

  /** `POWERTOOLS_SERVICE_NAME`: the `service` field of every log line and metric dimension. */
  readonly serviceName: string;

  /** Hard limit of one invocation. Queue consumers must use the timeouts from `lib/config.ts`. */
  readonly timeout: Duration;

  /**
   * Memory, which also buys CPU: 512 MB keeps cold starts of a bundled SDK handler short.
   * @default 512
   */
  readonly memorySize?: number;

  /**
   * The function's own environment variables (added to the Powertools ones).
   * @default - none
   */
  readonly environment?: Record<string, string>;

  /**
   * `POWERTOOLS_LOG_LEVEL`.
   * @default 'INFO'
   */
  readonly logLevel?: PowertoolsLogLevel;

  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log group when the function is removed. Logs are operational and
   * retention-bound; the durable record of every message is in DynamoDB.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Key to encrypt the log group with (log lines may carry phone numbers). The key policy must
   * allow CloudWatch Logs (see `EncryptionKey`).
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Maximum concurrent executions reserved (and capped) for this function.
   * @default - unreserved: the function shares the account's pool
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * Where Lambda puts an asynchronous invocation (schedule, event) that still fails after its
   * retries. The function's role gets `sqs:SendMessage` on it; if the queue is KMS-encrypted, the
   * caller adds the key access (see `kmsViaService` in `./policy`).
   * @default - no dead-letter queue (synchronous and event-source-mapped functions need none)
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * A Node.js 22 / arm64 Lambda function bundled with esbuild, with the settings every function of
 * this system shares: X-Ray tracing, an explicit log group with retention, Powertools
 * configuration, and a role that holds nothing but its own log and tracing permissions (callers add
 * least-privilege statements with {@link addToRolePolicy}).
 */
export class EchoFunction extends Construct {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: EchoFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
      encryptionKey: props.logEncryptionKey,
    });

    // Our own role instead of the default one: the default attaches the AWSLambdaBasicExecutionRole
    // managed policy, which may write to any log group of the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.serviceName}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: this.entryFor(props.handlerName),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        // Enforced AWS SDK timeouts (lambdas/shared/aws-clients.ts): a slow dependency fails fast.
        ...sdkTimeoutEnvironment(SDK_TIMEOUTS),
        ...props.environment,
      },
      // One source for these settings: lib/bundling.ts (the bench bundles with the same ones).
      bundling: {
        target: LAMBDA_BUNDLING.target,
        format: nodejs.OutputFormat.CJS,
        minify: LAMBDA_BUNDLING.minify,
        keepNames: LAMBDA_BUNDLING.keepNames,
        sourceMap: LAMBDA_BUNDLING.sourceMap,
        externalModules: [...LAMBDA_BUNDLING.externalModules],
        // Warnings and errors only: the size report per bundle is noise in `cdk synth` and in
        // tests, and `npm run bench` prints the figures that matter.
        logLevel: nodejs.LogLevel.WARNING,
      },
    });

    // Lambda (not our code) sends trace segments; X-Ray has no resource-level permissions.
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the statement CDK adds for active tracing uses Resource "*": xray:PutTraceSegments and ' +
        'xray:PutTelemetryRecords do not support resource-level permissions. Every other statement of ' +
        'this role names its resources (asserted in test/infra).',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime this product is built and tested for: the esbuild target is node22 ' +
        'and @aws-sdk/* is left out of the bundle to resolve against the SDK v3 that this runtime ships. ' +
        'Moving to a newer runtime is a deliberate upgrade of target, runtime and tests together, not a ' +
        'silent change.',
    });
  }

  /**
   * The handler's entry file. A template-only synthesis (bundling skipped: template tests, the local
   * runtime) does not read the code, so a handler that is not written yet must not stop it: it
   * gets a warning and this module as a stand-in entry (`NodejsFunction` insists that the entry
   * exists). Whenever bundling runs (`cdk synth`, `cdk deploy`, the bundling test) a missing entry
   * fails synthesis as usual.
   */
  private entryFor(handlerName: string): string {
    const entry = handlerEntry(handlerName);
    if (fs.existsSync(entry) || Stack.of(this).bundlingRequired) return entry;
    Annotations.of(this).addWarningV2(
      'echo:missing-handler-entry',
      `${path.relative(REPO_ROOT, entry)} does not exist; the template is synthesized without its code`,
    );
    return __filename;
  }

  /** Adds a least-privilege statement to the function's role. */
  public addToRolePolicy(statement: iam.PolicyStatement): void {
    this.function.addToRolePolicy(statement);
  }
}
