/** Sending through Twilio: messages, Content API, error classification. */
export { TwilioSender, type TwilioSenderDeps } from './sender';
export {
  TwilioContentApi,
  isSendableApproval,
  type ContentDefinition,
  type TwilioContentApiDeps,
  type WhatsAppTemplateCategory,
} from './content-api';
export { InMemoryContentCache, contentCacheKey, type ContentCache } from './content-cache';
export {
  INTERACTIVE_CONTENT_LANGUAGE,
  canonicalJson,
  contentHash,
  contentTypesFor,
  interactiveContentDefinition,
} from './content';
export {
  TWILIO_ERROR_TABLE,
  classifyTwilioHttpError,
  classifyTwilioTransportError,
  contentClassOf,
  parseRetryAfter,
  renderTwilioErrorTable,
  twilioErrorCode,
  twilioErrorFor,
  twilioFailureKind,
  type ContentClass,
  type TwilioErrorMatch,
  type TwilioErrorRow,
  type TwilioOperation,
} from './errors';
