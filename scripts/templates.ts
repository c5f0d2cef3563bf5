/**
 * `npm run templates -- <command>`: WhatsApp templates of a business, through its connection's BSP
 * (Twilio, Meta or 360dialog: the connection's provider decides).
 *
 *   create --connection <id> [--template reengagement] [--force]
 *       Creates the template (templates/<name>.json) in the connection's BSP account with its
 *       credentials, submits it for WhatsApp approval and records it in the template registry.
 *       Twilio: a Content item, then its submission. Meta / 360dialog: one `message_templates`
 *       call that creates and submits the `whatsappName` with the `twilio/text` body as its BODY.
 *       Run again, it does not create a second template: a `draft` (Twilio: created, submit
 *       failed) is submitted again, a submitted or approved one is left alone (`--force`: a new
 *       Twilio content), a rejected one is replaced (Twilio: a new content; Meta / 360dialog keep
 *       one template per name and language, so the existing one is recorded).
 *   sync [--business <id>]
 *       Re-reads the approval status of every template (of one business, or of all) and updates
 *       the registry (Meta / 360dialog: one template list per connection).
 *   list --business <id>
 *       Prints the business's templates: a header row, then one tab-separated row per template.
 *
 * Where: locally (default when `npm run dev` is running) the tables, moto and the BSP simulators
 * come from `.local/runtime.json`; in AWS pass `--aws` (or set the tables) and the usual AWS
 * credentials: `--templates-table`/`TEMPLATES_TABLE`, `--connections-table`/`CONNECTIONS_TABLE`,
 * `--content-base-url`/`TWILIO_CONTENT_BASE_URL` (default https://content.twilio.com),
 * `--meta-base-url`/`META_GRAPH_BASE_URL` (default https://graph.facebook.com),
 * `--dialog360-base-url`/`DIALOG360_BASE_URL` (default https://waba-v2.360dialog.io).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionDirectory } from '../lambdas/adapters/dynamodb-connection-directory';
import { DynamoDbTemplateBusinesses } from '../lambdas/adapters/dynamodb-template-businesses';
import { DynamoDbTemplateRegistry } from '../lambdas/adapters/dynamodb-template-registry';
import type { ProviderCredentials } from '../lambdas/domain/bsp';
import { SecretsCredentialsStore } from '../lambdas/adapters/secrets-credentials-store';
import type { Connection } from '../lambdas/domain/connection';
import {
  BspApprovalReader,
  syncTemplateApprovals,
  type SyncApprovalsResult,
} from '../lambdas/domain/template-approval';
import type { TemplateBsps } from '../lambdas/domain/template-bsp';
import {
  createAndSubmitTemplate,
  TemplateOnOtherConnectionError,
  templateFileSchema,
  UnsupportedTemplateContentError,
  UnsupportedTemplateProviderError,
  type TemplateFile,
} from '../lambdas/domain/template-creation';
import type { TemplateDefinition, TemplateRegistry } from '../lambdas/domain/templates';
import { createTemplateBsps } from '../lambdas/providers/whatsapp/templates';

export const TEMPLATES_DIR = resolve(__dirname, '..', 'templates');
const DEFAULT_STATE_FILE = process.env.LOCAL_STATE_FILE ?? resolve(__dirname, '..', '.local', 'runtime.json');
const DEFAULT_CONTENT_BASE_URL = 'https://content.twilio.com';
const DEFAULT_META_BASE_URL = 'https://graph.facebook.com';
const DEFAULT_DIALOG360_BASE_URL = 'https://waba-v2.360dialog.io';

/** A template definition file (`templates/<name>.json`); the schema lives with the domain code. */
export { templateFileSchema, type TemplateFile };

export class TemplatesCommandError extends Error {}

/**
 * Reads and validates `templates/<name>.json`.
 * @example loadTemplateFile('reengagement').language // 'es_MX'
 */
export function loadTemplateFile(name: string, dir: string = TEMPLATES_DIR): TemplateFile {
  if (!/^[a-z0-9_-]{1,64}$/.test(name)) throw new TemplatesCommandError(`invalid template name "${name}"`);
  const file = resolve(dir, `${name}.json`);
  if (!existsSync(file)) throw new TemplatesCommandError(`no template definition ${file}`);
  const parsed = templateFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new TemplatesCommandError(
      `${file} is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

type Credentials = ProviderCredentials;

/** Everything the commands use; `templatesContext` builds the real one. */
export interface TemplatesContext {
  registry: TemplateRegistry;
  connections: { get(connectionId: string): Promise<Connection | undefined> };
  credentials: { get(secretId: string): Promise<Credentials> };
  /** The template port of each provider (`createTemplateBsps`). */
  templateBsps: TemplateBsps;
  businesses: { list(): Promise<string[]> };
  now: () => Date;
  log: (line: string) => void;
}

/**
 * Creates a template in the connection's BSP account, submits it for approval, records it
 * (see `createAndSubmitTemplate`, which the admin API shares).
 */
export async function createTemplate(
  ctx: TemplatesContext,
  options: { connectionId: string; template: TemplateFile; force?: boolean },
): Promise<TemplateDefinition> {
  const connection = await ctx.connections.get(options.connectionId);
  if (!connection) throw new TemplatesCommandError(`connection ${options.connectionId} not found`);
  try {
    return await createAndSubmitTemplate(
      { registry: ctx.registry, credentials: ctx.credentials, bsps: ctx.templateBsps, now: ctx.now, log: ctx.log },
      { connection, template: options.template, ...(options.force !== undefined && { force: options.force }) },
    );
  } catch (error) {
    if (error instanceof TemplateOnOtherConnectionError || error instanceof UnsupportedTemplateProviderError || error instanceof UnsupportedTemplateContentError) {
      throw new TemplatesCommandError(error.message);
    }
    throw error;
  }
}

/** Re-reads approval statuses: every template of one business (or of all businesses). */
export async function syncTemplates(ctx: TemplatesContext, options: { businessId?: string } = {}): Promise<SyncApprovalsResult> {
  const businesses = options.businessId ? [options.businessId] : await ctx.businesses.list();
  const result = await syncTemplateApprovals(businesses, {
    registry: ctx.registry,
    approvals: new BspApprovalReader({ connections: ctx.connections, credentials: ctx.credentials, bsps: ctx.templateBsps }),
    // By hand, everything that has a BSP id: drafts and rejections included.
    filter: () => true,
    now: ctx.now,
    onTemplateFailed: (definition, error) =>
      ctx.log(`✖ ${definition.businessId} ${definition.name} (${definition.language}): ${(error as Error)?.message ?? String(error)}`),
  });
  for (const change of result.changed) {
    ctx.log(`${change.businessId} ${change.name} (${change.language}): ${change.from} → ${change.to}${change.reason ? ` (${change.reason})` : ''}`);
  }
  ctx.log(`synced ${result.checked} template(s) of ${result.businesses} business(es): ${result.changed.length} changed, ${result.failed} failed`);
  return result;
}

/** The columns of `list`, tab-separated like its rows (for `cut -f` and spreadsheets). */
export const LIST_HEADER = ['name', 'language', 'category', 'status', 'provider template id', 'connection', 'updated'].join('\t');

/** Prints a business's templates: a header row, then one row per template. */
export async function listTemplates(ctx: TemplatesContext, businessId: string): Promise<TemplateDefinition[]> {
  const templates = await ctx.registry.list(businessId);
  if (templates.length === 0) ctx.log(`no templates for business ${businessId}`);
  else ctx.log(LIST_HEADER);
  for (const t of templates) {
    ctx.log(
      `${t.name}\t${t.language}\t${t.category}\t${t.approvalStatus}${t.rejectionReason ? ` (${t.rejectionReason})` : ''}\t${t.providerTemplateId}\t${t.connectionId}\t${t.updatedAt}`,
    );
  }
  return templates;
}

/** Where the command works: tables, endpoints and each BSP's base URL. */
export interface TemplatesTarget {
  mode: 'local' | 'aws';
  region: string;
  /** moto's endpoint, locally. */
  endpoint?: string;
  tables: { templates: string; connections: string };
  /** Twilio's Content API. */
  contentBaseUrl: string;
  /** Meta's Graph API. */
  metaBaseUrl: string;
  /** 360dialog's API. */
  dialog360BaseUrl: string;
}

interface RuntimeState {
  motoEndpoint: string;
  region: string;
  webhookEnv: Record<string, string>;
  tables: Record<string, { logicalId: string; name: string }>;
  twilio?: { mode: 'simulator' | 'real'; simulatorUrl?: string };
  /** The Cloud API simulators `npm run dev` runs (state file version 3). */
  simulators?: { meta?: string; dialog360?: string };
}

/**
 * Local (from the runtime file of `npm run dev`) or AWS (flags, then environment).
 * @example resolveTarget({ aws: true, 'templates-table': 'T', 'connections-table': 'C' }, {}) // { mode: 'aws', … }
 */
export function resolveTarget(
  flags: {
    aws?: boolean;
    local?: boolean;
    'templates-table'?: string;
    'connections-table'?: string;
    'content-base-url'?: string;
    'meta-base-url'?: string;
    'dialog360-base-url'?: string;
    region?: string;
    'state-file'?: string;
  },
  env: NodeJS.ProcessEnv,
): TemplatesTarget {
  const templates = flags['templates-table'] ?? env.TEMPLATES_TABLE;
  const connections = flags['connections-table'] ?? env.CONNECTIONS_TABLE;
  const stateFile = flags['state-file'] ?? DEFAULT_STATE_FILE;
  const aws = flags.aws || (!flags.local && templates !== undefined);
  if (aws) {
    if (!templates || !connections) {
      throw new TemplatesCommandError('in AWS, give --templates-table and --connections-table (or TEMPLATES_TABLE and CONNECTIONS_TABLE)');
    }
    return {
      mode: 'aws',
      region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      tables: { templates, connections },
      contentBaseUrl: flags['content-base-url'] ?? env.TWILIO_CONTENT_BASE_URL ?? DEFAULT_CONTENT_BASE_URL,
      metaBaseUrl: flags['meta-base-url'] ?? env.META_GRAPH_BASE_URL ?? DEFAULT_META_BASE_URL,
      dialog360BaseUrl: flags['dialog360-base-url'] ?? env.DIALOG360_BASE_URL ?? DEFAULT_DIALOG360_BASE_URL,
    };
  }
  if (!existsSync(stateFile)) {
    throw new TemplatesCommandError(`${stateFile} not found: start \`npm run dev\` first, or pass --aws with the table names`);
  }
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as RuntimeState;
  const byLogicalId = (prefix: string) => Object.values(state.tables ?? {}).find((table) => table.logicalId.startsWith(prefix))?.name;
  const localTemplates = templates ?? byLogicalId('TemplatesTable');
  const localConnections = connections ?? state.webhookEnv?.CONNECTIONS_TABLE ?? byLogicalId('ConnectionsTable');
  if (!localTemplates || !localConnections) throw new TemplatesCommandError(`${stateFile} names no templates or connections table`);
  return {
    mode: 'local',
    region: state.region,
    endpoint: state.motoEndpoint,
    tables: { templates: localTemplates, connections: localConnections },
    contentBaseUrl:
      flags['content-base-url'] ??
      (state.twilio?.mode === 'simulator' && state.twilio.simulatorUrl ? state.twilio.simulatorUrl : env.TWILIO_CONTENT_BASE_URL ?? DEFAULT_CONTENT_BASE_URL),
    metaBaseUrl: flags['meta-base-url'] ?? state.simulators?.meta ?? env.META_GRAPH_BASE_URL ?? DEFAULT_META_BASE_URL,
    dialog360BaseUrl: flags['dialog360-base-url'] ?? state.simulators?.dialog360 ?? env.DIALOG360_BASE_URL ?? DEFAULT_DIALOG360_BASE_URL,
  };
}

/** The real context for a target; `close()` releases the SDK clients. */
export function templatesContext(target: TemplatesTarget, log: (line: string) => void = console.log): TemplatesContext & { close(): void } {
  const config = {
    region: target.region,
    ...(target.endpoint && { endpoint: target.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } }),
  };
  const dynamodb = new DynamoDBClient(config);
  const secrets = new SecretsManagerClient(config);
  const documents = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  return {
    registry: new DynamoDbTemplateRegistry(documents, target.tables.templates),
    connections: new DynamoDbConnectionDirectory(documents, target.tables.connections, { cacheTtlMs: 0 }),
    credentials: new SecretsCredentialsStore(secrets, 0),
    templateBsps: createTemplateBsps({
      fetch,
      timeoutMs: 15_000,
      twilioContentBaseUrl: target.contentBaseUrl,
      metaGraphBaseUrl: target.metaBaseUrl,
      dialog360BaseUrl: target.dialog360BaseUrl,
    }),
    businesses: new DynamoDbTemplateBusinesses(documents, target.tables.templates),
    now: () => new Date(),
    log,
    close: () => {
      dynamodb.destroy();
      secrets.destroy();
    },
  };
}

const USAGE = `usage: npm run templates -- <command> [options]
  create --connection <id> [--template reengagement] [--force]
  sync   [--business <id>]
  list   --business <id>
options: --aws | --local, --templates-table <name>, --connections-table <name>,
         --content-base-url <url>, --meta-base-url <url>, --dialog360-base-url <url>,
         --region <region>, --state-file <path>`;

/** Runs one command; resolves with the process exit code. */
export async function main(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      connection: { type: 'string' },
      template: { type: 'string', default: 'reengagement' },
      business: { type: 'string' },
      force: { type: 'boolean', default: false },
      aws: { type: 'boolean', default: false },
      local: { type: 'boolean', default: false },
      'templates-table': { type: 'string' },
      'connections-table': { type: 'string' },
      'content-base-url': { type: 'string' },
      'meta-base-url': { type: 'string' },
      'dialog360-base-url': { type: 'string' },
      region: { type: 'string' },
      'state-file': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['create', 'sync', 'list'].includes(command)) {
    log(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === 'create' && !values.connection) throw new TemplatesCommandError('create needs --connection <id>');
  if (command === 'list' && !values.business) throw new TemplatesCommandError('list needs --business <id>');

  const target = resolveTarget(values, process.env);
  // Locally (moto), the SDK's notice about the Node version is noise, as in `npm run dev`.
  if (target.mode === 'local') process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  log(
    `(${target.mode}: templates ${target.tables.templates}, connections ${target.tables.connections}, ` +
      `Twilio ${target.contentBaseUrl}, Meta ${target.metaBaseUrl}, 360dialog ${target.dialog360BaseUrl})`,
  );
  const ctx = templatesContext(target, log);
  try {
    if (command === 'create') {
      await createTemplate(ctx, { connectionId: values.connection as string, template: loadTemplateFile(values.template as string), force: values.force });
    } else if (command === 'sync') {
      const result = await syncTemplates(ctx, values.business ? { businessId: values.business } : {});
      if (result.failed > 0) return 1;
    } else {
      await listTemplates(ctx, values.business as string);
    }
    return 0;
  } finally {
    ctx.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`✖ ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
