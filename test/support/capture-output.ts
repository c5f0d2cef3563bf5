/**
 * Captures what the process writes: Powertools writes INFO to stdout and WARN/ERROR to stderr, and
 * tests assert on those lines (metrics, no secrets in logs) instead of printing them.
 */
export function captureProcessOutput(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const capture = ((chunk: string | Uint8Array) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
  return { lines, restore: () => spies.forEach((spy) => spy.mockRestore()) };
}
