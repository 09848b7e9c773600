/**
 * Turns a zod failure into the single line a user reads: the field path, the value found there and
 * what is allowed. Unknown keys come first because a misspelt key is usually what broke the rest.
 */
import type { z } from "zod";

type Path = readonly PropertyKey[];

export function formatPath(path: Path): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

export function showValue(value: unknown): string {
  if (typeof value === "string") return value;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function valueAt(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The object schema found at `path`, seen through defaults, nullables, pipes and arrays. */
export function objectShapeAt(schema: z.ZodType, path: Path): Record<string, z.ZodType> | null {
  let cur: z.ZodType | undefined = schema;
  let i = 0;
  while (cur) {
    const def = defOf(cur);
    if (def.innerType) cur = def.innerType;
    else if (def.type === "pipe") cur = def.in;
    else if (i === path.length) return def.type === "object" ? (def.shape ?? null) : null;
    else if (def.type === "object") cur = def.shape?.[String(path[i++])];
    else if (def.type === "array") {
      cur = def.element;
      i++;
    } else return null;
  }
  return null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** The known key a typo most likely meant: same letters in another case, or at most a third of it edited. */
export function closestKey(unknown: string, known: readonly string[]): string | null {
  const lower = unknown.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(unknown.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function rewriteDefaultMessage(issue: z.core.$ZodIssue): string {
  // Messages set in schema.ts start with "must"/"is"; zod's own defaults start with "Invalid".
  if (!issue.message.startsWith("Invalid")) return issue.message;
  if (issue.code === "invalid_type") {
    const expected =
      issue.expected === "object"
        ? "a mapping"
        : issue.expected === "array"
          ? "a list"
          : `a ${issue.expected}`;
    return `must be ${expected}`;
  }
  return issue.message.replace(/^Invalid input: /, "");
}

/** One line for the most useful issue of a failed parse of `input` against `schema`. */
export function issueLine(error: z.ZodError, input: unknown, schema: z.ZodType, prefix = "config"): string {
  const issues = [...error.issues].sort(
    (a, b) => Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys"),
  );
  const issue = issues[0];
  if (!issue) return `${prefix}: invalid`;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const known = Object.keys(objectShapeAt(schema, issue.path) ?? {});
    const guess = closestKey(key, known);
    const hint = guess ? `did you mean ${guess}?` : `allowed: ${known.join(", ")}`;
    return `${prefix} ${formatPath([...issue.path, key])}: unknown field (${hint})`;
  }
  const value = valueAt(input, issue.path);
  const where = formatPath(issue.path) || "(top level)";
  if (value === undefined) return `${prefix} ${where}: required`;
  return `${prefix} ${where} = ${showValue(value)}: ${rewriteDefaultMessage(issue)}`;
}
