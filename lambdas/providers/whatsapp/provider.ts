/**
 * The ports a BSP implements are owned by the domain (`lambdas/domain/bsp.ts`); they are
 * re-exported here so that provider folders import them from next door.
 */
export type {
  ConnectionCheck,
  ConnectionTester,
  ContentClass,
  MediaDownload,
  MediaFetcher,
  MessageKey,
  ProviderCredentials,
  SendableContent,
  SendFailureKind,
  SenderNumber,
  SendRequest,
  SendResult,
  SentLookup,
  SentLookupResult,
  TestTarget,
  WebhookAck,
  WebhookCodec,
  WebhookEvent,
  WebhookRequest,
  WebhookRoute,
  WhatsAppSender,
} from '../../domain/bsp';
