// Escaping for every output format of the report. Everything that comes from a run (endpoint keys,
// scenario names, error codes, gate details) passes through one of these before it is written.

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => HTML_ENTITIES[c]);
}

// XML 1.0 cannot carry these characters at all, not even as character references.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text for XML element content or a quoted attribute value; characters XML cannot hold become U+FFFD. */
export function escapeXml(text: string): string {
  return text
    .replace(XML_INVALID, '\uFFFD')
    .replace(/[\uD800-\uDFFF]/g, (c, offset: number, all: string) => {
      // keep well-formed surrogate pairs, replace lone halves
      const code = c.charCodeAt(0);
      if (code <= 0xdbff) {
        const next = all.charCodeAt(offset + 1);
        return next >= 0xdc00 && next <= 0xdfff ? c : '\uFFFD';
      }
      const previous = all.charCodeAt(offset - 1);
      return previous >= 0xd800 && previous <= 0xdbff ? c : '\uFFFD';
    })
    .replace(/[&<>"']/g, (c) => (c === "'" ? '&apos;' : HTML_ENTITIES[c]));
}

/**
 * Text for a GitHub-flavoured Markdown table cell or paragraph. GitHub renders inline HTML in
 * comments, so angle brackets and ampersands become entities; the punctuation that makes code,
 * emphasis, links and table cells is backslash-escaped; a line break cannot end a table row early.
 * Callers never put escaped text at the start of a line (where #, + or - would mean something).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]|~])/g, '\\$1');
}

/**
 * JSON for a <script type="application/json"> block: `<`, `>` and `&` become \u escapes, so no
 * `</script>` or `<!--` can close or confuse the block, and U+2028/U+2029 are escaped too.
 * JSON.parse of the element's text gives back the original value.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
