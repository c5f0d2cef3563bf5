import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import { auditRecord } from '../../domain/admin/audit';
import { authorize, callerOf, type Caller, type JwtClaims } from '../../domain/admin/auth';
import { deleteConnection, getConnection, putConnection, testConnection, type ConnectionAdminDeps } from '../../domain/admin/connections';
import { connectWithEmbeddedSignup, embeddedSignupBodySchema, type EmbeddedSignupDeps } from '../../domain/admin/embedded-signup';
import {
  businessIdSchema,
  conversationIdSchema,
  listConversationsQuerySchema,
  listMessagesQuerySchema,
  pauseConversationBodySchema,
  postMessageBodySchema,
  putHandoffBodySchema,
  putConnectionBodySchema,
  testConnectionBodySchema,
  type ProblemDetails,
} from '../../domain/admin/contract';
import { listConversations, listMessages, sendMessage } from '../../domain/admin/conversations';
import { pauseConversation, putHandoffSettings, resumeConversation, type HandoffAdminDeps } from '../../domain/admin/handoff';
import type { ConversationHandoffStore } from '../../domain/handoff';
import { AdminNotFoundError, AdminValidationError, UnsupportedMediaTypeError } from '../../domain/admin/errors';
import type { AuditAction, AuditLog, ConversationLister, MessageLister, SendClaimStore } from '../../domain/admin/ports';
import { problemOf } from '../../domain/admin/problems';
import { createReengagementTemplate, listTemplates } from '../../domain/admin/templates';
import type { MediaUrlSigner } from '../../domain/media/ports';
import type { OutboundQueue } from '../../domain/outbound/ports';
import type { TemplateBsps } from '../../domain/template-bsp';
import type { TemplateFile } from '../../domain/template-creation';
import type { TemplateRegistry } from '../../domain/templates';
import { providerNameSchema, type ProviderName } from '../../domain/providers';
import { PayloadTooLargeError } from '../../shared/errors';
import { describeError } from '../../shared/describe-error';
import { ADMIN_ROUTES, METRIC } from '../../shared/telemetry';

export interface AdminDeps extends ConnectionAdminDeps {
  conversations: ConversationLister;
  messages: MessageLister;
  /** Presigned links to inbound media on the messages route; absent (no media bucket): no `media`. */
  mediaSigner?: MediaUrlSigner;
  queue: OutboundQueue;
  /** Echo's Meta app ("Connect with Facebook"); without it, or without `signupGraph`, that route answers 409 `not-supported`. */
  metaApp?: EmbeddedSignupDeps['metaApp'];
  /** The Graph calls of the Embedded Signup onboarding. */
  signupGraph?: EmbeddedSignupDeps['signupGraph'];
  /** Idempotency keys of `POST …/messages` (the dedupe table). */
  sendClaims: SendClaimStore;
  /** The AI/owner hand-off state on conversations; without it the pause routes answer 500 and sends pause nothing. */
  handoff?: ConversationHandoffStore;
  templates: TemplateRegistry;
  /** The template port of each provider (Twilio's Content API, Meta's and 360dialog's `message_templates`). */
  templateBsps: TemplateBsps;
  /** `templates/reengagement.json`, validated at cold start. */
  reengagement: TemplateFile;
  audit: AuditLog;
  logger: Logger;
  metrics: Metrics;
  config: ConnectionAdminDeps['config'] & {
    /** The JWT claim naming the business (`custom:business_id`). */
    businessClaim: string;
    auditRetentionDays: number;
    /** How long a send's idempotency key is kept: the send Lambda's outbound dedupe retention. */
    dedupeTtlDays: number;
    /** Larger bodies are refused with 413 before they are parsed. */
    maxBodyBytes: number;
  };
}

/** Route keys exactly as the HTTP API declares them (`ADMIN_ROUTES` in lambdas/shared/telemetry.ts). */
export const ADMIN_ROUTE_KEYS = {
  getConnection: ADMIN_ROUTES.getConnection,
  putConnection: ADMIN_ROUTES.putConnection,
  deleteConnection: ADMIN_ROUTES.deleteConnection,
  testConnection: ADMIN_ROUTES.testConnection,
  listConversations: ADMIN_ROUTES.listConversations,
  listMessages: ADMIN_ROUTES.listMessages,
  postMessage: ADMIN_ROUTES.sendMessage,
  listTemplates: ADMIN_ROUTES.listTemplates,
  createReengagement: ADMIN_ROUTES.createReengagementTemplate,
  embeddedSignup: ADMIN_ROUTES.embeddedSignup,
  pauseConversation: ADMIN_ROUTES.pauseConversation,
  resumeConversation: ADMIN_ROUTES.resumeConversation,
  putHandoff: ADMIN_ROUTES.putHandoff,
} as const;

type Reply = { status: number; body?: unknown; target?: string };

/** What the audit record of a request says beyond its outcome, filled in as the request goes (kept on failures too). */
interface RequestNotes {
  provider?: ProviderName;
}

interface RequestContext {
  event: APIGatewayProxyEventV2;
  caller: Caller;
  businessId: string;
  notes: RequestNotes;
}

interface Route {
  /** Mutating routes are audited. */
  action?: AuditAction;
  /** `required`: a JSON body must be sent; `optional`: an empty body reads as `{}`; absent: ignored. */
  body?: 'required' | 'optional';
  run(request: RequestContext, deps: AdminDeps, body: unknown): Promise<Reply>;
}

const ROUTES: Record<string, Route> = {
  [ADMIN_ROUTE_KEYS.getConnection]: {
    run: async ({ businessId }, deps) => ({ status: 200, body: await getConnection(businessId, deps) }),
  },
  [ADMIN_ROUTE_KEYS.putConnection]: {
    action: 'connection.put',
    body: 'required',
    run: async ({ businessId, notes }, deps, body) => {
      // Audited even when the body is refused, as far as it named a provider.
      const named = providerNameSchema.safeParse((body as { provider?: unknown } | null)?.provider);
      if (named.success) notes.provider = named.data;
      const result = await putConnection(businessId, parse(putConnectionBodySchema, body), {
        ...deps,
        onCleanupFailed: (error) => {
          deps.metrics.addMetric(METRIC.connectionCleanupFailed, MetricUnit.Count, 1);
          deps.logger.error('could not undo the writes of a save that lost its number', { error: describeError(error) });
        },
        onSetupFailed: (error) => {
          deps.metrics.addMetric(METRIC.connectionSetupFailed, MetricUnit.Count, 1);
          deps.logger.warn('the BSP setup after a save failed; the save stands', { provider: notes.provider, error: describeError(error) });
        },
      });
      deps.logger.info('connection saved', {
        connectionId: result.connection.connectionId,
        provider: result.connection.provider,
        created: result.created,
        ...(result.connection.setup && { setupOk: result.connection.setup.ok, setupCode: result.connection.setup.code }),
      });
      return { status: result.created ? 201 : 200, body: result.view, target: result.connection.connectionId };
    },
  },
  [ADMIN_ROUTE_KEYS.deleteConnection]: {
    action: 'connection.delete',
    run: async ({ businessId, notes }, deps) => {
      const { connection } = await deleteConnection(businessId, {
        ...deps,
        onSecretDeletionFailed: (error) => {
          deps.metrics.addMetric(METRIC.secretDeletionFailed, MetricUnit.Count, 1);
          deps.logger.error('could not schedule the secret deletion; the connection is disabled', { error: describeError(error) });
        },
      });
      notes.provider = connection.provider;
      return { status: 204, target: connection.connectionId };
    },
  },
  [ADMIN_ROUTE_KEYS.testConnection]: {
    action: 'connection.test',
    body: 'optional',
    run: async ({ businessId, notes }, deps, body) => {
      const { result, connection } = await testConnection(businessId, parse(testConnectionBodySchema, body), deps);
      notes.provider = connection.provider;
      deps.logger.info('connection tested', {
        connectionId: connection.connectionId,
        provider: connection.provider,
        verified: result.verified,
        steps: result.steps.map((step) => ({ id: step.id, ok: step.ok, code: step.code })),
      });
      return { status: 200, body: result, target: connection.connectionId };
    },
  },
  [ADMIN_ROUTE_KEYS.embeddedSignup]: {
    action: 'connection.embedded-signup',
    body: 'required',
    run: async ({ businessId, notes }, deps, body) => {
      notes.provider = 'meta';
      const result = await connectWithEmbeddedSignup(businessId, parse(embeddedSignupBodySchema, body), {
        ...deps,
        onCleanupFailed: (error) => {
          deps.metrics.addMetric(METRIC.connectionCleanupFailed, MetricUnit.Count, 1);
          deps.logger.error('could not undo the writes of a save that lost its number', { error: describeError(error) });
        },
        onSetupFailed: (error) => {
          deps.metrics.addMetric(METRIC.connectionSetupFailed, MetricUnit.Count, 1);
          deps.logger.warn('the Embedded Signup setup at Meta failed; the connection is saved', { error: describeError(error) });
        },
      });
      const { connection } = result;
      deps.logger.info('connection saved through Embedded Signup', {
        connectionId: connection.connectionId,
        created: result.created,
        replayed: result.replayed,
        coexistence: connection.coexistence === true,
        ...(connection.setup && { setupOk: connection.setup.ok, setupCode: connection.setup.code }),
      });
      return { status: result.created ? 201 : 200, body: result.view, target: connection.connectionId };
    },
  },
  [ADMIN_ROUTE_KEYS.listConversations]: {
    run: async ({ businessId, event }, deps) => ({
      status: 200,
      body: await listConversations(businessId, parse(listConversationsQuerySchema, event.queryStringParameters ?? {}), deps),
    }),
  },
  [ADMIN_ROUTE_KEYS.listMessages]: {
    run: async ({ businessId, event }, deps) => ({
      status: 200,
      body: await listMessages(businessId, conversationIdOf(event), parse(listMessagesQuerySchema, event.queryStringParameters ?? {}), deps),
    }),
  },
  [ADMIN_ROUTE_KEYS.postMessage]: {
    action: 'message.send',
    body: 'required',
    run: async ({ businessId, event }, deps, body) => {
      const conversationId = conversationIdOf(event);
      const accepted = await sendMessage(businessId, conversationId, parse(postMessageBodySchema, body), {
        conversations: deps.conversations,
        connections: deps.connections,
        queue: deps.queue,
        sendClaims: deps.sendClaims,
        ...(deps.handoff && { handoff: deps.handoff }),
        clock: deps.clock,
        config: { dedupeTtlDays: deps.config.dedupeTtlDays },
      });
      deps.logger.info('message accepted for sending', { conversationId, messageId: accepted.messageId });
      return { status: 202, body: accepted, target: conversationId };
    },
  },
  [ADMIN_ROUTE_KEYS.pauseConversation]: {
    action: 'conversation.pause',
    body: 'optional',
    run: async ({ businessId, event }, deps, body) => {
      const conversationId = conversationIdOf(event);
      const view = await pauseConversation(businessId, conversationId, parse(pauseConversationBodySchema, body), handoffDeps(deps));
      deps.logger.info('conversation paused', { conversationId, aiPausedUntil: view.aiPausedUntil });
      return { status: 200, body: view, target: conversationId };
    },
  },
  [ADMIN_ROUTE_KEYS.resumeConversation]: {
    action: 'conversation.resume',
    run: async ({ businessId, event }, deps) => {
      const conversationId = conversationIdOf(event);
      const view = await resumeConversation(businessId, conversationId, handoffDeps(deps));
      deps.logger.info('conversation resumed', { conversationId });
      return { status: 200, body: view, target: conversationId };
    },
  },
  [ADMIN_ROUTE_KEYS.putHandoff]: {
    action: 'connection.handoff',
    body: 'required',
    run: async ({ businessId, notes }, deps, body) => {
      const { view, connection } = await putHandoffSettings(businessId, parse(putHandoffBodySchema, body), deps);
      notes.provider = connection.provider;
      return { status: 200, body: view, target: connection.connectionId };
    },
  },
  [ADMIN_ROUTE_KEYS.listTemplates]: {
    run: async ({ businessId }, deps) => ({ status: 200, body: await listTemplates(businessId, { registry: deps.templates }) }),
  },
  [ADMIN_ROUTE_KEYS.createReengagement]: {
    action: 'template.create',
    body: 'optional',
    run: async ({ businessId }, deps) => {
      const view = await createReengagementTemplate(businessId, {
        connections: deps.connections,
        registry: deps.templates,
        // Opaque here: the connection's provider parses its own credentials.
        credentials: deps.credentials,
        bsps: deps.templateBsps,
        reengagement: deps.reengagement,
        now: () => deps.clock.now(),
      });
      return { status: 202, body: view, target: `${view.name}#${view.language}` };
    },
  },
};

/**
 * The admin API: one Lambda behind an HTTP API (payload 2.0) whose JWT authorizer has already
 * verified the token. Per request, top to bottom:
 * 1. route by `routeKey` (unknown → 404);
 * 2. who: the authorizer's claims (none → 401), the business claim must equal the path's
 *    `businessId` (otherwise 404, the same as a business that does not exist, and nothing is
 *    read or written for the path's business);
 * 3. the body (mutating routes): at most 64 KiB (413), JSON (415), valid (400 with `errors`);
 * 4. the domain call; its errors become RFC 9457 problem details;
 * 5. an audit record for every mutating call, under the token's own business, whatever the outcome.
 * Nothing secret is logged or answered: no body, no token, no full number (the connection view
 * shows secrets' last 4 characters only, and Meta's verify token, which the owner must paste into
 * Meta). Connection actions are audited with their provider.
 * @example export const handler = createAdminHandler(createAdminDeps(loadAdminEnv()));
 */
export function createAdminHandler(deps: AdminDeps) {
  const { logger, metrics } = deps;

  async function handle(event: APIGatewayProxyEventV2, route: Route | undefined, notes: RequestNotes): Promise<{ reply: Reply; caller?: Caller }> {
    const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: JwtClaims } } }).authorizer?.jwt?.claims;
    const caller = callerOf(claims, deps.config.businessClaim);
    if (!route) throw new AdminNotFoundError('No such route.');
    const pathBusiness = event.pathParameters?.businessId;
    const authorized = authorize(caller, pathBusiness !== undefined && businessIdSchema.safeParse(pathBusiness).success ? pathBusiness : undefined);
    logger.appendKeys({ businessId: authorized.businessId });
    const body = route.body ? readJsonBody(event, route.body, deps.config.maxBodyBytes) : undefined;
    return { reply: await route.run({ event, caller: authorized, businessId: authorized.businessId, notes }, deps, body), caller: authorized };
  }

  async function audit(event: APIGatewayProxyEventV2, action: AuditAction, caller: Caller | undefined, reply: Reply, notes: RequestNotes): Promise<void> {
    // Only a business the token itself names: never the path's, which may be someone else's.
    if (!caller) return;
    try {
      await deps.audit.write(
        auditRecord({
          businessId: caller.businessId,
          actor: caller.actor,
          action,
          status: reply.status,
          requestId: event.requestContext.requestId,
          at: deps.clock.now(),
          retentionDays: deps.config.auditRetentionDays,
          ...(reply.target !== undefined && { target: reply.target }),
          ...(notes.provider !== undefined && { provider: notes.provider }),
        }),
      );
    } catch (error) {
      // The call itself is done (or refused) either way; a missing record is an alarm, not a 5xx.
      metrics.addMetric(METRIC.auditWriteFailed, MetricUnit.Count, 1);
      logger.error('audit record could not be written', { action, status: reply.status, error: describeError(error) });
    }
  }

  return async function adminHandler(event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> {
    if (context) logger.addContext(context);
    const route = ROUTES[event.routeKey];
    logger.appendKeys({ routeKey: event.routeKey, requestId: event.requestContext?.requestId });
    let reply: Reply;
    let caller: Caller | undefined;
    const notes: RequestNotes = {};
    try {
      ({ reply, caller } = await handle(event, route, notes));
    } catch (error) {
      const problem = problemOf(error, event.rawPath);
      reply = { status: problem.status, body: problem };
      caller = tokenCaller(event, deps.config.businessClaim);
      if (problem.status >= 500) logger.error('admin request failed', { status: problem.status, error: describeError(error) });
      else logger.warn('admin request refused', { status: problem.status, reason: describeError(error) });
    }
    try {
      if (route?.action) await audit(event, route.action, caller, reply, notes);
      metrics.addMetric(reply.status >= 500 ? METRIC.adminServerError : reply.status >= 400 ? METRIC.adminClientError : METRIC.adminSuccess, MetricUnit.Count, 1);
      logger.info('admin request', { status: reply.status });
      return respond(reply);
    } finally {
      logger.resetKeys();
      metrics.publishStoredMetrics();
    }
  };
}

/** The token's own business and subject, for auditing a refused call (undefined without a business claim). */
function tokenCaller(event: APIGatewayProxyEventV2, businessClaim: string): Caller | undefined {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: JwtClaims } } } | undefined)?.authorizer?.jwt?.claims;
  try {
    return callerOf(claims, businessClaim);
  } catch {
    return undefined;
  }
}

function respond(reply: Reply): APIGatewayProxyStructuredResultV2 {
  if (reply.body === undefined) return { statusCode: reply.status, headers: { 'cache-control': 'no-store' } };
  const isProblem = reply.status >= 400;
  return {
    statusCode: reply.status,
    headers: { 'content-type': isProblem ? 'application/problem+json' : 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(reply.body as ProblemDetails | object),
  };
}

function handoffDeps(deps: AdminDeps): HandoffAdminDeps {
  if (!deps.handoff) throw new Error('the admin Lambda was built without its hand-off store');
  return { conversations: deps.conversations, connections: deps.connections, handoff: deps.handoff, clock: deps.clock };
}

function conversationIdOf(event: APIGatewayProxyEventV2): string {
  const parsed = conversationIdSchema.safeParse(event.pathParameters?.conversationId);
  // A malformed id names no conversation of this business.
  if (!parsed.success) throw new AdminNotFoundError('No such conversation.');
  return parsed.data;
}

/** Validates with zod; every issue becomes `{ path, message }` (messages never echo the values). */
function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AdminValidationError(
    'The request is not valid.',
    parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}

const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;|$)/i;

/**
 * The request body as JSON: size first (on the decoded bytes; a huge base64 body is refused before
 * it is decoded), then media type and syntax. An empty body is `{}` where the route allows it.
 */
function readJsonBody(event: APIGatewayProxyEventV2, mode: 'required' | 'optional', maxBytes: number): unknown {
  const raw = event.body ?? '';
  if (event.isBase64Encoded && Math.floor((raw.length * 3) / 4) > maxBytes + 3) throw new PayloadTooLargeError('The body is larger than 64 KiB.');
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw new PayloadTooLargeError('The body is larger than 64 KiB.');
  if (text.trim() === '') {
    if (mode === 'optional') return {};
    throw new AdminValidationError('A JSON body is required.', [{ path: '', message: 'a JSON body is required' }]);
  }
  const contentType = headerOf(event.headers, 'content-type');
  if (!contentType || !JSON_MEDIA_TYPE.test(contentType)) throw new UnsupportedMediaTypeError('The body must be JSON (content-type: application/json).');
  try {
    return JSON.parse(text);
  } catch {
    throw new UnsupportedMediaTypeError('The body is not valid JSON.');
  }
}

function headerOf(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

