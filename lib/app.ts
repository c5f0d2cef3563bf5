import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  ADMIN_DEFAULTS,
  AI_DEFAULTS,
  CONNECTION_SECRET_PREFIX,
  CONTEXT_KEYS,
  DEFAULT_WINDOW_LEAD_MINUTES,
  STACK_NAMES,
} from './config';
import type { AdminJwtSettings } from './constructs/admin-api';
import { validateResponder } from './constructs/ai-function';
import { REPO_ROOT } from './constructs/echo-function';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

/** Context key (set by the CDK CLI from its stack selection) listing the stacks whose assets are bundled. */
export const BUNDLING_STACKS_CONTEXT_KEY = 'aws:cdk:bundling-stacks';

export interface CreateAppOptions {
  /**
   * Extra context values (as with `cdk synth -c key=value`), e.g. `{ publicBaseUrl: 'https://…' }`.
   * @default - only the context of cdk.json
   */
  readonly context?: Record<string, unknown>;

  /**
   * Skip esbuild bundling of the Lambda code (sets `aws:cdk:bundling-stacks` to `[]`). Templates
   * are identical except for asset hashes; use it wherever only the templates matter (template
   * tests, the local runtime). From the CLI: `cdk synth -c skipBundling=true`.
   * @default false
   */
  readonly skipBundling?: boolean;

  /**
   * Where the cloud assembly is written.
   * @default - a temporary directory (the CLI passes its own)
   */
  readonly outdir?: string;

  /**
   * Account and region to bind both stacks to.
   * @default - environment-agnostic stacks (account and region resolved at deploy time)
   */
  readonly env?: Environment;
}

/** The synthesizable app and its parts. */
export interface EchoApp {
  readonly app: App;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  /**
   * The registered cdk-nag pack. `nag.validateScope(app).violations` lists unacknowledged findings
   * (the same check that runs during `app.synth()`).
   */
  readonly nag: AwsSolutionsChecks;
}

/**
 * Builds the Echo WhatsApp CDK app: the stateful and stateless stacks, with cdk-nag's AWS Solutions
 * checks registered. Used by `bin/app.ts` (CDK CLI), by the infra tests, and by the local runtime,
 * which synthesizes the templates in-process and creates the same resources against moto.
 * @example
 * const { app, stateful } = createApp({ skipBundling: true });
 * const template = app.synth().getStackByName(stateful.stackName).template;
 */
export function createApp(options: CreateAppOptions = {}): EchoApp {
  const app = new App({
    outdir: options.outdir,
    // cdk.json's context (feature flags) applies to in-process synthesis too, so tests and the
    // local runtime see the same templates as `cdk synth`. CLI context still takes precedence.
    context: { ...readCdkJsonContext(), ...options.context },
  });
  // The CLI refuses user context under `aws:`, so `cdk synth -c skipBundling=true` is the CLI's way
  // to ask for this. Setting the context after construction overrides what the CLI passed.
  if (options.skipBundling || isTrue(app.node.tryGetContext(CONTEXT_KEYS.skipBundling))) {
    app.node.setContext(BUNDLING_STACKS_CONTEXT_KEY, []);
  }

  const nag = new AwsSolutionsChecks(app, { verbose: true });
  Validations.of(app).addPlugins(nag);

  const publicBaseUrl = optionalString(app.node.tryGetContext(CONTEXT_KEYS.publicBaseUrl));
  const secretNamePrefix =
    optionalString(app.node.tryGetContext(CONTEXT_KEYS.secretNamePrefix)) ?? CONNECTION_SECRET_PREFIX;
  // Checked here, before any construct exists, so a bad value fails synthesis with its context key.
  const responder = optionalString(app.node.tryGetContext(CONTEXT_KEYS.responder)) ?? AI_DEFAULTS.responder;
  const aiEndpointUrl = optionalString(app.node.tryGetContext(CONTEXT_KEYS.aiEndpointUrl));
  validateResponder(responder, aiEndpointUrl);
  const windowLeadMinutes = optionalMinutes(
    app.node.tryGetContext(CONTEXT_KEYS.windowLeadMinutes),
    CONTEXT_KEYS.windowLeadMinutes,
  );

  const externalJwt = externalJwtOf(app);
  const businessClaim = optionalString(app.node.tryGetContext(CONTEXT_KEYS.adminBusinessClaim)) ?? ADMIN_DEFAULTS.businessClaim;
  const auditRetentionDays = optionalWholeNumber(
    app.node.tryGetContext(CONTEXT_KEYS.auditRetentionDays),
    CONTEXT_KEYS.auditRetentionDays,
    { min: 1, max: 3650 },
  );
  const settingsPage = !isFalse(app.node.tryGetContext(CONTEXT_KEYS.settingsPage));
  const metaAppId = optionalString(app.node.tryGetContext(CONTEXT_KEYS.metaAppId));
  const metaEmbeddedSignupConfigId = optionalString(app.node.tryGetContext(CONTEXT_KEYS.metaEmbeddedSignupConfigId));
  for (const [key, value] of [[CONTEXT_KEYS.metaAppId, metaAppId], [CONTEXT_KEYS.metaEmbeddedSignupConfigId, metaEmbeddedSignupConfigId]] as const) {
    if (value !== undefined && !/^\d{5,20}$/.test(value)) throw new Error(`context "${key}" must be the id Meta shows (digits), got "${value}"`);
  }
  if (metaEmbeddedSignupConfigId && !metaAppId) throw new Error(`context "${CONTEXT_KEYS.metaEmbeddedSignupConfigId}" needs "${CONTEXT_KEYS.metaAppId}"`);
  const archiveRetentionDays = optionalWholeNumber(
    app.node.tryGetContext(CONTEXT_KEYS.archiveRetentionDays),
    CONTEXT_KEYS.archiveRetentionDays,
    { min: 1, max: 3650 },
  );
  const mediaRetentionDays = optionalWholeNumber(
    app.node.tryGetContext(CONTEXT_KEYS.mediaRetentionDays),
    CONTEXT_KEYS.mediaRetentionDays,
    { min: 1, max: 3650 },
  );

  const stateful = new StatefulStack(app, STACK_NAMES.stateful, {
    stackName: STACK_NAMES.stateful,
    env: options.env,
    secretNamePrefix,
    // With an external issuer, no identities live here.
    createUserPool: externalJwt === undefined,
    cognitoDomainPrefix: optionalString(app.node.tryGetContext(CONTEXT_KEYS.cognitoDomainPrefix)),
    archiveRetentionDays,
    mediaRetentionDays,
  });
  const stateless = new StatelessStack(app, STACK_NAMES.stateless, {
    stackName: STACK_NAMES.stateless,
    env: options.env,
    stateful,
    publicBaseUrl,
    responder,
    aiEndpointUrl,
    windowLeadMinutes: windowLeadMinutes ?? DEFAULT_WINDOW_LEAD_MINUTES,
    externalJwt,
    businessClaim,
    auditRetentionDays: auditRetentionDays ?? ADMIN_DEFAULTS.auditRetentionDays,
    settingsPage,
    ...(metaAppId && { metaApp: { appId: metaAppId, ...(metaEmbeddedSignupConfigId && { embeddedSignupConfigId: metaEmbeddedSignupConfigId }) } }),
  });

  return { app, stateful, stateless, nag };
}

function readCdkJsonContext(): Record<string, unknown> {
  const file = path.join(REPO_ROOT, 'cdk.json');
  if (!fs.existsSync(file)) return {};
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}

/**
 * The external OIDC issuer of the admin API, from context: both keys or neither. The issuer must be
 * an https URL (API Gateway fetches `<issuer>/.well-known/openid-configuration`).
 */
function externalJwtOf(app: App): AdminJwtSettings | undefined {
  const issuer = optionalString(app.node.tryGetContext(CONTEXT_KEYS.adminJwtIssuer));
  const audienceList = optionalString(app.node.tryGetContext(CONTEXT_KEYS.adminJwtAudience));
  if (issuer === undefined && audienceList === undefined) return undefined;
  if (issuer === undefined || audienceList === undefined) {
    throw new Error(`context "${CONTEXT_KEYS.adminJwtIssuer}" and "${CONTEXT_KEYS.adminJwtAudience}" must be set together`);
  }
  if (!/^https:\/\/[^\s/]+/.test(issuer)) {
    throw new Error(`context "${CONTEXT_KEYS.adminJwtIssuer}" must be an https URL, got ${JSON.stringify(issuer)}`);
  }
  const audience = audienceList.split(',').map((value) => value.trim()).filter((value) => value !== '');
  if (audience.length === 0) throw new Error(`context "${CONTEXT_KEYS.adminJwtAudience}" names no audience`);
  return { issuer, audience };
}

/** A whole number within [min, max]: context values arrive as strings from the CLI. */
function optionalWholeNumber(value: unknown, key: string, range: { min: number; max: number }): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(parsed) || parsed < range.min || parsed > range.max) {
    throw new Error(`context "${key}" must be a whole number between ${range.min} and ${range.max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

/** Context values arrive as strings from the CLI; an empty string means unset. */
function optionalString(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context value must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** A whole number of minutes in (0, 24 h): context values arrive as strings from the CLI. */
function optionalMinutes(value: unknown, key: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const minutes = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(minutes) || minutes <= 0 || minutes >= 24 * 60) {
    throw new Error(`context "${key}" must be a whole number of minutes between 1 and 1439, got ${JSON.stringify(value)}`);
  }
  return minutes;
}
