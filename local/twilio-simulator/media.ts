/**
 * Inbound media as Twilio serves it (TWILIO.md, Media): `MediaUrl{N}` is
 * `/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{MediaSid}` on the API host, needs
 * HTTP Basic auth with the account's SID and token, and answers a redirect to a short-lived signed
 * link (Twilio's CDN; here `/_media/<token>` on the simulator itself), which needs no credentials.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** `GET` here, with Basic auth, redirects to the file. */
export const MEDIA_FILE_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\/([^/]+)\/Media\/([^/.]+)$/;
/** The signed hop. */
export const SIGNED_MEDIA_PATH = /^\/_media\/([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

/** Signed, expiring links to inbound media files. */
export class TwilioMediaLinks {
  private readonly key = randomBytes(32);

  constructor(private readonly ttlMs = 5 * 60_000) {}

  /** The path of a signed link to one media file, valid for `ttlMs`. */
  signedPath(messageSid: string, mediaSid: string, now: number): string {
    const payload = Buffer.from(JSON.stringify({ m: messageSid, f: mediaSid, e: now + this.ttlMs })).toString('base64url');
    return `/_media/${payload}.${this.sign(payload)}`;
  }

  /** The message and media a signed path names, if its signature holds and it has not expired. */
  resolve(path: string, now: number): { messageSid: string; mediaSid: string } | undefined {
    const match = SIGNED_MEDIA_PATH.exec(path);
    if (!match) return undefined;
    const [, payload, signature] = match as unknown as [string, string, string];
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const { m, f, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { m: string; f: string; e: number };
      return now <= e ? { messageSid: m, mediaSid: f } : undefined;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url').slice(0, 32);
  }
}
