/** XML 1.0 escaping for the report's XML outputs (junit.xml, lag.svg). */

/**
 * Characters XML 1.0 forbids outright, even as character references: C0 controls other than tab/LF/CR,
 * lone surrogates, U+FFFE/U+FFFF. They are shown as visible `\uXXXX` text instead, so evidence that
 * carries a stray control character still yields a file every parser accepts.
 */
const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visible(s: string): string {
  return s.replace(FORBIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Escape for element text. `>` too, so `]]>` cannot appear. */
export function xmlText(s: string): string {
  return visible(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escape for a double-quoted attribute. Tab/CR/LF become references: parsers would otherwise fold them to spaces. */
export function xmlAttr(s: string): string {
  return xmlText(s)
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#9;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;");
}
