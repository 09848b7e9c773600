import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { drillConfigJsonSchema, drillConfigJsonSchemaText } from "../src/config/json-schema.js";
import { describeConfig, loadConfig } from "../src/config/load.js";
import { PROFILES } from "../src/config/profiles.js";
import { packageRoot } from "../src/util/paths.js";

const root = packageRoot();
const fixturesDir = join(root, "fixtures", "configs");
const fixtures = readdirSync(fixturesDir).filter((f) => f.endsWith(".yaml"));

// existing-star.yaml reads its far standby's token from this variable (tokenEnv), as a user's run would.
beforeAll(() => {
  vi.stubEnv("DR_FAR_TOKEN", "s3cret-far");
});
afterAll(() => {
  vi.unstubAllEnvs();
});

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  return ajv.compile(drillConfigJsonSchema());
}

describe("published JSON schema", () => {
  it("schema/drill-config.schema.json is what scripts/gen-schemas.ts generates now", () => {
    const committed = readFileSync(join(root, "schema", "drill-config.schema.json"), "utf8");
    // If this fails: npx tsx scripts/gen-schemas.ts, and commit the result.
    expect(committed).toBe(drillConfigJsonSchemaText());
  });

  it("accepts every example config and every profile written out as a file", () => {
    const validate = validator();
    for (const f of fixtures) {
      const ok = validate(parse(readFileSync(join(fixturesDir, f), "utf8")));
      expect({ file: f, ok, errors: validate.errors }).toMatchObject({ ok: true });
    }
    for (const [name, profile] of Object.entries(PROFILES)) {
      expect({ name, ok: validate(structuredClone(profile)) }).toEqual({ name, ok: true });
    }
  });

  it("refuses what loadConfig refuses field by field: unknown keys, bad enums, bad durations", () => {
    const validate = validator();
    for (const bad of [
      { workload: { batchsize: 3 } },
      { backend: { type: "docker" } },
      { workload: { collections: [{ name: "a", dimm: 3 }] } },
      { faults: { killCdc: { everyMs: "soon" } } },
      { workload: { durationMs: -5 } },
      { seed: -1 },
    ]) {
      expect({ bad, ok: validate(bad) }).toEqual({ bad, ok: false });
    }
  });
});

describe("example configs", () => {
  it("there are examples for local, kind and existing clusters", () => {
    const backends = fixtures.map((f) => loadConfig({ configFile: join(fixturesDir, f) }).backend.type);
    expect(new Set(backends)).toEqual(new Set(["local", "kind", "existing"]));
  });

  it.each(fixtures)("%s loads, and its described form loads back to the same config", (f) => {
    const cfg = loadConfig({ configFile: join(fixturesDir, f) });
    const described = describeConfig(cfg);
    expect(described).not.toContain("s3cret");
    const again = loadConfig({ configText: described });
    expect(again).toEqual(cfg);
  });

  it("the fault example plants a fault and replays a fixed seed", () => {
    const cfg = loadConfig({ configFile: join(fixturesDir, "local-smoke-fault.yaml") });
    expect(cfg.backend.local.faultMode).not.toBe("none");
    expect(cfg.seed).toBe(20260801);
    expect(cfg.backend.local.restartDelayMs).toBe(500);
  });
});
