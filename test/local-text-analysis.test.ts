import { describe, expect, it } from "vitest";
import { bm25Scores } from "../src/backends/local/front/bm25.js";
import {
  analyzerFor,
  phraseMatches,
  standardTokens,
  textMatches,
} from "../src/backends/local/front/text-analysis.js";
import { matchCalls, pkList } from "../src/backends/local/front/text-match.js";

const run = (params: unknown, text: string) => {
  const a = analyzerFor(params);
  if (a.kind === "refused" || !a.analyze) throw new Error(`no analyzer: ${JSON.stringify(a)}`);
  return a.analyze(text).map((t) => `${t.text}@${t.position}`);
};

describe("text analyzers as Milvus runs them", () => {
  it("standard: alphanumeric runs, lowercased (tantivy's SimpleTokenizer + LowerCaser)", () => {
    expect(standardTokens("The 2 QUICK Brown-Foxes dog's").map((t) => t.text)).toEqual([
      "The",
      "2",
      "QUICK",
      "Brown",
      "Foxes",
      "dog",
      "s",
    ]);
    expect(run({ type: "standard" }, "Brown-Foxes ÉCLAIR")).toEqual(["brown@0", "foxes@1", "éclair@2"]);
  });

  it("english: stems (Porter2), then drops Milvus's English stop words, keeping their positions empty", () => {
    expect(run({ type: "english" }, "The Running foxes are jumping quickly")).toEqual([
      "run@1",
      "fox@2",
      "jump@4",
      "quick@5",
    ]);
    // The same analysis written out as a custom analyzer.
    const custom = {
      tokenizer: "standard",
      filter: [
        "lowercase",
        { type: "stemmer", language: "english" },
        { type: "stop", stop_words: ["_english_"] },
      ],
    };
    expect(run(custom, "The Running foxes are jumping quickly")).toEqual(
      run({ type: "english" }, "The Running foxes are jumping quickly"),
    );
    expect(run({ type: "standard", stop_words: ["of"] }, "a cup of tea")).toEqual(["a@0", "cup@1", "tea@3"]);
  });

  it("the stemmer is Snowball's English (Porter2), as tantivy's Stemmer(Language::English): its exceptions hold", () => {
    // Porter's first algorithm stems these otherwise (skies -> ski, dying -> dy, news -> new).
    expect(run({ type: "english" }, "skies dying news generously communism early")).toEqual([
      "sky@0",
      "die@1",
      "news@2",
      "generous@3",
      "communism@4",
      "earli@5",
    ]);
  });

  it("says who runs each analyzer, and refuses what nobody here runs with one line", () => {
    expect(analyzerFor(undefined).kind).toBe("lite");
    expect(analyzerFor('{"type": "standard"}').kind).toBe("lite");
    expect(analyzerFor({ tokenizer: "standard", filter: ["lowercase"] }).kind).toBe("lite");
    expect(analyzerFor({ tokenizer: "jieba" }).kind).toBe("lite");
    expect(analyzerFor({ type: "english" }).kind).toBe("front");
    expect(analyzerFor({ type: "standard", stop_words: ["of"] }).kind).toBe("front");
    const icu = analyzerFor({ tokenizer: "icu" });
    expect(icu).toEqual({
      kind: "refused",
      reason: expect.stringMatching(
        /^tokenizer "icu" is not supported: the local backend runs .*kind backend$/,
      ),
    });
    expect(analyzerFor({ type: "chinese" }).kind).toBe("refused");
    expect(analyzerFor({ tokenizer: "standard", filter: ["asciifolding"] })).toMatchObject({
      kind: "refused",
      reason: expect.stringContaining("analyzer filter 'asciifolding'"),
    });
    expect(
      analyzerFor({ tokenizer: "standard", filter: [{ type: "stemmer", language: "french" }] }),
    ).toMatchObject({
      kind: "refused",
      reason: expect.stringContaining("stemmer language 'french'"),
    });
    expect(analyzerFor("{not json").kind).toBe("refused");
  });
});

describe("TEXT_MATCH and PHRASE_MATCH", () => {
  const en = (s: string) => {
    const a = analyzerFor({ type: "english" });
    return a.kind === "front" ? a.analyze(s) : [];
  };

  it("TEXT_MATCH: any term, or at least minimum_should_match of them", () => {
    expect(textMatches(en("a cat runs"), en("running"))).toBe(true);
    expect(textMatches(en("a cat runs"), en("dogs"))).toBe(false);
    expect(textMatches(en("a cat runs"), en("cat dog"), 2)).toBe(false);
    expect(textMatches(en("a cat runs with a dog"), en("cat dog"), 2)).toBe(true);
  });

  it("PHRASE_MATCH: in order and adjacent at slop 0; gaps and swaps cost slop (milvus.io phrase-match)", () => {
    const std = (s: string) => standardTokens(s.toLowerCase());
    expect(phraseMatches(std("machine learning boosts"), std("machine learning"), 0)).toBe(true);
    expect(phraseMatches(std("machine deep learning"), std("machine learning"), 0)).toBe(false);
    expect(phraseMatches(std("machine deep learning"), std("machine learning"), 1)).toBe(true);
    expect(phraseMatches(std("learning machine"), std("machine learning"), 1)).toBe(false);
    expect(phraseMatches(std("learning machine"), std("machine learning"), 2)).toBe(true);
    expect(phraseMatches(std("machine"), std("machine machine"), 5)).toBe(false);
    // A stop word's empty position stays: "brown the fox" is one gap away from "brown fox".
    expect(phraseMatches(en("brown the fox"), en("brown fox"), 0)).toBe(false);
    expect(phraseMatches(en("brown the fox"), en("brown fox"), 1)).toBe(true);
    expect(phraseMatches(en("brown foxes"), en("brown fox"), 0)).toBe(true);
  });

  it("finds the calls outside string literals, and names one it cannot read", () => {
    const calls = matchCalls(
      `a == "TEXT_MATCH(x, 'y')" and phrase_match(body, 'brown \\'fox\\'', 2) or TEXT_MATCH(t, "q", minimum_should_match=3)`,
    );
    expect(calls.map((c) => [c.fn, c.field, c.text, c.number])).toEqual([
      ["PHRASE_MATCH", "body", "brown 'fox'", 2],
      ["TEXT_MATCH", "t", "q", 3],
    ]);
    expect(matchCalls("id > 3 and not_a_text_match(x)")).toEqual([]);
    expect(() => matchCalls("PHRASE_MATCH(body, {phrase})")).toThrow(/cannot read PHRASE_MATCH at 0/);
    expect(pkList({ name: "id", data_type: "Int64" }, ["470802273020411904"])).toBe(
      "id in [470802273020411904]",
    );
    expect(pkList({ name: "k", data_type: "VarChar" }, ['a"b'])).toBe('k in ["a\\"b"]');
  });
});

describe("BM25 ranking", () => {
  it("scores with Milvus's formula: idf = ln(1 + (N - df + 0.5) / (df + 0.5)), length-normalised tf", () => {
    const std = (s: string) => standardTokens(s);
    const docs = [std("a b"), std("a a c d"), std("e")];
    const [s0, s1, s2] = bm25Scores(docs, std("a"), 1.2, 0.75);
    const idf = Math.log(1 + (3 - 2 + 0.5) / (2 + 0.5));
    const avgdl = 7 / 3;
    const score = (tf: number, dl: number) => (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * dl) / avgdl));
    expect(s0).toBeCloseTo(score(1, 2), 10);
    expect(s1).toBeCloseTo(score(2, 4), 10);
    expect(s2).toBe(0);
    // A term twice in the query counts twice.
    expect(bm25Scores(docs, std("a a"), 1.2, 0.75)[0]).toBeCloseTo(2 * score(1, 2), 10);
  });
});
