/**
 * Milvus's text analyzers, as far as the local backend runs them itself. Milvus Lite tokenizes only
 * with its `standard` and `jieba` analyzers: it refuses `{"type": "english"}` on a BM25 input ("unknown
 * tokenizer type: 'english'") and accepts, then ignores, filters such as a stemmer or a stop list (a
 * field analyzed with them matches as plain `standard` there). Milvus builds them in Rust over tantivy
 * (internal/core/thirdparty/tantivy/tantivy-binding/src/analyzer):
 * - the standard tokenizer (tokenizers/standard_tokenizer.rs, by default tantivy's SimpleTokenizer):
 *   runs of alphanumeric characters, each one position;
 * - `lowercase`, `stemmer` (tantivy's Stemmer: Snowball's English, "Porter2"), `stop` (a list, where
 *   `_english_` is filter/stop_words/stop_words.rs's ENGLISH); a removed token leaves its position empty;
 * - the `english` analyzer (build_in_analyzer.rs): standard, lowercase, English stemmer, then the
 *   English stop list (after the stemmer, as there), then any `stop_words` given;
 * - the `standard` analyzer: standard, lowercase, then any `stop_words` given.
 *
 * `analyzerFor` classifies a field's `analyzer_params`: what Milvus Lite already does itself ("lite"),
 * what the front runs here ("front"), and what neither can do (refused with one line naming the local
 * limit, never silently approximated).
 */
import stem from "wink-porter2-stemmer";

export interface Token {
  text: string;
  position: number;
}

export type Analyze = (text: string) => Token[];

export type AnalyzerKind =
  /** Milvus Lite analyzes it as Milvus does: TEXT_MATCH and BM25 are left to it. */
  | { kind: "lite"; analyze?: Analyze }
  /** The front analyzes it (Milvus Lite is given `standard` for it). */
  | { kind: "front"; analyze: Analyze }
  | { kind: "refused"; reason: string };

/** tantivy's stop_words::ENGLISH (Snowball's list as Milvus ships it). */
// biome-ignore format: the list as upstream prints it
export const ENGLISH_STOP_WORDS: readonly string[] = [
  "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
  "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
  "they", "this", "to", "was", "will", "with",
];

const ALPHANUMERIC = /[\p{Alphabetic}\p{N}]+/gu;

/** tantivy's SimpleTokenizer, Milvus's default standard tokenizer: alphanumeric runs. */
export function standardTokens(text: string): Token[] {
  const out: Token[] = [];
  let position = 0;
  for (const m of text.matchAll(ALPHANUMERIC)) out.push({ text: m[0], position: position++ });
  return out;
}

type Filter = (tokens: Token[]) => Token[];

const lowercase: Filter = (tokens) => tokens.map((t) => ({ ...t, text: t.text.toLowerCase() }));
const englishStemmer: Filter = (tokens) => tokens.map((t) => ({ ...t, text: stem(t.text) }));
const stopFilter =
  (words: Iterable<string>): Filter =>
  (tokens) => {
    const stop = new Set(words);
    return tokens.filter((t) => !stop.has(t.text));
  };

const chain =
  (filters: Filter[]): Analyze =>
  (text) =>
    filters.reduce((tokens, f) => f(tokens), standardTokens(text));

/** The analyzer of the `standard` analyzer without stop words (what Milvus Lite runs too). */
export const standardAnalyzer: Analyze = chain([lowercase]);

/** A `stop_words` value: a list where `_english_` stands for the English list; undefined when malformed. */
function stopWords(v: unknown): string[] | undefined {
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || !list.every((w) => typeof w === "string")) return undefined;
  const out: string[] = [];
  for (const w of list as string[]) {
    if (w === "_english_") out.push(...ENGLISH_STOP_WORDS);
    else if (/^_[a-z]+_$/.test(w)) return undefined;
    else out.push(w);
  }
  return out;
}

const LOCAL =
  "the local backend runs the standard and english analyzers and the lowercase, English stemmer and stop filters (Milvus Lite runs jieba); use the kind backend";

function refused(what: string): AnalyzerKind {
  return { kind: "refused", reason: `${what} is not supported: ${LOCAL}` };
}

/** A custom analyzer's filter, or a refusal. */
function filterOf(f: unknown): Filter | string {
  if (f === "lowercase") return lowercase;
  if (typeof f === "string") return `analyzer filter '${f}'`;
  if (!f || typeof f !== "object") return `analyzer filter ${JSON.stringify(f)}`;
  const o = f as Record<string, unknown>;
  if (o.type === "stemmer") {
    return o.language === "english" ? englishStemmer : `stemmer language '${String(o.language)}'`;
  }
  if (o.type === "stop") {
    const words = stopWords(o.stop_words);
    return words ? stopFilter(words) : `stop filter stop_words ${JSON.stringify(o.stop_words)}`;
  }
  if (o.type === "lowercase") return lowercase;
  return `analyzer filter '${String(o.type)}'`;
}

/**
 * How a field's analyzer is run locally. `params` is the field's `analyzer_params` (a JSON string or
 * object; absent means Milvus's default, `standard`).
 */
export function analyzerFor(params: unknown): AnalyzerKind {
  let p: unknown = params;
  if (typeof p === "string") {
    if (p.trim() === "") p = {};
    else {
      try {
        p = JSON.parse(p);
      } catch {
        return { kind: "refused", reason: `analyzer_params is not JSON: ${p}` };
      }
    }
  }
  if (p === undefined || p === null) p = {};
  if (typeof p !== "object" || Array.isArray(p)) return refused(`analyzer_params ${JSON.stringify(p)}`);
  const o = p as Record<string, unknown>;
  if (o.type !== undefined) {
    const extra = Object.keys(o).filter((k) => k !== "type" && k !== "stop_words");
    if (extra.length > 0) return refused(`analyzer option '${extra[0]}'`);
    const words = o.stop_words === undefined ? [] : stopWords(o.stop_words);
    if (!words) return refused(`stop_words ${JSON.stringify(o.stop_words)}`);
    if (o.type === "standard") {
      return words.length === 0
        ? { kind: "lite", analyze: standardAnalyzer }
        : { kind: "front", analyze: chain([lowercase, stopFilter(words)]) };
    }
    if (o.type === "english") {
      const filters = [lowercase, englishStemmer, stopFilter(ENGLISH_STOP_WORDS)];
      if (words.length > 0) filters.push(stopFilter(words));
      return { kind: "front", analyze: chain(filters) };
    }
    return refused(`analyzer type '${String(o.type)}'`);
  }
  if (Object.keys(o).length === 0) return { kind: "lite", analyze: standardAnalyzer };
  const tokenizer =
    typeof o.tokenizer === "object" && o.tokenizer ? (o.tokenizer as { type?: unknown }).type : o.tokenizer;
  if (tokenizer === "jieba" && o.filter === undefined) return { kind: "lite" };
  if (tokenizer !== "standard") return refused(`tokenizer ${JSON.stringify(o.tokenizer)}`);
  if (typeof o.tokenizer === "object" && Object.keys(o.tokenizer as object).some((k) => k !== "type"))
    return refused(`tokenizer options ${JSON.stringify(o.tokenizer)}`);
  const extra = Object.keys(o).filter((k) => k !== "tokenizer" && k !== "filter");
  if (extra.length > 0) return refused(`analyzer option '${extra[0]}'`);
  const raw = o.filter === undefined ? [] : o.filter;
  if (!Array.isArray(raw)) return refused(`analyzer filter ${JSON.stringify(raw)}`);
  const filters: Filter[] = [];
  for (const f of raw) {
    const got = filterOf(f);
    if (typeof got === "string") return refused(got);
    filters.push(got);
  }
  if (filters.length === 0) return { kind: "front", analyze: chain([]) };
  if (filters.length === 1 && raw[0] === "lowercase") return { kind: "lite", analyze: standardAnalyzer };
  return { kind: "front", analyze: chain(filters) };
}

/** Whether a document's tokens hold any of the query's terms (TEXT_MATCH). */
export function textMatches(doc: Token[], query: Token[], minimumShouldMatch = 1): boolean {
  const terms = new Set(query.map((t) => t.text));
  const seen = new Set<string>();
  for (const t of doc) if (terms.has(t.text)) seen.add(t.text);
  return seen.size >= Math.max(1, Math.min(minimumShouldMatch, terms.size));
}

/**
 * Whether a document holds the phrase within `slop` (PHRASE_MATCH). Milvus documents slop as the
 * positional moves allowed between the phrase's terms (milvus.io docs, phrase-match.md: with slop 1
 * "machine learning" matches "machine deep learning"; with slop 2 "learning machine" matches too):
 * the sloppy-phrase distance of Lucene, max(pos_i - offset_i) - min(pos_i - offset_i) over one
 * position per term, all positions distinct. Positions left empty by a stop filter count as in Milvus.
 */
export function phraseMatches(doc: Token[], phrase: Token[], slop: number): boolean {
  if (phrase.length === 0) return false;
  const base = phrase[0]?.position ?? 0;
  const terms = phrase.map((t) => ({ text: t.text, offset: t.position - base }));
  const positions = terms.map((t) => doc.filter((d) => d.text === t.text).map((d) => d.position));
  if (positions.some((p) => p.length === 0)) return false;
  // Depth-first over the choices, pruned by the spread so far; phrases are a few terms long.
  const used = new Set<number>();
  const pick = (i: number, lo: number, hi: number): boolean => {
    if (i === terms.length) return hi - lo <= slop;
    const term = terms[i] as { offset: number };
    for (const p of positions[i] as number[]) {
      if (used.has(p)) continue;
      const d = p - term.offset;
      const nlo = Math.min(lo, d);
      const nhi = Math.max(hi, d);
      if (nhi - nlo > slop) continue;
      used.add(p);
      if (pick(i + 1, nlo, nhi)) return true;
      used.delete(p);
    }
    return false;
  };
  return pick(0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY);
}
