/**
 * Durations in config files and flags: a number of milliseconds, or a string with a unit, so a
 * YAML file can say `30s` instead of `30000`. Fractions are allowed ("1.5s") and rounded to whole ms.
 */
const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** Accepted string forms; also published in the JSON schema so editors flag a bad duration. */
export const DURATION_PATTERN = "^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)?\\s*$";
const DURATION_RE = new RegExp(DURATION_PATTERN);

/** Milliseconds for a duration value, or null when it is not one (the caller names the field). */
export function parseDuration(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  if (typeof value !== "string") return null;
  const m = DURATION_RE.exec(value);
  if (!m) return null;
  const unit = (value.trim().match(/(ms|s|m|h)$/)?.[1] ?? "ms") as keyof typeof UNIT_MS;
  return Math.round(Number.parseFloat(value) * UNIT_MS[unit]);
}

/** "30s", "2m", "1h", "1500ms": the shortest exact spelling, for logs and error messages. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1_000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
