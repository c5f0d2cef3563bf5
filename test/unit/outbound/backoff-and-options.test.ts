import { backoffDelayMs, MAX_VISIBILITY_SECONDS, visibilitySecondsFor } from '../../../lambdas/domain/outbound/backoff';
import { canFallBackToText, numberedText } from '../../../lambdas/domain/outbound/numbered-options';

describe('backoffDelayMs', () => {
  const policy = { baseMs: 2_000, capMs: 900_000 };

  it('draws a full-jitter delay under base × 2^(attempt-1)', () => {
    expect(backoffDelayMs(1, undefined, policy, () => 0.999)).toBe(1_998);
    expect(backoffDelayMs(4, undefined, policy, () => 0.5)).toBe(8_000);
    expect(backoffDelayMs(4, undefined, policy, () => 0)).toBe(0);
  });

  it('is capped at 15 minutes', () => {
    expect(backoffDelayMs(30, undefined, policy, () => 0.999)).toBeLessThanOrEqual(900_000);
  });

  it('never comes back sooner than Retry-After, even above the cap (within SQS limits)', () => {
    expect(backoffDelayMs(1, 60_000, policy, () => 0)).toBe(60_000);
    expect(backoffDelayMs(1, 3_600_000, policy, () => 0)).toBe(3_600_000);
    expect(backoffDelayMs(1, 10 ** 9, policy, () => 0)).toBe(MAX_VISIBILITY_SECONDS * 1000);
  });

  it('rounds a delay up to whole visibility seconds', () => {
    expect(visibilitySecondsFor(0)).toBe(0);
    expect(visibilitySecondsFor(1)).toBe(1);
    expect(visibilitySecondsFor(2_001)).toBe(3);
  });
});

describe('numberedText', () => {
  it('numbers list rows with their descriptions', () => {
    const result = numberedText({
      type: 'list',
      body: 'Elige sucursal',
      button: 'Ver',
      rows: [
        { id: 'c', title: 'Centro', description: 'Abierto 24 h' },
        { id: 'n', title: 'Norte' },
      ],
    });
    expect(result.text).toBe('Elige sucursal\n\n1. Centro: Abierto 24 h\n2. Norte');
    expect(result.options).toEqual([
      { n: 1, id: 'c', title: 'Centro' },
      { n: 2, id: 'n', title: 'Norte' },
    ]);
  });

  it('uses the fallback text as the introduction when given', () => {
    const result = numberedText({ type: 'buttons', body: 'B', buttons: [{ id: 'a', title: 'A' }] }, 'Responde con un número:');
    expect(result.text).toBe('Responde con un número:\n\n1. A');
  });

  it('knows which contents plain text can stand in for', () => {
    expect(canFallBackToText({ type: 'buttons', body: 'B', buttons: [{ id: 'a', title: 'A' }] }, undefined)).toBe(true);
    expect(canFallBackToText({ type: 'image', url: 'https://x/y.jpg' }, undefined)).toBe(false);
    expect(canFallBackToText({ type: 'image', url: 'https://x/y.jpg' }, 'Mira la foto')).toBe(true);
    expect(canFallBackToText({ type: 'text', text: 'x' }, 'y')).toBe(false);
  });
});
