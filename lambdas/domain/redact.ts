/**
 * Masks a phone number or customer id to its last 4 characters, for logs.
 * @example maskIdentifier('+5215512345678') // '***5678'
 */
export function maskIdentifier(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bare = value.replace(/^whatsapp:/, '');
  return bare.length <= 4 ? '***' : `***${bare.slice(-4)}`;
}
