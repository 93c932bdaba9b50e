/**
 * The address an open-link button opens (Mendix's Open link action), built the same way by
 * `kiln check` (for a fixed address) and by the browser client (for one read from an attribute).
 * Only a fixed set of schemes ever comes out: an address is data, never script, so a
 * `javascript:`, `data:` or `vbscript:` value (or any scheme other than http and https for a web
 * link) gives no link at all.
 */
export type LinkType = 'web' | 'email' | 'call' | 'text';

/** A scheme at the start (`javascript:`, `https:`): letters first, then letters, digits, `+ - .`. */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/** The URL to open, or an explanation of why the address gives none. */
export function linkUrl(type: LinkType, address: string): { url: string } | { error: string } {
  // Browsers ignore tabs and line breaks inside a URL (`java\tscript:`), and leading spaces and controls: so does this.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what is removed
  const a = address.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (!a) return { error: 'the address is empty' };
  if (type === 'web') {
    const scheme = SCHEME.exec(a)?.[1]?.toLowerCase();
    // As in Mendix, an address without a scheme is a web address: https is put in front.
    const full = scheme === undefined ? `https://${a.replace(/^\/+/, '')}` : a;
    if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') return { error: `only http and https addresses are opened, not ${scheme}:` };
    try {
      const u = new URL(full);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return { error: `only http and https addresses are opened, not ${u.protocol}` };
      return { url: u.href };
    } catch {
      return { error: `'${a}' is not a web address` };
    }
  }
  const prefix = type === 'email' ? 'mailto:' : type === 'call' ? 'tel:' : 'sms:';
  // A value that already names its own scheme is accepted only when it is this one.
  const scheme = SCHEME.exec(a)?.[1]?.toLowerCase();
  const rest = scheme === prefix.slice(0, -1) ? a.slice(prefix.length) : a;
  if (type === 'email') {
    if (!/^[^\s@:/?#]+@[^\s@:/?#]+$/.test(rest)) return { error: `'${a}' is not an e-mail address` };
    return { url: `mailto:${rest}` };
  }
  if (!/^\+?[0-9 ().*#-]{2,}$/.test(rest)) return { error: `'${a}' is not a phone number` };
  return { url: `${prefix}${rest.replace(/[ ().-]/g, '')}` };
}
