import { splitText } from '../../../lambdas/domain/outbound/split-text';

describe('splitText', () => {
  it('keeps a text that fits as one part', () => {
    expect(splitText('Hola, ¿cómo estás?', 1600)).toEqual(['Hola, ¿cómo estás?']);
  });

  it('cuts at sentence ends when they fall in the second half of the window', () => {
    const text = 'Primera frase aquí. Segunda frase aquí. Tercera frase aquí.';
    expect(splitText(text, 40)).toEqual(['Primera frase aquí. Segunda frase aquí.', 'Tercera frase aquí.']);
  });

  it('prefers a paragraph break', () => {
    // A later sentence end ("Seis.") also fits, but the paragraph wins.
    expect(splitText('Uno dos tres cuatro cinco.\n\nSeis. Siete ocho nueve diez', 40)).toEqual([
      'Uno dos tres cuatro cinco.',
      'Seis. Siete ocho nueve diez',
    ]);
  });

  it('falls back to word boundaries, then to a hard cut', () => {
    expect(splitText('aaaa bbbb cccc dddd', 10)).toEqual(['aaaa bbbb', 'cccc dddd']);
    expect(splitText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });

  it('never splits a surrogate pair or a joined emoji', () => {
    // Prepare: the 10th unit is the high surrogate of an emoji; then a ZWJ sequence.
    const text = 'a'.repeat(9) + '😀' + 'b'.repeat(5) + '👩‍💻' + 'c'.repeat(10);

    // Act
    const parts = splitText(text, 10);

    // Assess
    expect(parts.join('')).toBe(text);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(10);
      // No lone surrogate at either end of a part.
      expect(part).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
    expect(parts.some((part) => part.includes('👩‍💻'))).toBe(true);
  });

  it('keeps every part within the limit and loses no words', () => {
    const words = Array.from({ length: 600 }, (_, i) => `palabra${i}${i % 7 === 0 ? '.' : ''}`);
    const text = words.join(' ');
    const parts = splitText(text, 1600);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((part) => part.length <= 1600)).toBe(true);
    // No boundary in the first half of a window is used: parts are not needlessly short.
    expect(parts.slice(0, -1).every((part) => part.length > 800)).toBe(true);
    expect(parts.join(' ').split(' ')).toEqual(words);
  });
});
