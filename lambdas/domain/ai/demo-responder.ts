import type { OutboundContent } from '../outbound/contract';
import type { Responder, ResponderInput } from './responder';

/** Ids of the demo's reply buttons; a tap on one comes back as a `button_reply` with that id. */
export const DEMO_BUTTONS = {
  yes: { id: 'demo_yes', title: 'Sí' },
  no: { id: 'demo_no', title: 'No' },
  human: { id: 'demo_human', title: 'Hablar con alguien' },
} as const;

export const DEMO_FOLLOW_UP_BODY = '¿Te ayudo con algo más?';

/** Echoed customer text is cut here, so the reply stays short whatever the customer sent. */
const QUOTE_MAX = 200;

const MEDIA_NAMES: Record<string, string> = {
  image: 'tu imagen',
  video: 'tu video',
  audio: 'tu audio',
  voice: 'tu nota de voz',
  document: 'tu documento',
  sticker: 'tu sticker',
  contacts: 'tu contacto',
};

/** A media kind with its indefinite article, for "Recibí una imagen (image/jpeg, 34 KB)". */
const MEDIA_WITH_ARTICLE: Record<string, string> = {
  image: 'una imagen',
  video: 'un video',
  audio: 'un audio',
  voice: 'una nota de voz',
  document: 'un documento',
  sticker: 'un sticker',
};

/**
 * The built-in responder for local use: a friendly Spanish text saying what it understood (text,
 * media kind, location, the button or row the customer chose), then a reply-button message. A tap on
 * one of its own buttons gets a short closing text instead, so the demo never loops.
 * @example
 * await new DemoResponder().reply({ …, message: { …, content: { type: 'text', text: 'Hola' } } })
 * // [{ type: 'text', text: '¡Hola, Ana! Recibí tu mensaje: «Hola».' }, { type: 'buttons', … }]
 */
export class DemoResponder implements Responder {
  readonly name = 'demo' as const;

  async reply(input: ResponderInput): Promise<OutboundContent[]> {
    const content = input.message.content;
    const greeting = greetingFor(input.message.customer.profileName);
    if (content.type === 'button_reply') {
      const closing = closingFor(String(content.id));
      if (closing) return [{ type: 'text', text: closing }];
    }
    return [
      { type: 'text', text: `${greeting} ${understood(content)}` },
      {
        type: 'buttons',
        body: DEMO_FOLLOW_UP_BODY,
        buttons: [DEMO_BUTTONS.yes, DEMO_BUTTONS.no, DEMO_BUTTONS.human].map(({ id, title }) => ({ id, title })),
      },
    ];
  }
}

function greetingFor(profileName: string | undefined): string {
  const name = profileName?.trim().split(/\s+/)[0];
  return name ? `¡Hola, ${quote(name, 40)}!` : '¡Hola!';
}

function closingFor(buttonId: string): string | undefined {
  switch (buttonId) {
    case DEMO_BUTTONS.yes.id:
      return '¡Claro! Cuéntame qué necesitas.';
    case DEMO_BUTTONS.no.id:
      return '¡Gracias por escribirnos! Aquí estamos cuando nos necesites.';
    case DEMO_BUTTONS.human.id:
      return 'Listo: una persona del equipo te escribirá por aquí en breve.';
    default:
      return undefined;
  }
}

/** One sentence saying what the demo understood of the customer's message. */
export function understood(content: Record<string, unknown> & { type: string }): string {
  const text = (key: string) => (typeof content[key] === 'string' ? (content[key] as string).trim() : '');
  switch (content.type) {
    case 'text':
      return `Recibí tu mensaje: «${quote(text('text'), QUOTE_MAX)}».`;
    case 'button_reply':
    case 'list_reply':
      return `Elegiste «${quote(text('title') || text('id'), QUOTE_MAX)}».`;
    case 'location': {
      const place = text('label') || text('address');
      const coordinates =
        typeof content.latitude === 'number' && typeof content.longitude === 'number'
          ? `${content.latitude.toFixed(5)}, ${content.longitude.toFixed(5)}`
          : '';
      const where = [place && `«${quote(place, QUOTE_MAX)}»`, coordinates && `(${coordinates})`].filter(Boolean).join(' ');
      return where ? `Recibí tu ubicación: ${where}.` : 'Recibí tu ubicación.';
    }
    case 'reaction':
      return text('emoji') ? `Vi tu reacción ${quote(text('emoji'), 8)}.` : 'Vi tu reacción.';
    case 'unsupported':
      return 'Recibí tu mensaje, pero todavía no sé leer ese tipo de contenido.';
    default: {
      const name = MEDIA_NAMES[content.type];
      if (!name) return 'Recibí tu mensaje.';
      const caption = text('caption');
      const withText = caption ? ` con el texto «${quote(caption, QUOTE_MAX)}»` : '';
      // Mirrored media carries its checked type and size: say what arrived (the AI would open `url`).
      const stored = storedMedia(content);
      if (stored && MEDIA_WITH_ARTICLE[content.type]) {
        return `Recibí ${MEDIA_WITH_ARTICLE[content.type]} (${stored.contentType}, ${Math.max(1, Math.round(stored.size / 1024))} KB)${withText}.`;
      }
      return `Recibí ${name}${withText}.`;
    }
  }
}

/** The first media item, when the AI Lambda found it stored (`mirrorStatus`, `size`, checked `contentType`). */
function storedMedia(content: Record<string, unknown>): { contentType: string; size: number } | undefined {
  const first = Array.isArray(content.media) ? (content.media[0] as Record<string, unknown> | undefined) : undefined;
  if (!first || first.mirrorStatus !== 'stored' || typeof first.size !== 'number' || typeof first.contentType !== 'string') return undefined;
  return { contentType: first.contentType.split(';')[0]!.trim(), size: first.size };
}

/** At most `max` code points, with an ellipsis when cut. */
function quote(value: string, max: number): string {
  const points = [...value.replace(/\s+/g, ' ')];
  return points.length <= max ? points.join('') : `${points.slice(0, max - 1).join('')}…`;
}
