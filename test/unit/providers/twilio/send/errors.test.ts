import type { SendFailureKind } from '../../../../../lambdas/providers/whatsapp/provider';
import {
  TWILIO_ERROR_TABLE,
  classifyTwilioHttpError,
  classifyTwilioTransportError,
  contentClassOf,
  parseRetryAfter,
  renderTwilioErrorTable,
  twilioErrorFor,
  twilioFailureKind,
  unreadableSuccessError,
  type ContentClass,
  type TwilioErrorRow,
  type TwilioOperation,
} from '../../../../../lambdas/providers/whatsapp/twilio/send/errors';
import { SendFailedError } from '../../../../../lambdas/shared/errors';
import { socketError } from './fake-fetch';

/** One name per table row, so the cases below can be checked to cover every row. */
function rowLabel(row: TwilioErrorRow): string {
  const m = row.match;
  const key =
    'code' in m
      ? `code ${m.code}`
      : 'httpStatus' in m
        ? `HTTP ${m.httpStatus}`
        : 'httpStatusRange' in m
          ? `HTTP ${m.httpStatusRange}`
          : `transport ${m.transport}`;
  return row.operation ? `${key} (${row.operation})` : key;
}

const ALL: ContentClass[] = ['text', 'media', 'interactive', 'template'];
type Expected = SendFailureKind | Partial<Record<ContentClass, SendFailureKind>>;

function expectedFor(expected: Expected, content: ContentClass): SendFailureKind | undefined {
  return typeof expected === 'string' ? expected : expected[content];
}

const RICH_FALLBACK: Expected = { text: 'permanent', media: 'content-rejected', interactive: 'content-rejected', template: 'permanent' };
const codeCase = (code: number, httpStatus = 400) => (content: ContentClass, operation: TwilioOperation = 'message') =>
  classifyTwilioHttpError(httpStatus, { code, message: 'x', more_info: 'x', status: httpStatus }, {}, { content, operation });

/**
 * The expected kind of every row, written out independently of the table: [row, classify, expected].
 * `classify` produces the error for a content class; `expected` is one kind or one per class.
 */
const CASES: Array<[string, (content: ContentClass) => SendFailedError, Expected]> = [
  ['code 20429', codeCase(20429, 429), 'retryable'],
  ['code 20503', codeCase(20503, 503), 'retryable'],
  ['code 63017 (message)', codeCase(63017, 429), 'retryable'],
  ['code 63018 (message)', codeCase(63018), 'retryable'],
  ['code 63119 (message)', codeCase(63119), 'retryable'],
  ['code 63038 (message)', codeCase(63038), 'retryable'],
  ['code 63012 (message)', codeCase(63012), 'retryable'],
  ['code 30500 (message)', codeCase(30500, 500), 'retryable'],
  ['code 20500 (message)', codeCase(20500, 500), 'outcome-unknown'],
  ['code 63016 (message)', codeCase(63016), 'window-closed'],
  ['code 63021 (message)', codeCase(63021), RICH_FALLBACK],
  ['code 63005 (message)', codeCase(63005), RICH_FALLBACK],
  ['code 63006 (message)', codeCase(63006), RICH_FALLBACK],
  ['code 63013 (message)', codeCase(63013), RICH_FALLBACK],
  ['code 63030 (message)', codeCase(63030), RICH_FALLBACK],
  ['code 216602 (message)', codeCase(216602), RICH_FALLBACK],
  ['code 21656 (message)', codeCase(21656), { text: 'permanent', media: 'permanent', interactive: 'content-rejected', template: 'permanent' }],
  ['code 21655 (message)', codeCase(21655), { text: 'permanent', media: 'permanent', interactive: 'content-rejected', template: 'permanent' }],
  ['code 21620 (message)', codeCase(21620), { text: 'permanent', media: 'content-rejected', interactive: 'permanent', template: 'permanent' }],
  ['code 63019 (message)', codeCase(63019), { text: 'permanent', media: 'content-rejected', interactive: 'permanent', template: 'permanent' }],
  ['code 21617 (message)', codeCase(21617), 'permanent'],
  ['code 63027 (message)', codeCase(63027), { text: 'permanent', media: 'permanent', interactive: 'content-rejected', template: 'permanent' }],
  ['code 63028 (message)', codeCase(63028), 'permanent'],
  ['code 21211 (message)', codeCase(21211), 'permanent'],
  ['code 21614 (message)', codeCase(21614), 'permanent'],
  ['code 63003 (message)', codeCase(63003), 'permanent'],
  ['code 63024 (message)', codeCase(63024), 'permanent'],
  ['code 63032 (message)', codeCase(63032), 'permanent'],
  ['code 63014 (message)', codeCase(63014), 'permanent'],
  ['code 63015 (message)', codeCase(63015), 'permanent'],
  ['code 21610 (message)', codeCase(21610), 'permanent'],
  ['code 21408 (message)', codeCase(21408), 'permanent'],
  ['code 20003', codeCase(20003, 401), 'permanent'],
  ['code 63007 (message)', codeCase(63007), 'permanent'],
  ['code 63002 (message)', codeCase(63002), 'permanent'],
  ['code 21606 (message)', codeCase(21606), 'permanent'],
  ['code 21212 (message)', codeCase(21212), 'permanent'],
  ['code 63001 (message)', codeCase(63001), 'permanent'],
  ['code 63020 (message)', codeCase(63020), 'permanent'],
  ['HTTP 429', (content) => classifyTwilioHttpError(429, undefined, {}, { content }), 'retryable'],
  ['HTTP 503', (content) => classifyTwilioHttpError(503, { message: 'unavailable' }, {}, { content }), 'retryable'],
  ['HTTP 401', (content) => classifyTwilioHttpError(401, undefined, {}, { content }), 'permanent'],
  ['HTTP 5xx (message)', (content) => classifyTwilioHttpError(502, undefined, {}, { content }), 'outcome-unknown'],
  ['HTTP 5xx (content)', (content) => classifyTwilioHttpError(500, { code: 20500 }, {}, { content, operation: 'content' }), 'retryable'],
  ['HTTP 4xx (message)', (content) => classifyTwilioHttpError(404, { code: 20404 }, {}, { content }), 'permanent'],
  ['HTTP 4xx (content)', (content) => classifyTwilioHttpError(400, { code: 92001 }, {}, { content, operation: 'content' }), 'content-rejected'],
  ['transport not-sent', (content) => classifyTwilioTransportError(socketError('ECONNREFUSED'), { content }), 'retryable'],
  ['transport maybe-sent (message)', (content) => classifyTwilioTransportError(new DOMException('timed out', 'TimeoutError'), { content }), 'outcome-unknown'],
  [
    'transport maybe-sent (content)',
    (content) => classifyTwilioTransportError(socketError('ECONNRESET'), { content, operation: 'content' }),
    'retryable',
  ],
  ['transport unreadable-success (message)', (content) => unreadableSuccessError(201, { content }), 'outcome-unknown'],
  ['transport unreadable-success (content)', (content) => unreadableSuccessError(201, { content, operation: 'content' }), 'retryable'],
];

describe('TWILIO_ERROR_TABLE', () => {
  it('has a case below for every row, and a row for every case', () => {
    // Prepare
    const rows = TWILIO_ERROR_TABLE.map(rowLabel);

    // Act
    const cases = CASES.map(([label]) => label);

    // Assess
    expect(new Set(rows).size).toBe(rows.length);
    expect([...cases].sort()).toEqual([...rows].sort());
  });

  it('gives every row a readable sentence and a note', () => {
    for (const row of TWILIO_ERROR_TABLE) {
      expect(row.reason).toMatch(/^[A-Z].{10,}\.$/);
      expect(row.note.length).toBeGreaterThan(5);
    }
  });

  const expanded = CASES.flatMap(([label, classify, expected]) =>
    ALL.filter((content) => expectedFor(expected, content) !== undefined).map(
      (content) => [label, content, classify, expectedFor(expected, content)!] as const,
    ),
  );

  it.each(expanded)('%s for %s content is %s', (label, content, classify, kind) => {
    // Prepare
    const row = TWILIO_ERROR_TABLE.find((candidate) => rowLabel(candidate) === label)!;

    // Act
    const error = classify(content);

    // Assess
    expect(error).toBeInstanceOf(SendFailedError);
    expect(error.kind).toBe(kind);
    expect(error.reason).toBe(row.reason);
    expect(error.retryable).toBe(kind === 'retryable');
    if (kind === 'retryable') expect(error.options.retryAfterMs).toBeGreaterThan(0);
    else expect(error.options.retryAfterMs).toBeUndefined();
  });

  it('backs off longer for WhatsApp messaging limits than for Twilio API bursts', () => {
    // Act
    const burst = codeCase(20429, 429)('text');
    const tier = codeCase(63018)('text');
    const daily = codeCase(63038)('text');

    // Assess
    expect(tier.options.retryAfterMs).toBeGreaterThanOrEqual(60_000);
    expect(tier.options.retryAfterMs!).toBeGreaterThan(burst.options.retryAfterMs!);
    expect(daily.options.retryAfterMs).toBeGreaterThanOrEqual(3_600_000);
  });
});

describe('classifyTwilioHttpError', () => {
  it('keeps Twilio’s code and the HTTP status', () => {
    // Act
    const error = classifyTwilioHttpError(400, { code: 21211, message: "The 'To' number is not valid." }, {});

    // Assess
    expect(error).toMatchObject({ kind: 'permanent', code: '21211', options: { httpStatus: 400 } });
  });

  it('accepts a code sent as a string', () => {
    // Act / Assess
    expect(classifyTwilioHttpError(400, { code: '63016' }, {}).kind).toBe('window-closed');
  });

  it('falls back to the status, with an HTTP_<status> code, when the body is unreadable', () => {
    // Act
    const error = classifyTwilioHttpError(400, undefined, {});

    // Assess
    expect(error).toMatchObject({ kind: 'permanent', code: 'HTTP_400' });
  });

  it('decides by the status when the code has no row of its own', () => {
    // Act / Assess
    expect(classifyTwilioHttpError(429, { code: 99999 }, {}).kind).toBe('retryable');
    expect(classifyTwilioHttpError(503, { code: 99999 }, {}).kind).toBe('retryable');
    expect(classifyTwilioHttpError(504, { code: 99999 }, {}).kind).toBe('outcome-unknown');
    expect(classifyTwilioHttpError(422, { code: 99999 }, {}).kind).toBe('permanent');
  });

  it('does not apply Messages-API codes to the Content API', () => {
    // Act
    const error = classifyTwilioHttpError(400, { code: 63016 }, {}, { operation: 'content' });

    // Assess
    expect(error.kind).toBe('content-rejected');
  });

  it('takes Retry-After in seconds', () => {
    // Act
    const error = classifyTwilioHttpError(429, { code: 20429 }, new Headers({ 'Retry-After': '30' }));

    // Assess
    expect(error.options.retryAfterMs).toBe(30_000);
  });

  it('takes Retry-After as an HTTP-date, from a plain header record too', () => {
    // Prepare
    const now = new Date('2026-03-01T12:00:00Z');

    // Act
    const error = classifyTwilioHttpError(503, undefined, { 'Retry-After': 'Sun, 01 Mar 2026 12:01:30 GMT' }, { now });

    // Assess
    expect(error.options.retryAfterMs).toBe(90_000);
  });

  it('never backs off less than the row’s own minimum', () => {
    // Act
    const error = classifyTwilioHttpError(429, { code: 63018 }, new Headers({ 'Retry-After': '2' }));

    // Assess
    expect(error.options.retryAfterMs).toBe(60_000);
  });

  it('ignores Retry-After on an error that is not retried', () => {
    // Act
    const error = classifyTwilioHttpError(400, { code: 63016 }, new Headers({ 'Retry-After': '2' }));

    // Assess
    expect(error.options.retryAfterMs).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-03-01T12:00:00Z');

  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5_000],
    ['Sun, 01 Mar 2026 12:00:10 GMT', 10_000],
    ['Sun, 01 Mar 2026 11:00:00 GMT', 0],
  ])('reads %j as %d ms', (value, expected) => {
    // Act / Assess
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([[null], [undefined], [''], ['soon'], ['1.5'], ['-3']])('ignores %j', (value) => {
    // Act / Assess
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('classifyTwilioTransportError', () => {
  it('is retryable only when every address of a happy-eyeballs attempt was refused', () => {
    // Prepare
    const refused = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    const unreachable = Object.assign(new Error('unreachable'), { code: 'ENETUNREACH' });
    const reset = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    const allRefused = new TypeError('fetch failed', { cause: new AggregateError([refused, unreachable]) });
    const oneReset = new TypeError('fetch failed', { cause: new AggregateError([refused, reset]) });

    // Act / Assess
    expect(classifyTwilioTransportError(allRefused).kind).toBe('retryable');
    expect(classifyTwilioTransportError(oneReset).kind).toBe('outcome-unknown');
  });

  it('is retryable for a connect timeout: nothing was sent', () => {
    // Act / Assess
    expect(classifyTwilioTransportError(socketError('UND_ERR_CONNECT_TIMEOUT')).kind).toBe('retryable');
  });

  it('treats an abort and an unknown failure as possibly sent', () => {
    // Act / Assess
    expect(classifyTwilioTransportError(new DOMException('aborted', 'AbortError'))).toMatchObject({ kind: 'outcome-unknown', code: 'TIMEOUT' });
    expect(classifyTwilioTransportError(new TypeError('fetch failed'))).toMatchObject({ kind: 'outcome-unknown', code: 'NETWORK' });
    expect(classifyTwilioTransportError('boom')).toMatchObject({ kind: 'outcome-unknown', code: 'NETWORK' });
  });

  it('keeps the original error as the cause', () => {
    // Prepare
    const original = socketError('ECONNREFUSED');

    // Act
    const error = classifyTwilioTransportError(original);

    // Assess
    expect(error.cause).toBe(original);
  });
});

describe('twilioFailureKind and twilioErrorFor (status callbacks)', () => {
  it.each([
    ['63016', undefined, 'window-closed'],
    ['63018', undefined, 'retryable'],
    ['63024', undefined, 'permanent'],
    ['63021', 'interactive', 'content-rejected'],
    ['63021', undefined, 'permanent'],
    [' 63014 ', undefined, 'permanent'],
    ['12345', undefined, 'permanent'],
  ] as const)('maps %j (%s content) to %s', (code, content, kind) => {
    // Act / Assess
    expect(twilioFailureKind(code, content)).toBe(kind);
  });

  it('never answers outcome-unknown for a code: a callback is a definite outcome', () => {
    // Act
    const kinds = TWILIO_ERROR_TABLE.filter((row) => 'code' in row.match && row.operation !== 'content').map((row) =>
      ALL.map((content) => twilioFailureKind((row.match as { code: string }).code, content)),
    );

    // Assess
    expect(kinds.flat()).not.toContain('outcome-unknown');
    expect(twilioFailureKind('20500')).toBe('retryable');
  });

  it('gives a readable reason, and a generic one for unknown codes', () => {
    // Act / Assess
    expect(twilioErrorFor('63014').reason).toBe('The customer has blocked this business on WhatsApp.');
    expect(twilioErrorFor('12345')).toEqual({ kind: 'permanent', reason: 'WhatsApp delivery failed (Twilio error 12345).' });
    expect(twilioErrorFor('63018').retryAfterMs).toBe(60_000);
  });
});

describe('renderTwilioErrorTable', () => {
  it('prints one Markdown line per row with its kind and reason', () => {
    // Act
    const lines = renderTwilioErrorTable().split('\n');

    // Assess
    expect(lines).toHaveLength(TWILIO_ERROR_TABLE.length + 2);
    expect(lines).toContain(
      "| 63016 | message | window-closed |  |  | The customer's 24-hour window is closed; only an approved template can be sent. |",
    );
    expect(lines).toContain('| 63018 | message | retryable |  | 1 min | The WhatsApp sender\'s rate or messaging limit was exceeded; the message will be retried later. |');
  });
});

describe('contentClassOf', () => {
  it.each([
    ['text', 'text'],
    ['image', 'media'],
    ['buttons', 'interactive'],
    ['list', 'interactive'],
    ['template', 'template'],
  ] as const)('classes %s as %s', (type, expected) => {
    // Act / Assess
    expect(contentClassOf(type)).toBe(expected);
  });
});
