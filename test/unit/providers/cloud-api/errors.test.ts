import {
  DIALOG360_ERROR_TABLE,
  META_ERROR_TABLE,
  classifyCloudApiFailure,
  cloudApiErrorFor,
  cloudApiFailureKind,
  credentialsRejected,
  renderDialog360ErrorTable,
  renderMetaErrorTable,
  type CloudApiErrorRow,
} from '../../../../lambdas/providers/whatsapp/cloud-api/errors';
import type { ContentClass, SendFailureKind } from '../../../../lambdas/providers/whatsapp/provider';
import { SendFailedError } from '../../../../lambdas/shared/errors';
import { socketError } from './support';

/** One name per table row, so the cases below can be checked to cover every row. */
function rowLabel(row: CloudApiErrorRow): string {
  const m = row.match;
  if ('code' in m) return `code ${m.code}`;
  if ('codeRange' in m) return `codes ${m.codeRange.from}-${m.codeRange.to}`;
  if ('httpStatus' in m) return `HTTP ${m.httpStatus}`;
  if ('httpStatusRange' in m) return `HTTP ${m.httpStatusRange}`;
  if ('dialog360' in m) return `360dialog ${m.dialog360.code}`;
  return `transport ${m.transport}`;
}

const ALL: ContentClass[] = ['text', 'media', 'interactive', 'template'];
type Expected = SendFailureKind | Partial<Record<ContentClass, SendFailureKind>>;
const expectedFor = (expected: Expected, content: ContentClass) => (typeof expected === 'string' ? expected : expected[content]);

const metaBody = (code: number) => ({ error: { message: 'x', type: 'OAuthException', code, error_data: { details: 'd' }, fbtrace_id: 'f' } });
const codeCase = (code: number, status = 400) => (content: ContentClass) => classifyCloudApiFailure({ type: 'http', status, body: metaBody(code) }, { content });
const statusCase = (status: number, provider: 'meta' | '360dialog' = 'meta', body: unknown = {}) => (content: ContentClass) =>
  classifyCloudApiFailure({ type: 'http', status, body }, { content, provider });

const RICH_FALLBACK: Expected = { text: 'permanent', media: 'content-rejected', interactive: 'content-rejected', template: 'permanent' };
const MEDIA_FALLBACK: Expected = { text: 'permanent', media: 'content-rejected', interactive: 'permanent', template: 'permanent' };

/** The expected kind of every row, written out independently of the table. */
const CASES: Array<[string, (content: ContentClass) => SendFailedError, Expected]> = [
  ['code 131047', codeCase(131047), 'window-closed'],
  ['code 130429', codeCase(130429, 429), 'retryable'],
  ['code 131056', codeCase(131056), 'retryable'],
  ['code 80007', codeCase(80007), 'retryable'],
  ['code 4', codeCase(4, 403), 'retryable'],
  ['code 131048', codeCase(131048), 'retryable'],
  ['code 131057', codeCase(131057), 'retryable'],
  ['code 131053', codeCase(131053), 'retryable'],
  ['code 131000', codeCase(131000, 500), 'outcome-unknown'],
  ['code 1', codeCase(1, 500), 'outcome-unknown'],
  ['code 2', codeCase(2, 502), 'outcome-unknown'],
  ['code 131016', codeCase(131016, 504), 'outcome-unknown'],
  ['code 131009', codeCase(131009), RICH_FALLBACK],
  ['code 131008', codeCase(131008), RICH_FALLBACK],
  ['code 100', codeCase(100), RICH_FALLBACK],
  ['code 131051', codeCase(131051), RICH_FALLBACK],
  ['code 131052', codeCase(131052), MEDIA_FALLBACK],
  ['codes 132000-132999', codeCase(132001), 'permanent'],
  ['code 131026', codeCase(131026), 'permanent'],
  ['code 131050', codeCase(131050), 'permanent'],
  ['code 131049', codeCase(131049), 'permanent'],
  ['code 130472', codeCase(130472), 'permanent'],
  ['code 131021', codeCase(131021), 'permanent'],
  ['code 368', codeCase(368, 403), 'permanent'],
  ['code 131031', codeCase(131031), 'permanent'],
  ['code 130497', codeCase(130497, 403), 'permanent'],
  ['code 131042', codeCase(131042), 'permanent'],
  ['code 133010', codeCase(133010), 'permanent'],
  ['code 190', codeCase(190, 401), 'permanent'],
  ['code 10', codeCase(10, 403), 'permanent'],
  ['HTTP 429', statusCase(429), 'retryable'],
  ['HTTP 401', statusCase(401), 'permanent'],
  ['HTTP 5xx', statusCase(500), 'outcome-unknown'],
  ['HTTP 4xx', statusCase(404), 'permanent'],
  ['transport not-sent', (content) => classifyCloudApiFailure({ type: 'transport', error: socketError('ECONNREFUSED') }, { content }), 'retryable'],
  ['transport maybe-sent', (content) => classifyCloudApiFailure({ type: 'transport', error: new DOMException('t', 'TimeoutError') }, { content }), 'outcome-unknown'],
  ['transport unreadable-success', (content) => classifyCloudApiFailure({ type: 'unreadable-success', status: 200 }, { content }), 'outcome-unknown'],
  ['360dialog D360_INVALID_API_KEY', statusCase(401, '360dialog', { meta: { success: false, http_code: 401, developer_message: 'Invalid api_key' } }), 'permanent'],
  ['360dialog D360_ENDPOINT_BLOCKED', statusCase(403, '360dialog', { meta: { developer_message: 'endpoint is blocked' } }), 'permanent'],
  ['360dialog D360_ENDPOINT_RATE_LIMIT', statusCase(400, '360dialog', { meta: { developer_message: 'endpoint rate limit' } }), 'retryable'],
  ['360dialog D360_LACK_OF_PAYMENT', statusCase(400, '360dialog', { error: { message: 'lack of payment' } }), 'permanent'],
];

describe('Cloud API error tables', () => {
  it('has an independent expectation for every row of both tables', () => {
    const rows = [...META_ERROR_TABLE, ...DIALOG360_ERROR_TABLE].map(rowLabel);
    expect(CASES.map(([label]) => label).sort()).toEqual([...rows].sort());
  });

  describe.each(CASES)('%s', (_label, classify, expected) => {
    it.each(ALL)('for %s content', (content) => {
      expect(classify(content).kind).toBe(expectedFor(expected, content));
    });
  });

  it('retries Meta’s generic errors when the status proves nothing was processed, and never after a 5xx', () => {
    expect(codeCase(131000, 400)('text').kind).toBe('retryable');
    expect(codeCase(131016, 503)('text').kind).toBe('retryable');
    expect(codeCase(2, 429)('text').kind).toBe('retryable');
    expect(codeCase(131000, 500)('text').kind).toBe('outcome-unknown');
  });

  it('paces throttling with a floor per code (long for spam limits) and honours a larger Retry-After', () => {
    // Act
    const spam = codeCase(131048)('text');
    const pair = classifyCloudApiFailure({ type: 'http', status: 400, body: metaBody(131056), headers: { 'Retry-After': '120' } });
    const dated = classifyCloudApiFailure(
      { type: 'http', status: 429, body: {}, headers: new Headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }) },
      { now: new Date('2015-10-21T07:27:30Z') },
    );
    const small = classifyCloudApiFailure({ type: 'http', status: 400, body: metaBody(80007), headers: { 'retry-after': '1' } });

    // Assess
    expect(spam.options.retryAfterMs).toBe(60 * 60 * 1000);
    expect(pair.options.retryAfterMs).toBe(120_000);
    expect(dated.options.retryAfterMs).toBe(30_000);
    expect(small.options.retryAfterMs).toBe(60_000);
    expect(codeCase(131047)('text').options.retryAfterMs).toBeUndefined();
  });

  it('reports the Meta code, the HTTP status and a readable reason, with unknown codes named in the reason', () => {
    const known = codeCase(131047)('text');
    expect([known.code, known.options.httpStatus, known.reason]).toEqual(['131047', 400, "The customer's 24-hour window is closed; only an approved template can be sent."]);
    const unknown = codeCase(135000)('text');
    expect([unknown.kind, unknown.code, unknown.reason]).toEqual(['permanent', '135000', 'WhatsApp refused the message (Meta error 135000).']);
    expect(statusCase(502)('text').code).toBe('HTTP_502');
  });

  it('reads a Meta code written as a string', () => {
    expect(classifyCloudApiFailure({ type: 'http', status: 400, body: { error: { code: '131047' } } }).kind).toBe('window-closed');
  });

  it('classifies 360dialog answers that carry a Meta code with Meta’s table, and its own refusals otherwise', () => {
    expect(statusCase(400, '360dialog', metaBody(131047))('text').code).toBe('131047');
    expect(statusCase(401, '360dialog', {})('text').code).toBe('D360_INVALID_API_KEY');
    expect(statusCase(400, '360dialog', { meta: { developer_message: 'something else' } })('text').code).toBe('HTTP_400');
    // The same body from Meta is not a 360dialog answer.
    expect(statusCase(401, 'meta', {})('text').code).toBe('HTTP_401');
  });

  it('names transport failures by their socket code, and keeps what happened as the cause', () => {
    const refused = classifyCloudApiFailure({ type: 'transport', error: socketError('ENOTFOUND') });
    expect([refused.kind, refused.code, refused.options.retryAfterMs]).toEqual(['retryable', 'ENOTFOUND', 1000]);
    const reset = classifyCloudApiFailure({ type: 'transport', error: socketError('ECONNRESET') });
    expect([reset.kind, reset.code]).toEqual(['outcome-unknown', 'ECONNRESET']);
    expect(reset.options.cause).toBeInstanceOf(TypeError);
  });

  describe('codes on failed statuses', () => {
    it('acts on them as the send table does, but never as outcome-unknown: a failed status is final', () => {
      expect(cloudApiFailureKind('131047', 'text')).toBe('window-closed');
      expect(cloudApiFailureKind('131009', 'buttons')).toBe('content-rejected');
      expect(cloudApiFailureKind('131009', 'list')).toBe('content-rejected');
      expect(cloudApiFailureKind('131052', 'image')).toBe('content-rejected');
      expect(cloudApiFailureKind('131009', 'text')).toBe('permanent');
      expect(cloudApiFailureKind('131000', 'text')).toBe('retryable');
      expect(cloudApiFailureKind(' 131026 ', 'template')).toBe('permanent');
      expect(cloudApiFailureKind('999999', 'text')).toBe('permanent');
      expect(cloudApiFailureKind('D360_INVALID_API_KEY', 'text')).toBe('permanent');
    });

    it('gives a readable reason and a backoff for retryable ones', () => {
      expect(cloudApiErrorFor('131050')).toEqual({ kind: 'permanent', reason: 'The customer has stopped marketing messages from this business.' });
      expect(cloudApiErrorFor('131053')).toEqual({ kind: 'retryable', reason: expect.any(String), retryAfterMs: 30_000 });
      expect(cloudApiErrorFor('424242').reason).toBe('WhatsApp delivery failed (Meta error 424242).');
    });
  });

  it('flags the failures that mean the credentials were refused', () => {
    expect(credentialsRejected(codeCase(190, 401)('text'))).toBe(true);
    expect(credentialsRejected(statusCase(401, '360dialog')('text'))).toBe(true);
    expect(credentialsRejected('CREDENTIALS_INVALID')).toBe(true);
    expect(credentialsRejected(codeCase(131047)('text'))).toBe(false);
    expect(credentialsRejected(statusCase(429)('text'))).toBe(false);
  });

  describe('rendering for the README', () => {
    it('prints the Meta table as Markdown, one line per row, with kinds by content, backoffs and the credentials flag', () => {
      // Act
      const lines = renderMetaErrorTable().split('\n');

      // Assess
      expect(lines[0]).toBe('| Meta code / answer | Kind | Kind by content | Min. backoff | Credentials | Reason | Source / why |');
      expect(lines[1]).toBe('| --- | --- | --- | --- | --- | --- | --- |');
      expect(lines).toHaveLength(META_ERROR_TABLE.length + 2);
      expect(lines).toContain(
        "| 131047 | window-closed |  |  |  | The customer's 24-hour window is closed; only an approved template can be sent. | " +
          '(docs) Re-engagement message: "More than 24 hours have passed since the recipient last replied." Send a template. |',
      );
      expect(lines.find((line) => line.startsWith('| 131048 |'))).toContain('| retryable |  | 60 min |');
      expect(lines.find((line) => line.startsWith('| 131000 |'))).toContain('| outcome-unknown | 4xx/503: retryable | 30 s |');
      expect(lines.find((line) => line.startsWith('| 131009 |'))).toContain('| permanent | interactive: content-rejected, media: content-rejected |');
      expect(lines.find((line) => line.startsWith('| 190 |'))).toContain('| rejected |');
      expect(lines.find((line) => line.startsWith('| 132000–132999 |'))).toBeDefined();
      expect(lines.find((line) => line.startsWith('| network: not sent |'))).toContain('| retryable |  | 1 s |');
    });

    it('prints the 360dialog table with the status, message pattern and the code we report', () => {
      const lines = renderDialog360ErrorTable().split('\n');
      expect(lines[0]).toBe('| 360dialog answer | Kind | Kind by content | Min. backoff | Credentials | Reason | Source / why |');
      expect(lines).toHaveLength(DIALOG360_ERROR_TABLE.length + 2);
      expect(lines[2]).toMatch(/^\| HTTP 401 → D360_INVALID_API_KEY \| permanent \|  \|  \| rejected \|/);
      expect(lines[4]).toMatch(/^\| HTTP 400 ~ \/rate\.\?limit\/ → D360_ENDPOINT_RATE_LIMIT \| retryable \|  \| 30 s \|/);
    });
  });
});
