/**
 * The template port: what the domain needs from a BSP to create a business's WhatsApp template,
 * submit it for approval and read WhatsApp's verdict back. Each provider folder implements it
 * (Twilio's Content API; Meta's and 360dialog's `message_templates`); the domain chooses one per
 * connection by `connection.provider` and knows nothing of their field names.
 *
 * The BSPs differ in one way the domain must model, not hide:
 * - Twilio creates a Content item first (a `draft`: it exists, WhatsApp has not seen it) and
 *   submits it for approval in a second call. The registry records the draft between the two, so a
 *   failed submission is retried on the same content instead of creating a second one.
 * - Cloud API (Meta, 360dialog) creates and submits in one call: there is no draft, and the
 *   template's WhatsApp name (with its language) is its id. Creating a name that already exists
 *   fails at the BSP, so `create` there returns the existing template instead: run twice, it is
 *   idempotent too.
 */
import { PermanentError } from '../shared/errors';
import type { ProviderCredentials } from './bsp';
import type { Connection } from './connection';
import type { ProviderName } from './providers';
import type { TemplateFile } from './template-creation';
import type { TemplateApprovalStatus, TemplateDefinition } from './templates';

/** What the BSP says about one template's WhatsApp approval, in its own words (`received`, `PAUSED`…). */
export interface BspApproval {
  status: string;
  rejectionReason?: string;
}

/** What a BSP answered when asked to create a template. */
export interface CreatedTemplate {
  /** Twilio: the Content SID `HX…`; Cloud API: the template's WhatsApp name (what a send names it by). */
  providerTemplateId: string;
  /**
   * `draft` when the BSP keeps the template unsubmitted until {@link TemplateBsp.submit} (Twilio).
   * Otherwise the approval status the creation started (Cloud API: `pending` or `submitted`, or
   * whatever the existing template of that name and language has).
   */
  status: TemplateApprovalStatus;
  rejectionReason?: string;
  /** The BSP already held this template (same name and language) and answered it instead of a new one. */
  existing?: true;
}

/**
 * Reads shared by the templates of one sync pass. A BSP that can only list a whole account's
 * templates (Cloud API) reads the list once per connection through it, not once per template.
 * Scopes are short-lived (the sync makes one per business) so that nothing is cached across runs.
 */
export interface TemplateReadScope {
  /**
   * The result of `read` for `key`, read at most once in this scope: concurrent callers share one
   * call, and its failure (a BSP that is down is asked once, not once per template).
   */
  once<T>(key: string, read: () => Promise<T>): Promise<T>;
}

/**
 * One BSP's templates. `create` is called only when the registry has nothing usable for the
 * connection; `submit` only for a `draft`; `fetchApproval` by the approval sync.
 */
export interface TemplateBsp {
  readonly provider: ProviderName;
  /**
   * Creates the template (`template.whatsappName` in `template.language`) in the connection's BSP
   * account. Throws `SendFailedError` (classified) when the BSP refuses or cannot be reached, and
   * `UnsupportedTemplateContentError` for a file this BSP cannot represent.
   */
  create(credentials: ProviderCredentials, connection: Connection, template: TemplateFile): Promise<CreatedTemplate>;
  /**
   * Submits a `draft` for WhatsApp's approval. Present only on BSPs whose `create` leaves drafts
   * (Twilio); Cloud API submits in `create`.
   */
  submit?(credentials: ProviderCredentials, connection: Connection, providerTemplateId: string, template: TemplateFile): Promise<BspApproval>;
  /**
   * WhatsApp's current verdict on one registry template, as the BSP words it (Twilio: one read per
   * Content SID; Cloud API: the account's list, read once per `scope`, searched by name and language).
   */
  fetchApproval(credentials: ProviderCredentials, connection: Connection, definition: TemplateDefinition, scope?: TemplateReadScope): Promise<BspApproval>;
}

/** The template port of each provider a deployment can create templates with. */
export type TemplateBsps = Readonly<Partial<Record<ProviderName, TemplateBsp>>>;

/** The connection's BSP cannot hold templates this code knows how to create. */
export class UnsupportedTemplateProviderError extends PermanentError {}

/**
 * The template file has content this BSP cannot represent (Cloud API: anything but one plain-text
 * body, e.g. Twilio quick-reply or media types).
 */
export class UnsupportedTemplateContentError extends PermanentError {}

/**
 * The port for a connection's provider.
 * @throws UnsupportedTemplateProviderError when the deployment has none for it
 * @example templateBspFor(bsps, connection).fetchApproval(credentials, connection, definition)
 */
export function templateBspFor(bsps: TemplateBsps, connection: Pick<Connection, 'provider' | 'connectionId'>): TemplateBsp {
  const bsp = bsps[connection.provider];
  if (!bsp) throw new UnsupportedTemplateProviderError(`templates are not available for ${connection.provider} connections (connection ${connection.connectionId})`);
  return bsp;
}

/**
 * A fresh {@link TemplateReadScope}: an in-memory map of promises, dropped with the scope.
 * @example
 * const scope = newTemplateReadScope();
 * await Promise.all([scope.once('k', read), scope.once('k', read)]); // `read` ran once
 */
export function newTemplateReadScope(): TemplateReadScope {
  const reads = new Map<string, Promise<unknown>>();
  return {
    once<T>(key: string, read: () => Promise<T>): Promise<T> {
      let pending = reads.get(key) as Promise<T> | undefined;
      if (!pending) {
        pending = read();
        reads.set(key, pending);
      }
      return pending;
    },
  };
}
