/**
 * Splits a long text into ordered parts that each fit one BSP message.
 *
 * Parts are measured in UTF-16 code units, which is never less than the code-point count: a part
 * that fits here fits whichever way the BSP counts. Cuts prefer, in order: a paragraph break, the
 * end of a sentence, a line break, a space; only a text without any of them in the second half of
 * the window is cut hard, and never inside a surrogate pair or an emoji sequence. Whitespace at a
 * cut is dropped, so no part starts or ends with it.
 * @example
 * splitText('Hola. ¿Cómo estás?', 8) // ['Hola.', '¿Cómo', 'estás?']
 */
export function splitText(text: string, maxLength: number): string[] {
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new RangeError('maxLength must be an integer ≥ 2');
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > maxLength) {
    const cut = cutPosition(rest, maxLength);
    const part = rest.slice(0, cut).trimEnd();
    if (part.length > 0) parts.push(part);
    rest = rest.slice(cut).trimStart();
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

// A sentence ends with . ! ? … (or their CJK forms), maybe closing quotes or brackets, then space.
const SENTENCE_END = /[.!?…。！？]+["'”’»)\]]*(?=\s)/g;
const PARAGRAPH_BREAK = /\n\s*\n/g;
const LINE_BREAK = /\n/g;
const SPACE = /\s/g;

/** Where to cut `text` so the first part is at most `max` units long. */
function cutPosition(text: string, max: number): number {
  const window = text.slice(0, max + 1); // +1: a boundary right after the limit still lets the part end at max
  // A boundary in the first half would leave many short parts; prefer a weaker boundary further on.
  const minimum = Math.floor(max / 2);
  for (const [pattern, endOfMatch] of [
    [PARAGRAPH_BREAK, false],
    [SENTENCE_END, true],
    [LINE_BREAK, false],
    [SPACE, false],
  ] as const) {
    const at = lastBoundary(window, pattern, endOfMatch, max);
    if (at !== undefined && at >= minimum) return at;
  }
  return hardCut(text, max);
}

/** The last position ≤ max where `pattern` allows a cut (its start, or its end for sentence ends). */
function lastBoundary(window: string, pattern: RegExp, endOfMatch: boolean, max: number): number | undefined {
  let found: number | undefined;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(window); match !== null; match = pattern.exec(window)) {
    const at = endOfMatch ? match.index + match[0].length : match.index;
    if (at > 0 && at <= max) found = at;
    if (match[0].length === 0) pattern.lastIndex++;
  }
  return found;
}

const ZWJ = 0x200d;

/** At most `max`, moved back so that no surrogate pair, combining mark or emoji sequence is broken. */
function hardCut(text: string, max: number): number {
  let cut = max;
  while (cut > 1 && !safeToCutBefore(text, cut)) cut--;
  return cut;
}

function safeToCutBefore(text: string, index: number): boolean {
  const next = text.charCodeAt(index);
  const previous = text.charCodeAt(index - 1);
  if (next >= 0xdc00 && next <= 0xdfff) return false; // low surrogate: inside a pair
  if (next === ZWJ || previous === ZWJ) return false; // inside a joined emoji (👩‍💻)
  const nextChar = String.fromCodePoint(text.codePointAt(index) ?? 0);
  // Variation selectors, skin tones and combining accents belong to the character before them.
  return !/^[\p{M}\u{FE00}-\u{FE0F}\u{1F3FB}-\u{1F3FF}]$/u.test(nextChar);
}
