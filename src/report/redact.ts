/**
 * Secrets (tokens, passwords) must never reach a file or a log. Every report writer passes its final
 * text through `redact`, so a token that leaked into an error message or evidence is masked no matter
 * which field carried it.
 */

export const REDACTED = "***";

/**
 * The forms a secret takes once it is embedded in the formats we write: as-is, inside a JSON string,
 * inside XML/HTML text or attributes, and inside a URL. Each must be masked, or an escaped copy of a
 * token containing `&`, `"` or `/` would slip through.
 */
function encodings(secret: string): string[] {
  const xml = secret
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
  const html = xml.replace(/&apos;/g, "&#39;");
  const json = JSON.stringify(secret).slice(1, -1);
  return [secret, json, xml, html, encodeURIComponent(secret)];
}

/** Replace every occurrence (in any of its encoded forms) of every non-empty secret with `***`. */
export function redact(text: string, secrets: readonly (string | undefined | null)[] = []): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    for (const f of encodings(s)) forms.add(f);
  }
  // Longest first: a secret that contains another must be masked whole, not leave a tail behind.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  let out = text;
  for (const f of ordered) out = out.split(f).join(REDACTED);
  return out;
}

/** Deep copy of a JSON-like value with secrets masked in every string (keys included). */
export function redactValue<T>(value: T, secrets: readonly (string | undefined | null)[] = []): T {
  if (!secrets.some((s) => s)) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redact(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[redact(k, secrets)] = walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
