/**
 * What a message says, for the thread: media as words in the reader's language ("📷 Photo",
 * "📄 Document: menu.pdf") instead of a bare `[image]`, the buttons and list options of an
 * interactive reply, and why a message failed worded for a business owner, with the technical
 * reason and code kept for a "details" toggle. Pure (no DOM): unit-tested in Node.
 */
import type { MessageView } from '../../lambdas/domain/admin/contract';
import type { MessageKey, Translate } from './i18n';

export interface MessageBody {
  /** What kind of thing it is, when it is not plain text ("📷 Photo", "Chose “Yes”"). */
  label?: string;
  /** The words in it: the text, a caption, an interactive message's body. */
  text?: string;
  /** The reply buttons or list rows the customer was offered. */
  options?: { kind: 'buttons' | 'list'; button?: string; items: Array<{ title: string; description?: string }> };
}

const MEDIA: Readonly<Record<string, MessageKey>> = {
  image: 'message.media.image',
  video: 'message.media.video',
  audio: 'message.media.audio',
  voice: 'message.media.voice',
  sticker: 'message.media.sticker',
};

type Content = Record<string, unknown>;
const str = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
const records = (value: unknown): Content[] => (Array.isArray(value) ? value.filter((item): item is Content => typeof item === 'object' && item !== null) : []);

/**
 * @example messageBody(t, { type: 'document', content: { type: 'document', media: [{ filename: 'menu.pdf' }] }, … })
 * // { label: '📄 Document: menu.pdf' }
 */
export function messageBody(t: Translate, item: Pick<MessageView, 'type' | 'text' | 'content'>, templateName: (name: string) => string): MessageBody {
  const content: Content = typeof item.content === 'object' && item.content !== null ? (item.content as Content) : {};
  const type = str(content.type) ?? item.type;
  const caption = str(content.caption);
  switch (type) {
    case 'text':
      return { text: str(content.text) ?? item.text ?? '' };
    case 'image':
    case 'video':
    case 'audio':
    case 'voice':
    case 'sticker':
      return { label: t(MEDIA[type]), ...(caption && { text: caption }) };
    case 'document': {
      const name = str(records(content.media)[0]?.filename);
      return { label: name ? t('message.media.documentNamed', { name }) : t('message.media.document'), ...(caption && { text: caption }) };
    }
    case 'contacts': {
      const name = str(records(content.cards)[0]?.name);
      return { label: name ? t('message.media.contactNamed', { name }) : t('message.media.contact') };
    }
    case 'location': {
      const name = str(content.label) ?? str(content.address);
      return { label: name ? t('message.locationNamed', { name }) : t('message.location') };
    }
    case 'buttons':
      return {
        text: str(content.body) ?? item.text ?? '',
        options: { kind: 'buttons', items: records(content.buttons).flatMap((button) => (str(button.title) ? [{ title: str(button.title) as string }] : [])) },
      };
    case 'list':
      return {
        text: str(content.body) ?? item.text ?? '',
        options: {
          kind: 'list',
          ...(str(content.button) && { button: str(content.button) }),
          items: records(content.rows).flatMap((row) => (str(row.title) ? [{ title: str(row.title) as string, ...(str(row.description) && { description: str(row.description) }) }] : [])),
        },
      };
    case 'button_reply':
    case 'list_reply':
      return { label: t('message.choice', { title: str(content.title) ?? item.text ?? '' }) };
    case 'reaction':
      return { label: content.removed === true || !str(content.emoji) ? t('message.reactionRemoved') : t('message.reaction', { emoji: str(content.emoji) as string }) };
    case 'template': {
      const name = str((content.template as Content | undefined)?.name);
      return name ? { label: t('message.template', { name: templateName(name) }) } : { label: t('message.unknownType', { type }) };
    }
    case 'order':
      return { label: t('message.order', { count: records(content.items).length }), ...(str(content.text) && { text: str(content.text) }) };
    case 'flow_reply':
      return { label: t('message.flowReply') };
    case 'system':
      return { text: str(content.body) ?? item.text ?? '' };
    case 'unsupported':
      return { label: t('message.unsupported') };
    default:
      return { label: t('message.unknownType', { type }), ...(caption && { text: caption }) };
  }
}

/** What the owner reads about a failure, by machine reason; `permanent` and unknown ones look at the code. */
const BY_REASON: Readonly<Record<string, MessageKey>> = {
  'window-closed': 'failure.windowClosed',
  'retryable-exhausted': 'failure.retryExhausted',
  'outcome-unknown': 'failure.outcomeUnknown',
  'content-rejected': 'failure.contentRejected',
  'earlier-part-failed': 'failure.earlierPart',
  'template-not-approved': 'failure.templateNotApproved',
  'invalid-message': 'failure.invalidMessage',
  'no-connection': 'failure.noConnection',
  'connection-unavailable': 'failure.noConnection',
  'conversation-not-found': 'failure.noConversation',
};

/** BSP codes (Twilio and Meta's, which 360dialog shares) an owner can act on. */
const BY_CODE: Readonly<Record<string, MessageKey>> = {
  // Outside the 24-hour window.
  '63016': 'failure.windowClosed',
  '131047': 'failure.windowClosed',
  // The number cannot get WhatsApp messages (not on WhatsApp, old app, terms not accepted, not a mobile number).
  '63003': 'failure.notOnWhatsApp',
  '63024': 'failure.notOnWhatsApp',
  '21211': 'failure.notOnWhatsApp',
  '21614': 'failure.notOnWhatsApp',
  '30003': 'failure.notOnWhatsApp',
  '30005': 'failure.notOnWhatsApp',
  '30006': 'failure.notOnWhatsApp',
  '131026': 'failure.notOnWhatsApp',
  // The customer said no.
  '131050': 'failure.optedOut',
  '21610': 'failure.optedOut',
  // WhatsApp held it back or filtered it.
  '131049': 'failure.heldBack',
  '30007': 'failure.spam',
  '131048': 'failure.spam',
  // Too much, too fast.
  '63018': 'failure.rateLimited',
  '20429': 'failure.rateLimited',
  '130429': 'failure.rateLimited',
  '131056': 'failure.rateLimited',
  '80007': 'failure.rateLimited',
  // The business's account or credentials.
  '20003': 'failure.credentials',
  '190': 'failure.credentials',
  '10': 'failure.credentials',
  '63007': 'failure.credentials',
  '368': 'failure.restricted',
  '131031': 'failure.restricted',
  '130497': 'failure.restricted',
  // Templates.
  '132000': 'failure.template',
  '132001': 'failure.template',
  '132005': 'failure.template',
  '132007': 'failure.template',
  '132012': 'failure.template',
  '132015': 'failure.template',
  '132016': 'failure.template',
  '63027': 'failure.template',
  '63028': 'failure.template',
  // Media.
  '131053': 'failure.media',
  '131052': 'failure.media',
  '63019': 'failure.media',
  '131051': 'failure.unsupported',
};

/**
 * The sentence an owner reads about why a message failed: by our machine reason when it says it
 * all, else by the BSP's code, else a general one.
 * @example failureKey({ failureReason: 'permanent', errorCode: '131026' }) // 'failure.notOnWhatsApp'
 */
export function failureKey(item: Pick<MessageView, 'failureReason' | 'errorCode'>): MessageKey {
  const byReason = item.failureReason && item.failureReason !== 'permanent' ? BY_REASON[item.failureReason] : undefined;
  if (byReason) return byReason;
  const byCode = item.errorCode ? BY_CODE[item.errorCode] : undefined;
  return byCode ?? (item.failureReason === 'permanent' ? 'failure.permanent' : 'failure.generic');
}

/**
 * The technical side, for the "details" toggle: the API's reason, the code and our machine reason.
 * @example failureDetails(t, { errorReason: 'Invalid number', errorCode: '21211', failureReason: 'permanent' })
 * // ['Invalid number', 'Code: 21211', 'Reason: permanent']
 */
export function failureDetails(t: Translate, item: Pick<MessageView, 'failureReason' | 'errorCode' | 'errorReason'>): string[] {
  return [
    ...(item.errorReason ? [item.errorReason] : []),
    ...(item.errorCode ? [t('failure.code', { code: item.errorCode })] : []),
    ...(item.failureReason ? [t('failure.machineReason', { reason: item.failureReason })] : []),
  ];
}
