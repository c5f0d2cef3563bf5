export { parseFormBody, parseTwilioFields } from './form';
export { parseTwilioInbound } from './inbound';
export { mediaKindOf } from './media';
export { verifyTwilioSignature } from './signature';
export { parseTwilioStatus, twilioDeliveryStatus } from './status';
export * from './send';
export { TwilioConnectionTester, TWILIO_SANDBOX_NUMBER, messagingBaseUrlFor, type TwilioConnectionTesterDeps } from './connection-test';

export { TwilioWebhookCodec } from './codec';
export { parseTwilioCredentials, twilioCredentialsSchema, InvalidTwilioCredentialsError, type TwilioCredentials } from './credentials';
export { TwilioTemplateBsp, type TwilioTemplateContentApi } from './templates';
export { TwilioMediaFetcher, type TwilioMediaFetcherDeps } from './media-fetcher';
