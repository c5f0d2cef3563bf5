import { formatOutputLine, formatRuntimeLine, installReadableOutput, logFormatOf } from '../../../local/log-format';

const at = '2026-03-01T10:04:05.000Z';
const json = (entry: Record<string, unknown>) => JSON.stringify({ timestamp: at, level: 'INFO', service: 'whatsapp-webhook', ...entry });

describe('readable local log', () => {
  it('prints one human line per message event, with the masked number the function logged', () => {
    // Act
    const lines = [
      json({ message: 'inbound message handled', outcome: 'stored', connectionId: 'demo-meta', customer: '***5678', type: 'text', messageId: '01JQ8Z0000ABCDEFGH' }),
      json({ message: 'inbound message answered', replies: 2, conversationId: 'cv_7GQ' }),
      json({ message: 'outbound message', result: 'accepted', conversationId: 'cv_7GQ', messageId: '01JQ9' }),
      json({ message: 'status callback handled', outcome: 'applied', status: 'delivered', conversationId: 'cv_7GQ', messageId: '01JQ9' }),
      json({ message: 'status callback handled', outcome: 'applied', status: 'read', conversationId: 'cv_7GQ', messageId: '01JQ9' }),
      json({ message: 'outbound message', level: 'WARN', result: 'failed', errorCode: '131047', reason: 'window-closed', conversationId: 'cv_7GQ', messageId: '01JQ9' }),
      json({ message: 'inbound message replayed', connectionId: 'demo', customer: '***5678', type: 'text', messageId: '01JQ8' }),
    ].map((line) => formatOutputLine(line, 'readable'));

    // Assess
    expect(lines.map((line) => line?.slice(9, 21).trim())).toEqual(['← received', '⇢ queued', '→ sent', '✓ delivered', '✓✓ read', '✗ failed', '↺ replayed']);
    expect(lines[0]).toContain('demo-meta');
    expect(lines[0]).toContain('***5678');
    expect(lines[0]).toContain('01JQ8Z…CDEFGH');
    expect(lines[5]).toContain('131047');
    expect(lines.join('\n')).not.toMatch(/\d{8,}/);
  });

  it('hides routine lines and metrics, keeps warnings and errors on one line, and JSON keeps everything', () => {
    // Prepare
    const routine = json({ message: 'status callback handled', outcome: 'stale', status: 'sent' });
    const emf = JSON.stringify({ _aws: { CloudWatchMetrics: [] }, InboundStored: 1 });
    const error = json({ message: 'event publish failed; the message itself is stored', level: 'ERROR', error: { name: 'DependencyUnavailableError', message: 'EventBridge call failed' } });

    // Act + Assess
    expect(formatOutputLine(routine, 'readable')).toBeUndefined();
    expect(formatOutputLine(emf, 'readable')).toBeUndefined();
    expect(formatOutputLine(error, 'readable')).toMatch(/✖ error\s+whatsapp-webhook:\s+event publish failed.*DependencyUnavailableError: EventBridge call failed$/);
    expect(formatOutputLine('✔ Echo WhatsApp local runtime on http://127.0.0.1:3000', 'readable')).toBe('✔ Echo WhatsApp local runtime on http://127.0.0.1:3000');
    expect(formatOutputLine(routine, 'json')).toBe(routine);
    expect(logFormatOf({ LOG_FORMAT: 'JSON' })).toBe('json');
    expect(logFormatOf({})).toBe('readable');
  });

  it('never logs the settings page polling; hides routine runtime lines only once running, and only when readable', () => {
    // Act + Assess
    expect(formatRuntimeLine('GET /businesses/demo/whatsapp/conversations → 200 (4 ms)', 'json', true)).toBeUndefined();
    expect(formatRuntimeLine('POST /webhook/whatsapp/meta/demo-meta → 200 (31 ms)', 'readable', true)).toBeUndefined();
    expect(formatRuntimeLine('POST /webhook/whatsapp/meta/demo-meta → 200 (31 ms)', 'json', true)).toBe('POST /webhook/whatsapp/meta/demo-meta → 200 (31 ms)');
    expect(formatRuntimeLine('POST /webhook/whatsapp/meta/demo-meta → 503 (31 ms)', 'readable', true)).toContain('503');
    expect(formatRuntimeLine('send: batch of 3 → 2 done, 1 left on the queue (40 ms)', 'readable', true)).toContain('left on the queue');
    expect(formatRuntimeLine('table   echo-local-MessagesTable', 'readable', false)).toBe('table   echo-local-MessagesTable');
  });

  it('rewrites what a stream is given, line by line, even split across writes', () => {
    // Prepare
    const written: string[] = [];
    const stream = { write: (chunk: string) => written.push(chunk) > 0 } as unknown as NodeJS.WriteStream;
    const restore = installReadableOutput(stream, 'readable');
    const line = json({ message: 'status callback handled', outcome: 'applied', status: 'read', conversationId: 'cv_1', messageId: '01J' });

    // Act
    stream.write(line.slice(0, 20));
    stream.write(`${line.slice(20)}\n${JSON.stringify({ _aws: {} })}\n`);
    restore();

    // Assess
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/✓✓ read\s+cv_1  01J\n$/);
  });
});
