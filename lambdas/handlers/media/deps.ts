import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbConnectionDirectory } from '../../adapters/dynamodb-connection-directory';
import { DynamoDbMediaFailureCounter, DynamoDbMediaRecords } from '../../adapters/dynamodb-media-records';
import { EventBridgePublisher } from '../../adapters/eventbridge-publisher';
import { mediaS3Client, S3MediaObjectStore } from '../../adapters/s3-media-store';
import { SecretsCredentialsStore } from '../../adapters/secrets-credentials-store';
import { SqsVisibility } from '../../adapters/sqs-visibility';
import type { MediaFetcher } from '../../domain/bsp';
import type { ProviderName } from '../../domain/providers';
import { dialog360MediaFetcher } from '../../providers/whatsapp/dialog360/media';
import { META_MEDIA_ORIGIN } from '../../providers/whatsapp/cloud-api/media';
import { metaMediaFetcher } from '../../providers/whatsapp/meta/media';
import { TwilioMediaFetcher } from '../../providers/whatsapp/twilio/media-fetcher';
import { fastClientConfig } from '../../shared/aws-clients';
import { createPowertools } from '../../shared/powertools';
import { createSafeFetch } from '../../shared/safe-fetch';
import { SERVICE } from '../../shared/telemetry';
import type { MediaEnv } from './env';
import type { MediaHandlerDeps } from './handler';

/**
 * Where Twilio's `MediaUrl` redirects (its short-lived signed CDN links): Twilio's media CDN, and
 * the S3 endpoint older accounts' links use. Credentials never go there (the fetcher drops them on
 * the hop), and every address is checked all the same.
 */
const TWILIO_MEDIA_CDN_HOSTS = ['*.twiliocdn.com', 's3-external-1.amazonaws.com', 's3.amazonaws.com'];

/**
 * Each provider's media fetcher on a safe `fetch` that may reach only that provider's own hosts:
 * its API host (from the configured base URL) and its media CDN.
 * @example const fetchers = mediaFetchersFor(env);
 */
export function mediaFetchersFor(env: MediaEnv): Record<ProviderName, MediaFetcher> {
  const allowInsecureLocal = env.MEDIA_ALLOW_INSECURE_LOCAL === '1';
  const hostOf = (url: string) => new URL(url).hostname.replace(/^\[|\]$/g, '');
  const safe = (allowedHosts: string[]) => createSafeFetch({ allowedHosts, allowInsecureLocal });
  const timeoutMs = env.MEDIA_DOWNLOAD_TIMEOUT_MS;
  return {
    twilio: new TwilioMediaFetcher({
      fetch: safe([hostOf(env.TWILIO_API_BASE_URL), ...TWILIO_MEDIA_CDN_HOSTS]),
      timeoutMs,
      apiBaseUrl: env.TWILIO_API_BASE_URL,
    }),
    meta: metaMediaFetcher({ fetch: safe([hostOf(env.META_GRAPH_BASE_URL), hostOf(META_MEDIA_ORIGIN)]), timeoutMs }, env.META_GRAPH_BASE_URL),
    '360dialog': dialog360MediaFetcher({ fetch: safe([hostOf(env.DIALOG360_BASE_URL)]), timeoutMs }, env.DIALOG360_BASE_URL),
  };
}

/** Builds the media function's dependencies once per container (cold start). */
export function createMediaDeps(env: MediaEnv): MediaHandlerDeps {
  const { logger, metrics } = createPowertools(SERVICE.media);
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient(fastClientConfig), { marshallOptions: { removeUndefinedValues: true } });
  return {
    mirror: {
      connections: new DynamoDbConnectionDirectory(documents, env.CONNECTIONS_TABLE, { cacheTtlMs: 60_000 }),
      credentials: new SecretsCredentialsStore(new SecretsManagerClient(fastClientConfig), env.SECRETS_CACHE_TTL_SECONDS),
      fetchers: mediaFetchersFor(env),
      // Not the fast config: a part upload of 5 MB needs more than 3 s.
      objects: new S3MediaObjectStore(mediaS3Client({ maxAttempts: 3 }), env.MEDIA_BUCKET),
      records: new DynamoDbMediaRecords(documents, env.MESSAGES_TABLE),
      failures: new DynamoDbMediaFailureCounter(documents, env.DEDUPE_TABLE),
      events: new EventBridgePublisher(new EventBridgeClient(fastClientConfig), env.EVENT_BUS_NAME),
      clock: { now: () => new Date() },
      config: { breakerThreshold: env.MEDIA_BREAKER_THRESHOLD },
    },
    visibility: new SqsVisibility(new SQSClient(fastClientConfig), env.MEDIA_QUEUE_URL),
    logger,
    metrics,
    config: { maxAttempts: env.MEDIA_MAX_ATTEMPTS },
  };
}
