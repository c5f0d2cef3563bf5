/**
 * The words around a received photo, voice note or document in the thread: what a screen reader
 * hears for each, and the placeholder shown while Echo is still fetching the file or when it could
 * not keep it (too large, refused, failed). Kept apart from the page's long dictionary, which
 * includes them.
 */

export const MEDIA_TEXTS = {
  'media.imageAlt': [
    'Photo from the customer',
    'Foto del cliente',
    'Foto do cliente',
  ],
  'media.imageAltCaption': [
    'Photo from the customer: {caption}',
    'Foto del cliente: {caption}',
    'Foto do cliente: {caption}',
  ],
  'media.stickerAlt': [
    'Sticker from the customer',
    'Sticker del cliente',
    'Figurinha do cliente',
  ],
  'media.voicePlayer': [
    'Voice note from the customer',
    'Nota de voz del cliente',
    'Mensagem de voz do cliente',
  ],
  'media.audioPlayer': [
    'Audio from the customer',
    'Audio del cliente',
    'Áudio do cliente',
  ],
  'media.videoPlayer': [
    'Video from the customer',
    'Video del cliente',
    'Vídeo do cliente',
  ],
  'media.download': [
    'Download {name}',
    'Descargar {name}',
    'Baixar {name}',
  ],
  'media.downloadSized': [
    'Download {name} ({size})',
    'Descargar {name} ({size})',
    'Baixar {name} ({size})',
  ],
  'media.unnamedDocument': [
    'document',
    'documento',
    'documento',
  ],
  'media.pending': [
    'Getting the file from WhatsApp…',
    'Obteniendo el archivo de WhatsApp…',
    'Obtendo o arquivo do WhatsApp…',
  ],
  'media.tooLarge': [
    'This file is too large for Echo to keep, so it cannot be shown here.',
    'Este archivo es demasiado grande para que Echo lo guarde, así que no se puede mostrar aquí.',
    'Este arquivo é grande demais para o Echo guardar, então não pode ser mostrado aqui.',
  ],
  'media.tooLargeLimit': [
    'This file is larger than {limit}, too large for Echo to keep, so it cannot be shown here.',
    'Este archivo supera {limit}, demasiado para que Echo lo guarde, así que no se puede mostrar aquí.',
    'Este arquivo passa de {limit}, grande demais para o Echo guardar, então não pode ser mostrado aqui.',
  ],
  'media.refusedType': [
    'Echo did not keep this file: its content is not the kind of file it claims to be.',
    'Echo no guardó este archivo: su contenido no es el tipo de archivo que dice ser.',
    'O Echo não guardou este arquivo: o conteúdo não é o tipo de arquivo que ele diz ser.',
  ],
  'media.refusedChecksum': [
    'Echo did not keep this file: it arrived damaged (its checksum does not match).',
    'Echo no guardó este archivo: llegó dañado (su suma de verificación no coincide).',
    'O Echo não guardou este arquivo: ele chegou corrompido (a soma de verificação não confere).',
  ],
  'media.refused': [
    'Echo did not keep this file, for safety.',
    'Echo no guardó este archivo, por seguridad.',
    'O Echo não guardou este arquivo, por segurança.',
  ],
  'media.failed': [
    'The file could not be fetched from WhatsApp, so it cannot be shown here.',
    'No se pudo obtener el archivo de WhatsApp, así que no se puede mostrar aquí.',
    'Não foi possível obter o arquivo do WhatsApp, então ele não pode ser mostrado aqui.',
  ],
  'media.unavailable': [
    'This file cannot be shown right now.',
    'Este archivo no se puede mostrar ahora.',
    'Este arquivo não pode ser mostrado agora.',
  ],
} satisfies Record<string, readonly [en: string, es: string, ptBR: string]>;
