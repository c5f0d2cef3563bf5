/** Meta's WhatsApp Cloud API, directly: webhook codec, sender, connection test, templates. */
export { META_GRAPH_BASE_URL, META_GRAPH_VERSION, appSecretProof, graphUrl } from './graph';
export {
  InvalidCredentialsError,
  metaAuthorization,
  metaConnectionInputSchema,
  metaCredentialsSchema,
  parseMetaCredentials,
  type MetaConnectionInput,
  type MetaCredentials,
} from './credentials';
export { META_SIGNATURE_HEADER, metaSignature, verifyMetaSignature } from './signature';
export { MetaWebhookCodec } from './codec';
export { MetaSender, metaEndpoint, type MetaSenderDeps } from './sender';
export { MetaConnectionTester, type MetaConnectionTesterDeps } from './connection-test';
export { MetaTemplateBsp, MetaTemplateClient, metaTemplateEndpoint } from './templates';
export { metaMediaFetcher, metaMediaSource } from './media';
