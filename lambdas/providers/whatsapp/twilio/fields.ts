/**
 * A field's value when Twilio sent it with content, else `undefined`.
 *
 * Twilio sends many fields empty (`Body=` on a media message, `ButtonText=` elsewhere), so "empty"
 * and "absent" mean the same here. Only own properties count: a name such as `constructor` must not
 * resolve to something inherited from `Object.prototype`.
 *
 * @example
 * fieldValue({ Body: '', NumMedia: '1' }, 'Body');     // undefined
 * fieldValue({ Body: '', NumMedia: '1' }, 'NumMedia'); // '1'
 */
export function fieldValue(fields: Record<string, string>, name: string): string | undefined {
  if (!Object.hasOwn(fields, name)) return undefined;
  const value = fields[name];
  return value === undefined || value === '' ? undefined : value;
}
