import type { MediaAccess } from '../../../lambdas/domain/media/access';
import { translator } from '../../../web/src/i18n';
import { formatBytes, mediaPresentation } from '../../../web/src/media';

const en = translator('en');
const URL_ = 'https://echo-whatsapp-media-123456789012-us-east-1.s3.us-east-1.amazonaws.com/a/b/c/d/0?X-Amz-Signature=abc';
const stored = (kind: string, contentType: string, extra: Partial<MediaAccess> = {}): MediaAccess => ({ index: 0, kind, contentType, status: 'stored', url: URL_, urlExpiresAt: '2026-11-27T12:15:00Z', ...extra });

describe('mediaPresentation: what a received file shows in the thread', () => {
  it('shows a stored photo inline with alt text (its caption when it has one), a voice note and audio in a player, a video in a player', () => {
    expect(mediaPresentation(en, 'en', stored('image', 'image/jpeg'))).toEqual({ show: 'image', url: URL_, alt: 'Photo from the customer' });
    expect(mediaPresentation(en, 'en', stored('image', 'image/jpeg'), 'Pan dulce')).toEqual({ show: 'image', url: URL_, alt: 'Photo from the customer: Pan dulce' });
    expect(mediaPresentation(en, 'en', stored('sticker', 'image/webp'))).toEqual({ show: 'image', url: URL_, alt: 'Sticker from the customer' });
    expect(mediaPresentation(en, 'en', stored('voice', 'audio/ogg; codecs=opus'))).toEqual({ show: 'audio', url: URL_, label: 'Voice note from the customer' });
    expect(mediaPresentation(en, 'en', stored('audio', 'audio/mpeg'))).toEqual({ show: 'audio', url: URL_, label: 'Audio from the customer' });
    expect(mediaPresentation(en, 'en', stored('video', 'video/mp4'))).toEqual({ show: 'video', url: URL_, label: 'Video from the customer' });
  });

  it('offers a document as a download under its file name and size, never inline (even an image sent as a document)', () => {
    expect(mediaPresentation(en, 'en', stored('document', 'application/pdf', { filename: 'recibo.pdf', size: 120_000 }))).toEqual({
      show: 'document',
      url: URL_,
      name: 'recibo.pdf',
      text: 'Download recibo.pdf (117 KB)',
    });
    expect(mediaPresentation(translator('es'), 'es', stored('document', 'image/png'))).toEqual({ show: 'document', url: URL_, name: 'documento', text: 'Descargar documento' });
  });

  it.each([
    [{ status: 'pending' }, 'en', 'Getting the file from WhatsApp…'],
    [{ status: 'pending', reason: 'circuit-open' }, 'pt-BR', 'Obtendo o arquivo do WhatsApp…'],
    [{ status: 'too-large', reason: 'over-5242880-bytes' }, 'en', 'This file is larger than 5 MB, too large for Echo to keep, so it cannot be shown here.'],
    [{ status: 'too-large', reason: 'over-104857600-bytes' }, 'es', 'Este archivo supera 100 MB, demasiado para que Echo lo guarde, así que no se puede mostrar aquí.'],
    [{ status: 'too-large' }, 'en', 'This file is too large for Echo to keep, so it cannot be shown here.'],
    [{ status: 'refused', reason: 'content-type-mismatch:png' }, 'en', 'Echo did not keep this file: its content is not the kind of file it claims to be.'],
    [{ status: 'refused', reason: 'sha256-mismatch' }, 'pt-BR', 'O Echo não guardou este arquivo: ele chegou corrompido (a soma de verificação não confere).'],
    [{ status: 'refused', reason: 'UnsafeUrlError' }, 'es', 'Echo no guardó este archivo, por seguridad.'],
    [{ status: 'failed', reason: 'MediaUnavailableError:404' }, 'en', 'The file could not be fetched from WhatsApp, so it cannot be shown here.'],
    [{ status: 'stored' }, 'en', 'This file cannot be shown right now.'],
  ] as const)('%j in %s → a placeholder', (state, locale, text) => {
    const item: MediaAccess = { index: 0, kind: 'image', contentType: 'image/jpeg', ...state };
    expect(mediaPresentation(translator(locale), locale, item)).toEqual({ show: 'placeholder', status: state.status, text, ...('reason' in state && { reason: state.reason }) });
  });

  it('writes sizes in binary units, in the reader’s number format', () => {
    expect(formatBytes(512, 'en')).toBe('512 B');
    expect(formatBytes(34_000, 'en')).toBe('33 KB');
    expect(formatBytes(1_600_000, 'es')).toBe('1,5 MB');
    expect(formatBytes(16 * 1024 * 1024, 'pt-BR')).toBe('16 MB');
  });
});
