/**
 * What a file is, from its first bytes, and whether that agrees with the type the BSP declared.
 * A customer's phone names the type; a forged webhook or a broken client can name any. A file whose
 * bytes say something else than its declared type is refused (`content-type-mismatch`), so that the
 * AI and the page never treat, say, an HTML page as the JPEG it claims to be.
 */

/** Signatures we recognise. */
export type SniffedFormat =
  | 'jpeg'
  | 'png'
  | 'gif'
  | 'webp'
  | 'ogg'
  | 'iso-bmff'
  | 'mp3'
  | 'aac'
  | 'amr'
  | 'webm'
  | 'pdf'
  | 'zip'
  | 'ole'
  | 'text'
  | 'unknown';

/** Bytes the sniffer needs at most. */
export const SNIFF_BYTES = 64;

function startsWith(head: Uint8Array, signature: ReadonlyArray<number | undefined>, offset = 0): boolean {
  if (head.length < offset + signature.length) return false;
  return signature.every((byte, index) => byte === undefined || head[offset + index] === byte);
}

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The format of a file from its first bytes (at least {@link SNIFF_BYTES} when the file is longer).
 * @example sniffFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])) // 'jpeg'
 */
export function sniffFormat(head: Uint8Array): SniffedFormat {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return 'gif';
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(head, ascii('OggS'))) return 'ogg';
  if (startsWith(head, ascii('ftyp'), 4)) return 'iso-bmff';
  if (startsWith(head, ascii('#!AMR'))) return 'amr';
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return 'webm';
  if (startsWith(head, ascii('%PDF-'))) return 'pdf';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (startsWith(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'ole';
  if (startsWith(head, ascii('ID3'))) return 'mp3';
  // ADTS AAC: sync 0xFFF, layer 00 (0xFFF1 / 0xFFF9); MPEG audio frames: sync 11 bits, layer ≠ 00.
  if (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xf6) === 0xf0) return 'aac';
  if (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0 && (head[1]! & 0x06) !== 0) return 'mp3';
  if (head.length > 0 && !head.includes(0)) return 'text';
  return 'unknown';
}

/** Declared types we can judge, and the signatures each may carry. */
const EXPECTED: Readonly<Record<string, readonly SniffedFormat[]>> = {
  'image/jpeg': ['jpeg'],
  'image/jpg': ['jpeg'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'audio/ogg': ['ogg'],
  'audio/opus': ['ogg'],
  'video/ogg': ['ogg'],
  'application/ogg': ['ogg'],
  'audio/mpeg': ['mp3'],
  'audio/mp3': ['mp3'],
  'audio/aac': ['aac', 'iso-bmff'],
  'audio/mp4': ['iso-bmff'],
  'audio/m4a': ['iso-bmff'],
  'audio/x-m4a': ['iso-bmff'],
  'audio/amr': ['amr'],
  'audio/3gpp': ['iso-bmff'],
  'video/mp4': ['iso-bmff'],
  'video/3gpp': ['iso-bmff'],
  'video/quicktime': ['iso-bmff'],
  'video/webm': ['webm'],
  'audio/webm': ['webm'],
  'application/pdf': ['pdf'],
  'application/zip': ['zip'],
  'application/msword': ['ole'],
  'application/vnd.ms-excel': ['ole'],
  'application/vnd.ms-powerpoint': ['ole'],
};

/** The MIME type without parameters, lower-cased: `Audio/OGG; codecs=opus` → `audio/ogg`. */
export function baseContentType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/**
 * Whether the first bytes agree with the declared type: `ok`, `mismatch` (with what the bytes are),
 * or `unchecked` for a declared type we cannot judge (an unusual document type: WhatsApp accepts any
 * document). Text types must not look binary; Office Open XML types must be zip files.
 * @example checkContentType('image/jpeg', pngBytes) // { verdict: 'mismatch', sniffed: 'png' }
 */
export function checkContentType(declared: string, head: Uint8Array): { verdict: 'ok' | 'mismatch' | 'unchecked'; sniffed: SniffedFormat } {
  const sniffed = sniffFormat(head);
  const type = baseContentType(declared);
  let expected = EXPECTED[type];
  if (!expected && type.startsWith('application/vnd.openxmlformats-officedocument.')) expected = ['zip'];
  if (!expected && type.startsWith('text/')) expected = ['text'];
  if (!expected) return { verdict: 'unchecked', sniffed };
  return { verdict: expected.includes(sniffed) ? 'ok' : 'mismatch', sniffed };
}
