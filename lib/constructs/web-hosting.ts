import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AssetHashType,
  DefaultStackSynthesizer,
  DockerImage,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Validations,
  type ILocalBundling,
} from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { REPO_ROOT } from '../bundling';
import { addCspSources, FACEBOOK_SDK_CSP } from '../settings-csp';

/** Where the settings page lives under the site's origin (bucket key prefix and URL path). */
export const SETTINGS_PATH = '/settings/';

/** The settings page's own URL (the single page app routes `/settings/<page>` to its index.html). */
export const SETTINGS_PAGE_PATH = '/settings/whatsapp';

/** How the settings page gets a token (`auth` of `settings/config.json`, read by `web/src`). */
export type SettingsPageAuth =
  | { readonly type: 'token' }
  | {
      readonly type: 'oidc';
      readonly authorizeUrl: string;
      readonly tokenUrl: string;
      readonly clientId: string;
      readonly scope: string;
      readonly redirectPath: string;
    };

/** `settings/config.json`: the page's runtime configuration, written at deploy time. */
export interface SettingsPageConfig {
  /** Base of the admin API's URLs; `''` = same origin (CloudFront forwards `/businesses/*`). */
  readonly apiBaseUrl: string;
  /** The token claim naming the business. */
  readonly businessClaim: string;
  readonly auth: SettingsPageAuth;
  /**
   * "Connect with Facebook" (Embedded Signup): Echo's Meta app id, its Login for Business
   * configuration id, Facebook's SDK URL, the origins of the signup window's messages and the Graph
   * version. Absent: the page offers the manual Meta steps only.
   */
  readonly metaSignup?: {
    readonly appId: string;
    readonly configId: string;
    readonly sdkUrl: string;
    readonly messageOrigins: readonly string[];
    readonly graphVersion: string;
  };
}

/** The signature `web/build.ts` exports (owned by the web front end). */
type BuildWeb = (outDir: string) => void;

/**
 * Runs `buildWeb(outputDir)` from `web/build.ts` (esbuild, in-process) when the asset is bundled:
 * `cdk synth`/`deploy` and the bundling test. Template-only synthesis (tests, the local runtime)
 * skips it. Never falls back to Docker: a missing or failing build fails synthesis with its reason.
 */
class WebBuild implements ILocalBundling {
  constructor(private readonly webDir: string) {}

  public tryBundle(outputDir: string): boolean {
    const buildFile = path.join(this.webDir, 'build.ts');
    if (!fs.existsSync(buildFile)) {
      throw new Error(
        `Cannot bundle the settings page: ${path.relative(REPO_ROOT, buildFile)} does not exist (it must export ` +
          '`buildWeb(outDir: string): void`). Synthesize without bundling (-c skipBundling=true) or ' +
          'deploy with -c settingsPage=false until the web front end exists.',
      );
    }
    // Loaded lazily: only bundling needs it (and esbuild), and this module must load without it.
    // `require` of a .ts file works under tsx (the CDK app, the local runtime) and ts-jest.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(buildFile) as { buildWeb?: BuildWeb };
    if (typeof loaded.buildWeb !== 'function') {
      throw new Error(`Cannot bundle the settings page: ${path.relative(REPO_ROOT, buildFile)} exports no buildWeb(outDir)`);
    }
    loaded.buildWeb(outputDir);
    for (const file of ['index.html', 'app.js']) {
      if (!fs.existsSync(path.join(outputDir, file))) {
        throw new Error(`Cannot bundle the settings page: buildWeb() wrote no ${file} into ${outputDir}`);
      }
    }
    return true;
  }
}

/**
 * Viewer-request function of the bucket behaviour: the single page app serves every extension-less
 * path under `/settings/` (`/settings/whatsapp`, deep links) from `/settings/index.html`, and `/`
 * and `/settings` redirect to the page. Files (`app.js`, `app.css`, `config.json`) pass unchanged.
 */
export const SETTINGS_ROUTING_FUNCTION = `
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '/settings' || uri === '/settings/') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${SETTINGS_PAGE_PATH}' } } };
  }
  if (uri.indexOf('${SETTINGS_PATH}') === 0 && uri.slice(uri.lastIndexOf('/') + 1).indexOf('.') === -1) {
    request.uri = '${SETTINGS_PATH}index.html';
  }
  return request;
}
`.trim();

export interface WebHostingProps {
  /**
   * Origins besides our own that the page talks to (fetch) and navigates to (sign-in): the OIDC
   * provider's authorize and token endpoints, e.g. `https://x.auth.eu-west-1.amazoncognito.com`.
   * Used in the Content-Security-Policy.
   * @default - none (token sign-in only)
   */
  readonly authOrigins?: string[];

  /**
   * Origins of the short-lived presigned links to received media (the media bucket's regional
   * host): admitted for images (`img-src`) and audio/video players (`media-src`) only.
   * @default - none (`media-src` falls back to `default-src 'self'`)
   */
  readonly mediaOrigins?: string[];

  /**
   * Custom domain names of the distribution (requires `certificate`, in us-east-1).
   * @default - the distribution's `*.cloudfront.net` domain
   */
  readonly domainNames?: string[];

  /**
   * Certificate for `domainNames`; with it, viewers must use TLS 1.2 or later (TLSv1.2_2021).
   * @default - CloudFront's default certificate (which cannot enforce a minimum TLS version)
   */
  readonly certificate?: acm.ICertificate;

  /**
   * ARN of a WAF web ACL (scope CLOUDFRONT, in us-east-1) in front of the page and the API.
   * @default - no web ACL
   */
  readonly webAclId?: string;

  /**
   * Directory of the web front end (with `build.ts` exporting `buildWeb`).
   * @default '<repo>/web'
   */
  readonly webDir?: string;

  /**
   * What happens to the buckets (site and access logs) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long CloudFront and S3 access logs are kept.
   * @default Duration.days(90)
   */
  readonly accessLogRetention?: Duration;

  /**
   * Key to encrypt the deployment function's log group with.
   * @default - CloudWatch Logs' own encryption
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * Admit Facebook's JS SDK ("Connect with Facebook") in the CSP of the settings page only
   * (`/settings/whatsapp*`); every other response keeps the strict policy.
   * @default false
   */
  readonly facebookSdk?: boolean;
}

/**
 * The settings page in AWS: a private S3 bucket behind CloudFront with origin access control,
 * plus the admin API on the same origin (`/businesses/*`, see {@link addApiBehavior}) so the page
 * needs no CORS and the token never leaves the origin. Deploy the page with {@link deploySite}.
 *
 * Secure defaults: bucket private (public access blocked, readable only by this distribution
 * through OAC), SSL-only bucket policies, encryption at rest, S3 server access logs and CloudFront
 * access logs in a separate log bucket, HTTPS only (HTTP redirects), TLS 1.2 to origins, and a
 * response headers policy with HSTS, a strict Content-Security-Policy, `nosniff`,
 * `frame-ancestors 'none'` and `no-referrer`.
 */
export class WebHosting extends Construct {
  /** The bucket holding the page under `settings/`. */
  public readonly bucket: s3.Bucket;
  /** Server access logs of {@link bucket} (prefix `s3/`) and CloudFront logs (prefix `cloudfront/`). */
  public readonly logBucket: s3.Bucket;
  /** The distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** Security headers of every response (page and API). */
  public readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** The page's own headers when it admits Facebook's SDK (`facebookSdk`): the same, with the SDK's origins in the CSP. */
  public readonly pageResponseHeadersPolicy?: cloudfront.ResponseHeadersPolicy;
  /** `https://<domain>` of the site, no trailing slash. */
  public readonly url: string;
  /** The settings page: `https://<domain>/settings/whatsapp`. */
  public readonly settingsPageUrl: string;
  /** The deployment of the page's files, once {@link deploySite} ran. */
  public deployment?: s3deploy.BucketDeployment;
  /** What {@link deploySite} wrote to `settings/config.json` (tokens resolve at deploy time). */
  public siteConfig?: SettingsPageConfig;
  private readonly webDir: string;
  private readonly logEncryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: WebHostingProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.webDir = props.webDir ?? path.join(REPO_ROOT, 'web');
    this.logEncryptionKey = props.logEncryptionKey;

    // Access logs of the site bucket and the distribution. SSE-S3 because neither S3 server access
    // logging nor CloudFront standard logging can write to SSE-KMS buckets; ACLs enabled
    // (OBJECT_WRITER) because CloudFront standard logging delivers through the bucket ACL.
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: props.accessLogRetention ?? Duration.days(90) }],
      removalPolicy,
    });
    Validations.of(this.logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket is the access log destination of the settings page bucket and of the CloudFront ' +
        'distribution; logging its own accesses into itself would log every log delivery recursively, and ' +
        'only the log delivery services and operators read it (public access blocked, SSL only).',
    });

    // SSE-S3 rather than the stack's KMS key: the files are the public page (served to anyone by
    // CloudFront), and OAC reads from an SSE-KMS bucket need a key policy statement for CloudFront
    // on the stateful stack's key, which would make the stateful stack depend on this one.
    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      removalPolicy,
    });

    const authOrigins = props.authOrigins ?? [];
    const mediaOrigins = props.mediaOrigins ?? [];
    const csp = [
      "default-src 'self'",
      "script-src 'self'",
      // Inline style attributes only (no inline script): harmless, and the page sets a few.
      "style-src 'self' 'unsafe-inline'",
      ['img-src', "'self'", 'data:', ...mediaOrigins].join(' '),
      ...(mediaOrigins.length > 0 ? [['media-src', ...mediaOrigins].join(' ')] : []),
      ['connect-src', "'self'", ...authOrigins].join(' '),
      ['form-action', "'self'", ...authOrigins].join(' '),
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
    ].join('; ');
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Echo WhatsApp settings page and admin API: security headers',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      removeHeaders: ['Server'],
    });

    const routing = new cloudfront.Function(this, 'SettingsRouting', {
      comment: 'Serves /settings/<page> from /settings/index.html; / and /settings redirect to the page',
      code: cloudfront.FunctionCode.fromInline(SETTINGS_ROUTING_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
    });

    const siteOrigin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Echo WhatsApp settings page and admin API',
      defaultBehavior: {
        origin: siteOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: [{ function: routing, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      },
      domainNames: props.domainNames,
      certificate: props.certificate,
      // Only settable with a custom certificate (the default one's policy is fixed by CloudFront).
      minimumProtocolVersion: props.certificate ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      webAclId: props.webAclId,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });

    if (props.facebookSdk) {
      // The page document only (its scripts, styles and the API keep the strict policy): Facebook's
      // SDK, its frames and requests, for "Connect with Facebook".
      this.pageResponseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'PageSecurityHeaders', {
        comment: "Echo WhatsApp settings page: security headers, CSP admitting Facebook's SDK (Embedded Signup)",
        securityHeadersBehavior: {
          strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
          contentSecurityPolicy: { contentSecurityPolicy: addCspSources(csp, FACEBOOK_SDK_CSP), override: true },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
          referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        },
        removeHeaders: ['Server'],
      });
      this.distribution.addBehavior(`${SETTINGS_PAGE_PATH}*`, siteOrigin, {
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.pageResponseHeadersPolicy,
        functionAssociations: [{ function: routing, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        compress: true,
      });
    }

    const domain = props.domainNames?.[0] ?? this.distribution.distributionDomainName;
    this.url = `https://${domain}`;
    this.settingsPageUrl = `${this.url}${SETTINGS_PAGE_PATH}`;

    if (!props.certificate) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          "Without a custom domain the distribution uses CloudFront's default *.cloudfront.net certificate, " +
          'for which CloudFront does not let us set a minimum TLS version. Pass domainNames and a certificate ' +
          '(WebHosting props) to enforce TLSv1.2_2021, which is already configured for that case.',
      });
    }
    if (!props.webAclId) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL by default: the distribution serves a static page and forwards /businesses/* to an ' +
          'API that validates a JWT on every route at API Gateway (before any code runs) and throttles every ' +
          'route. A CLOUDFRONT-scope web ACL lives in us-east-1 and has a monthly cost; pass webAclId to add one.',
      });
    }
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction: Echo serves businesses wherever WhatsApp is available, and the page and the API ' +
        'require a signed-in user from our identity provider, which is the access control that matters.',
    });
  }

  /**
   * Forwards `pathPattern` (e.g. `/businesses/*`) to an HTTP API, over HTTPS with TLS 1.2, every
   * method, nothing cached, every viewer header (the `Authorization` bearer token included) except
   * `Host`, which API Gateway needs to be its own.
   */
  public addApiBehavior(pathPattern: string, api: apigwv2.IHttpApi): void {
    // apiEndpoint is `https://<id>.execute-api.<region>.amazonaws.com`: the host is the third part.
    const apiDomain = Fn.select(2, Fn.split('/', api.apiEndpoint));
    this.distribution.addBehavior(
      pathPattern,
      new origins.HttpOrigin(apiDomain, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      }),
      {
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
    );
  }

  /**
   * Deploys the page under `settings/`: the bundle `buildWeb()` writes (built locally at synthesis)
   * and `settings/config.json` generated from `config` (deploy-time values such as the Cognito
   * client id resolve in it). Removes files of earlier versions and invalidates `/settings/*`.
   */
  public deploySite(config: SettingsPageConfig): s3deploy.BucketDeployment {
    if (this.deployment) throw new Error('deploySite() may be called once');
    this.siteConfig = config;
    if (!fs.existsSync(this.webDir) || !fs.statSync(this.webDir).isDirectory()) {
      throw new Error(`the web front end directory ${this.webDir} does not exist (deploy with -c settingsPage=false)`);
    }
    const page = s3deploy.Source.asset(this.webDir, {
      // The hash of what was built, so a change in shared code the page imports redeploys it too.
      assetHashType: AssetHashType.OUTPUT,
      exclude: ['dist', 'node_modules', '*.test.ts'],
      bundling: {
        local: new WebBuild(this.webDir),
        // Required by the API but never used: WebBuild bundles locally or fails with its reason.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
      },
    });
    // Our own role and log group for CDK's deployment function (a singleton custom resource that
    // copies the files from the CDK asset bucket): the default role would attach the
    // AWSLambdaBasicExecutionRole managed policy, which may write to any log group of the account.
    const role = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the settings page from the CDK asset bucket to its bucket and invalidates CloudFront',
    });
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
      encryptionKey: this.logEncryptionKey,
    });
    logGroup.grantWrite(role);
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [page, s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      destinationKeyPrefix: SETTINGS_PATH.replace(/^\//, ''),
      distribution: this.distribution,
      distributionPaths: [`${SETTINGS_PATH}*`],
      memoryLimit: 256,
      role,
      logGroup,
    });
    this.acknowledgeDeploymentFunction(role);
    return this.deployment;
  }

  /**
   * The findings on CDK's deployment function, whose code and grants CDK writes: each IAM5 finding
   * by its exact id (a new grant CDK adds in a later version fails the nag test instead of passing
   * silently), and its runtime.
   */
  private acknowledgeDeploymentFunction(role: iam.Role): void {
    const stack = Stack.of(this);
    const qualifier = stack.synthesizer.bootstrapQualifier ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const siteBucketId = stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    const copyReason =
      'Granted by CDK BucketDeployment to its copy function, on exactly two buckets: read (s3:GetObject*, ' +
      's3:GetBucket*, s3:List*) on the CDK asset bucket holding the zipped page, and write/prune ' +
      '(s3:DeleteObject*, s3:Abort*, plus reads) on the settings page bucket. The object-level wildcards ' +
      'are the keys of the page files, which change with every build; the action wildcards are CDK\'s grantRead/grantReadWrite.';
    for (const finding of [
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*`,
      `Resource::<${siteBucketId}.Arn>/*`,
    ]) {
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: copyReason });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Granted by CDK BucketDeployment so that its function can invalidate /settings/* after a deployment: ' +
        'CDK grants cloudfront:CreateInvalidation and cloudfront:GetInvalidation on "*" (it has no hook to ' +
        'scope them to the distribution). Invalidations only evict cached copies; they change no content.',
    });
    const fn = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!fn) throw new Error('the BucketDeployment function was not found in the stack');
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "CDK BucketDeployment's own function (Python, with the AWS CLI layer) picks its runtime in " +
        'aws-cdk-lib, not in this code; it runs only during deployments to copy the static page and is ' +
        'upgraded with aws-cdk-lib.',
    });
  }
}
