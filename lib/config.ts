/**
 * Numbers and names that more than one part of the system must agree on.
 *
 * This module deliberately imports nothing (not even aws-cdk-lib): Lambda code may import it too,
 * and esbuild would otherwise drag the CDK into a function bundle. Durations are therefore plain
 * seconds; constructs wrap them in `Duration.seconds(...)`.
 */

/** CloudFormation stack names. Stable on purpose: the local runtime and operators look stacks up by name. */
export const STACK_NAMES = {
  /** Tables, key, queues, bus: changes rarely, never replaced. */
  stateful: 'EchoWhatsAppStateful',
  /** Functions and APIs: redeployed freely. */
  stateless: 'EchoWhatsAppStateless',
} as const;

/**
 * Every connection's BSP credentials live in their own secret named
 * `${CONNECTION_SECRET_PREFIX}/connections/${connectionId}`. The stack creates none (the admin API
 * does, per connection); the IAM policies of the readers are scoped to this prefix.
 */
export const CONNECTION_SECRET_PREFIX = 'echo-whatsapp';

/**
 * The name of a connection's credentials secret.
 * @example
 * connectionSecretName('conn_123'); // 'echo-whatsapp/connections/conn_123'
 */
export function connectionSecretName(connectionId: string, prefix: string = CONNECTION_SECRET_PREFIX): string {
  return `${connectionSecretPath(prefix)}${connectionId}`;
}

/** The path under which all connection secrets live, with a trailing slash (used for IAM scoping). */
export function connectionSecretPath(prefix: string = CONNECTION_SECRET_PREFIX): string {
  return `${prefix}/connections/`;
}

/**
 * Timeouts of the queue consumers, in seconds. The queues' visibility timeouts are derived from
 * these (× {@link VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT}), so the consumer Lambdas must use the
 * same numbers: a consumer that outlives its message's visibility lets a second consumer start on
 * the same message, and on a FIFO queue that blocks the whole conversation behind it.
 */
export const CONSUMER_TIMEOUT_SECONDS = {
  /** The AI Lambda reading the inbound queue. */
  inbound: 30,
  /** The send Lambda reading the outbound queue and calling the BSP. */
  outbound: 30,
} as const;

/**
 * AWS advises a queue visibility timeout of at least six times the consuming function's timeout,
 * so that Lambda's own retries on throttling fit inside one visibility period.
 */
export const VISIBILITY_TIMEOUT_PER_CONSUMER_TIMEOUT = 6;

/** Receives before a message moves to its queue's DLQ. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

/** The webhook answers the BSP; BSPs time out after ~15 s (Twilio), so we must answer well before. */
export const WEBHOOK_TIMEOUT_SECONDS = 10;

/** Namespace of every custom metric (Powertools EMF). */
export const METRICS_NAMESPACE = 'EchoWhatsApp';

/** Default values of the webhook's tunables, passed to it as environment variables. */
export const WEBHOOK_DEFAULTS = {
  secretsCacheTtlSeconds: 300,
  connectionCacheTtlSeconds: 30,
  dedupeTtlDays: 14,
} as const;

/** API paths the BSPs call. `{connectionId}` tells the webhook whose signing secret to verify with. */
export const WEBHOOK_ROUTES = {
  twilioInbound: '/webhook/whatsapp/twilio/{connectionId}',
  twilioStatus: '/webhook/whatsapp/twilio/{connectionId}/status',
} as const;

/** Context keys read by `createApp` (pass with `cdk synth -c key=value` or in `cdk.json`). */
export const CONTEXT_KEYS = {
  /** Public base URL of the webhook when a custom domain or base path fronts API Gateway. */
  publicBaseUrl: 'publicBaseUrl',
  /** Overrides {@link CONNECTION_SECRET_PREFIX}. */
  secretNamePrefix: 'secretNamePrefix',
  /** `true` skips esbuild bundling (templates only); the CLI forbids setting `aws:cdk:bundling-stacks` itself. */
  skipBundling: 'skipBundling',
} as const;
