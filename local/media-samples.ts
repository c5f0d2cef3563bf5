/**
 * Small, valid media files for the local runtime and the tests: what `npm run simulate -- inbound
 * --media image|voice|document` sends, and what the browser test shows and plays. Generated in code
 * (no binary fixtures): a JPEG, an Ogg/Opus voice note of two seconds of silence, a one-page PDF.
 */

/** The kinds `npm run simulate -- inbound --media` takes. */
export const SAMPLE_MEDIA_KINDS = ['image', 'voice', 'document'] as const;
export type SampleMediaKind = (typeof SAMPLE_MEDIA_KINDS)[number];

export interface SampleMedia {
  bytes: Buffer;
  /** As WhatsApp declares it. */
  contentType: string;
  /** WhatsApp's kind for the webhook (`voice` notes are `audio` with `voice: true` on Cloud API). */
  kind: 'image' | 'voice' | 'document';
  filename?: string;
}

/** A 1×1 baseline JPEG (the smallest that browsers decode), padded with a comment to look like a photo. */
const JPEG_1X1 =
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////' +
  'wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=';

/** Ogg's CRC-32 (polynomial 0x04C11DB7, not reflected, initial 0). */
function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 24;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  return crc >>> 0;
}

function oggPage(packets: Buffer[], options: { granule: bigint; sequence: number; flags: number }): Buffer {
  const lacing: number[] = [];
  for (const packet of packets) {
    let left = packet.length;
    while (left >= 255) {
      lacing.push(255);
      left -= 255;
    }
    lacing.push(left);
  }
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'ascii');
  header[4] = 0;
  header[5] = options.flags;
  header.writeBigInt64LE(options.granule, 6);
  header.writeUInt32LE(0x45434830, 14); // stream serial: "ECH0"
  header.writeUInt32LE(options.sequence, 18);
  header[26] = lacing.length;
  const page = Buffer.concat([header, Buffer.from(lacing), ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/**
 * An Ogg/Opus voice note: OpusHead, OpusTags, then `seconds` of 20 ms CELT silence frames
 * (`F8 FF FE`), as WhatsApp's own voice notes are Ogg/Opus mono at 48 kHz.
 */
export function silentOggOpus(seconds = 2): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1; // version
  head[9] = 1; // mono
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48_000, 12);
  head.writeInt16LE(0, 16);
  head[18] = 0; // mapping family
  const vendor = Buffer.from('echo-local');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'ascii');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  tags.writeUInt32LE(0, 12 + vendor.length);
  const frames = Math.max(1, Math.round(seconds * 50));
  const silence = Buffer.from([0xf8, 0xff, 0xfe]);
  const pages = [oggPage([head], { granule: 0n, sequence: 0, flags: 0x02 }), oggPage([tags], { granule: 0n, sequence: 1, flags: 0 })];
  let sequence = 2;
  for (let start = 0; start < frames; start += 50) {
    const count = Math.min(50, frames - start);
    const last = start + count >= frames;
    pages.push(oggPage(Array.from({ length: count }, () => silence), { granule: BigInt((start + count) * 960), sequence: sequence++, flags: last ? 0x04 : 0 }));
  }
  return Buffer.concat(pages);
}

/** A one-page PDF that says what it is. */
export function samplePdf(text = 'Echo demo receipt'): Buffer {
  const stream = `BT /F1 18 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/**
 * The sample file of a kind.
 * @example sampleMedia('voice') // { kind: 'voice', contentType: 'audio/ogg; codecs=opus', bytes: <Buffer 4f 67 67 53 …> }
 */
export function sampleMedia(kind: SampleMediaKind): SampleMedia {
  switch (kind) {
    case 'image':
      return { kind, contentType: 'image/jpeg', bytes: Buffer.from(JPEG_1X1, 'base64') };
    case 'voice':
      return { kind, contentType: 'audio/ogg; codecs=opus', bytes: silentOggOpus(2) };
    case 'document':
      return { kind, contentType: 'application/pdf', bytes: samplePdf(), filename: 'recibo-echo.pdf' };
  }
}
