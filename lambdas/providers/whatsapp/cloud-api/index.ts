/** What Meta and 360dialog share: the Cloud API webhook parser, payloads, sender, errors, templates. */
export {
  assertAddressedTo,
  cloudApiEvents,
  parseCloudApiBody,
  parseCloudApiWebhook,
  readCloudApiBody,
  type CloudApiAddress,
  type CloudApiBody,
  type CloudApiChange,
  type CloudApiProviderName,
} from './webhook-payload';
export {
  CALLBACK_DATA_MAX_LENGTH,
  CLOUD_API_MAX_TEXT_LENGTH,
  INTERACTIVE_LIMITS,
  buildMarkReadPayload,
  buildMessagePayload,
  cloudApiRecipient,
  type CloudApiMessageInput,
  type CloudApiRecipient,
} from './send-payload';
export {
  CREDENTIALS_INVALID,
  DIALOG360_ERROR_TABLE,
  META_ERROR_TABLE,
  classifyCloudApiFailure,
  cloudApiErrorFor,
  cloudApiFailureKind,
  contentClassOf,
  credentialsRejected,
  metaErrorCode,
  renderDialog360ErrorTable,
  renderMetaErrorTable,
  type CloudApiClassifyContext,
  type CloudApiErrorMatch,
  type CloudApiErrorRow,
  type CloudApiFailure,
  type CloudApiProvider,
} from './errors';
export { CloudApiErrorAnswer, callCloudApi, joinUrl, sameOrigin, withQuery, type CloudApiAnswer, type CloudApiCall, type CloudApiHttpDeps } from './http';
export { CloudApiSender, type CloudApiAuthorization, type CloudApiEndpoint, type CloudApiSenderDeps } from './sender';
export { InvalidCredentialsError, parseProviderCredentials } from './credentials';
export { secretsEqual } from './constant-time';
export {
  CloudApiTemplateClient,
  DUPLICATE_TEMPLATE_SUBCODE,
  findTemplate,
  isDuplicateTemplateError,
  templateOf,
  type CloudApiTemplate,
  type CloudApiTemplateClientDeps,
  type CloudApiTemplateEndpoint,
  type CloudApiTemplateList,
  type NewCloudApiTemplate,
} from './templates';
export { CloudApiTemplateBsp, TemplateNotListedError, type CloudApiTemplateBspDeps } from './template-bsp';
export { CloudApiMediaFetcher, MediaRefusedError, MediaTooLargeError, META_MEDIA_ORIGIN, onOrigin, type CloudApiMediaSource } from './media';
