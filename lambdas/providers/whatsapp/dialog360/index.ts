/** 360dialog (Cloud API v2): webhook codec, sender, connection test, templates. */
export { DIALOG360_API_KEY_HEADER, DIALOG360_BASE_URL, DIALOG360_WEBHOOK_TOKEN_HEADER, dialog360Authorization } from './api';
export {
  InvalidCredentialsError,
  dialog360ConnectionInputSchema,
  dialog360CredentialsSchema,
  parseDialog360Credentials,
  type Dialog360ConnectionInput,
  type Dialog360Credentials,
} from './credentials';
export { Dialog360WebhookCodec } from './codec';
export { Dialog360Sender, dialog360Endpoint, type Dialog360SenderDeps } from './sender';
export { Dialog360ConnectionTester, type Dialog360ConnectionTesterDeps } from './connection-test';
export { Dialog360TemplateBsp, Dialog360TemplateClient, dialog360TemplateEndpoint } from './templates';
export { dialog360MediaFetcher, dialog360MediaSource } from './media';
