import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadCrdValidator, strictify } from "../src/backends/kind/crd-schema.js";
import { type MilvusCr, renderMilvusCr, starRequests } from "../src/backends/kind/manifests.js";
import {
  defaultKindOptions,
  milvusImageTag,
  parseMilvusVersion,
  validateKindOptions,
} from "../src/backends/kind/options.js";
import { renderPlanFiles } from "../src/backends/kind/plan.js";

const validator = loadCrdValidator();
const base = defaultKindOptions();
const VERSIONS = ["2.6.6", "v2.6.6", "v2.6.16", "2.6.22", "v2.6.22", "v3.0.0", "3.0.0"];

// biome-ignore lint/suspicious/noExplicitAny: tests reach into CRs by arbitrary paths to break them.
type Obj = Record<string, any>;
const clone = (cr: MilvusCr): Obj => structuredClone(cr) as Obj;

describe("Milvus CRs against the operator's CRD (strict, like the API server)", () => {
  for (const mode of ["standalone", "cluster"] as const) {
    for (const version of VERSIONS) {
      for (const role of ["source", "target"] as const) {
        it(`${mode} ${version} ${role} is accepted`, () => {
          const cr = renderMilvusCr({ ...base, mode, milvusVersion: version }, role);
          expect(validator.validate(cr)).toEqual([]);
        });
      }
    }
  }

  it("every CR in the plan files (upgrade plans included) is accepted", () => {
    for (const opts of [
      base,
      { ...base, mode: "cluster" as const, upgradeFrom: "2.6.16", upgradeTo: "v2.6.22" },
    ]) {
      const files = renderPlanFiles(opts);
      const docs = ["source.yaml", "target.yaml"].flatMap((f) =>
        parseAllDocuments(files[f] ?? "").map((d) => d.toJS()),
      );
      const crs = docs.filter((d) => d.kind === "Milvus");
      expect(crs).toHaveLength(2);
      for (const cr of crs) expect(validator.validate(cr)).toEqual([]);
    }
  });

  it("rejects a misspelt field at any depth", () => {
    const cr = clone(renderMilvusCr(base, "source"));
    cr.spec.components.cdc.replica = 1;
    expect(validator.validate(cr)).toEqual([
      "/spec/components/cdc: must NOT have additional properties 'replica'",
    ]);
    const deep = clone(renderMilvusCr(base, "target"));
    deep.spec.dependencies.etcd.inCluster.deletionPolicyy = "Delete";
    expect(validator.validate(deep)).toEqual([
      "/spec/dependencies/etcd/inCluster: must NOT have additional properties 'deletionPolicyy'",
    ]);
    const top = clone(renderMilvusCr(base, "target"));
    top.spec.dependancies = {};
    expect(validator.validate(top)).toEqual(["/spec: must NOT have additional properties 'dependancies'"]);
  });

  it("rejects wrong types and values", () => {
    const cr = clone(renderMilvusCr(base, "source"));
    cr.spec.components.cdc.replicas = "1";
    cr.spec.dependencies.msgStreamType = "woodpeckr";
    cr.spec.mode = "distributed";
    expect(validator.validate(cr).sort()).toEqual(
      [
        "/spec/components/cdc/replicas: must be integer",
        "/spec/dependencies/msgStreamType: must be equal to one of the allowed values",
        "/spec/mode: must be equal to one of the allowed values",
      ].sort(),
    );
    const wrongKind = clone(renderMilvusCr(base, "source"));
    wrongKind.apiVersion = "milvus.io/v1alpha2";
    expect(validator.validate(wrongKind)).toEqual(["/apiVersion: must be equal to constant"]);
    const badName = clone(renderMilvusCr(base, "source"));
    badName.metadata.name = "Primary_1";
    expect(validator.validate(badName)[0]).toMatch(/^\/metadata\/name: must match pattern/);
  });

  it("treats int-or-string as integer or string, and keeps preserve-unknown-fields open", () => {
    const cr = clone(renderMilvusCr(base, "source"));
    cr.spec.components.cdc.resources.requests.cpu = 1;
    cr.spec.components.cdc.resources.limits = { memory: "1Gi" };
    cr.spec.config.anything = { goes: ["here"] };
    cr.spec.dependencies.etcd.inCluster.values.whatever = { nested: true };
    expect(validator.validate(cr)).toEqual([]);
    cr.spec.components.cdc.resources.requests.cpu = true;
    expect(validator.validate(cr).length).toBeGreaterThan(0);
  });

  it("closes objects that list properties unless they preserve unknown fields", () => {
    const s = strictify({
      type: "object",
      properties: {
        a: { type: "object", properties: { b: { type: "string" } } },
        c: {
          type: "object",
          properties: { d: { type: "string" } },
          "x-kubernetes-preserve-unknown-fields": true,
        },
        e: { "x-kubernetes-int-or-string": true },
        m: { type: "object", additionalProperties: { type: "string" } },
      },
    }) as Obj;
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.a.additionalProperties).toBe(false);
    expect(s.properties.c.additionalProperties).toBeUndefined();
    expect(s.properties.e).toEqual({ anyOf: [{ type: "integer" }, { type: "string" }] });
    expect(s.properties.m.additionalProperties).toEqual({ type: "string" });
  });

  it("the operator's own CDC samples validate (the validator does not reject what the operator ships)", () => {
    for (const f of ["milvus_cdc.yaml", "milvus_cluster_cdc.yaml"]) {
      const cr = parseAllDocuments(readFileSync(join("fixtures", "operator", f), "utf8"))[0]?.toJS();
      expect(validator.validate(cr)).toEqual([]);
    }
  });
});

describe("rendered CRs carry what CDC needs", () => {
  it("source runs one CDC replica, target none; same image; woodpecker; one etcd; standalone MinIO", () => {
    const o = { ...base, milvusVersion: "2.6.16" };
    const src = clone(renderMilvusCr(o, "source"));
    const tgt = clone(renderMilvusCr(o, "target"));
    expect(src.spec.components.cdc.replicas).toBe(1);
    expect(tgt.spec.components.cdc).toBeUndefined();
    expect(src.spec.components.image).toBe("milvusdb/milvus:v2.6.16");
    expect(tgt.spec.components.image).toBe(src.spec.components.image);
    for (const cr of [src, tgt]) {
      expect(cr.spec.dependencies.msgStreamType).toBe("woodpecker");
      expect(cr.spec.dependencies.etcd.inCluster.values.replicaCount).toBe(1);
      expect(cr.spec.dependencies.storage.inCluster.values.mode).toBe("standalone");
      expect(cr.metadata.namespace).toBe(base.namespace);
    }
    expect(src.metadata.name).toBe(base.sourceName);
    expect(tgt.metadata.name).toBe(base.targetName);
  });

  it("both clusters' requests fit a 4-CPU / 16 GB runner with room for the operator and kind", () => {
    const cpu = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q));
    const mem = (q: string) => Number(q.replace(/Mi$/, "")) / 1024 || Number(q.replace(/Gi$/, ""));
    for (const mode of ["standalone", "cluster"] as const) {
      let c = 0;
      let m = 0;
      for (const role of ["source", "target"] as const) {
        const cr = clone(renderMilvusCr({ ...base, mode }, role));
        const comps = cr.spec.components;
        const perComponent = comps.resources?.requests;
        const names =
          mode === "standalone"
            ? ["standalone"]
            : ["mixCoord", "proxy", "queryNode", "dataNode", "streamingNode"];
        for (const n of names) {
          const r = comps[n].resources?.requests ?? perComponent;
          c += cpu(r.cpu) * comps[n].replicas;
          m += mem(r.memory) * comps[n].replicas;
        }
        if (comps.cdc) {
          c += cpu(comps.cdc.resources.requests.cpu);
          m += mem(comps.cdc.resources.requests.memory);
        }
        for (const dep of [cr.spec.dependencies.etcd, cr.spec.dependencies.storage]) {
          c += cpu(dep.inCluster.values.resources.requests.cpu);
          m += mem(dep.inCluster.values.resources.requests.memory);
        }
      }
      expect(c).toBeLessThan(2.5);
      expect(m).toBeLessThan(8);
    }
  });

  it("a star's CRs (primary + 2 standbys) are accepted, and starRequests is what the rendered CRs request", () => {
    const cpu = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
    const mem = (q: string) =>
      q.endsWith("Gi") ? Number(q.slice(0, -2)) * 1024 : Number(q.replace(/Mi$/, ""));
    for (const mode of ["standalone", "cluster"] as const) {
      for (const cdcOnTarget of [false, true]) {
        const o = { ...base, mode };
        const crs = [
          renderMilvusCr(o, "source"),
          renderMilvusCr(o, "target", { cdc: cdcOnTarget }),
          renderMilvusCr(o, "target", { cdc: cdcOnTarget, name: o.extraTargetNames[0] as string }),
        ].map(clone);
        expect(crs.map((c) => c.metadata.name)).toEqual(["drill-primary", "drill-standby", "drill-second"]);
        let c = 0;
        let m = 0;
        for (const cr of crs) {
          expect(validator.validate(cr)).toEqual([]);
          const comps = cr.spec.components;
          for (const [name, v] of Object.entries(comps) as Array<[string, Obj]>) {
            if (name === "image" || name === "resources" || !v || v.replicas === 0) continue;
            const r = v.resources?.requests ?? comps.resources.requests;
            c += cpu(r.cpu) * v.replicas;
            m += mem(r.memory) * v.replicas;
          }
          for (const dep of [cr.spec.dependencies.etcd, cr.spec.dependencies.storage]) {
            c += cpu(dep.inCluster.values.resources.requests.cpu);
            m += mem(dep.inCluster.values.resources.requests.memory);
          }
        }
        expect(starRequests(mode, 2, cdcOnTarget)).toEqual({ cpuMillis: c, memoryMi: m });
      }
    }
    // The arithmetic the report quotes: three standalone CRs, CDC on the primary only.
    expect(starRequests("standalone", 2, false)).toEqual({ cpuMillis: 1100, memoryMi: 3884 });
    expect(starRequests("cluster", 2, false)).toEqual({ cpuMillis: 1100, memoryMi: 4652 });
  });
});

describe("version and name options", () => {
  it("accepts releases with or without v and tags them with v", () => {
    expect(VERSIONS.map(milvusImageTag)).toEqual([
      "v2.6.6",
      "v2.6.6",
      "v2.6.16",
      "v2.6.22",
      "v2.6.22",
      "v3.0.0",
      "v3.0.0",
    ]);
  });

  it.each([
    [
      "2.6.5",
      "milvusVersion: '2.6.5' has no built-in CDC (allowed: v2.6.6 or newer; the CDC setup docs recommend v2.6.16+)",
    ],
    [
      "v2.5.14",
      "milvusVersion: 'v2.5.14' has no built-in CDC (allowed: v2.6.6 or newer; the CDC setup docs recommend v2.6.16+)",
    ],
    [
      "latest",
      "milvusVersion: 'latest' is not a Milvus release (allowed: MAJOR.MINOR.PATCH with optional leading v, e.g. v2.6.22; no -gpu/-rc suffix)",
    ],
    [
      "v2.6.22-gpu",
      "milvusVersion: 'v2.6.22-gpu' is not a Milvus release (allowed: MAJOR.MINOR.PATCH with optional leading v, e.g. v2.6.22; no -gpu/-rc suffix)",
    ],
  ])("refuses milvus version %s", (v, msg) => {
    expect(() => parseMilvusVersion(v)).toThrow(msg);
  });

  it.each([
    [
      { operatorVersion: "1.3.3" },
      "operatorVersion: '1.3.3' does not know the CDC component (allowed: 1.3.4 or newer)",
    ],
    [{ sourceName: "a", targetName: "ab" }, "sourceName/targetName: 'a' and 'ab' contain each other"],
    [{ sourceName: "same", targetName: "same" }, "contain each other"],
    [{ sourceName: "Primary" }, "sourceName: 'Primary' is not a valid name"],
    [{ namespace: "milvus-operator" }, "namespace: 'milvus-operator' is the operator's own namespace"],
    [
      { upgradeFrom: "2.6.16", upgradeTo: null },
      "upgradeFrom/upgradeTo: '2.6.16' -> '' (allowed: both set or both empty)",
    ],
    [{ readyTimeoutMs: 0 }, "readyTimeoutMs: '0' is not a timeout"],
  ])("refuses %j", (bad, msg) => {
    expect(() => validateKindOptions({ ...base, ...bad })).toThrow(msg);
  });

  it("accepts the defaults", () => {
    expect(() => validateKindOptions(base)).not.toThrow();
  });
});

describe("seams for scenarios", () => {
  it("a version gate is refused in one line naming the version needed", async () => {
    const { requireMilvusVersion, defaultKindOptions } = await import("../src/backends/kind/options.js");
    const o = { ...defaultKindOptions(), milvusVersion: "v2.6.11" };
    expect(() => requireMilvusVersion(o, "2.6.14", "scenario failover")).toThrow(
      "scenario failover needs Milvus v2.6.14 or newer (milvusVersion is v2.6.11); set milvusVersion to v2.6.14 or later",
    );
    expect(() => requireMilvusVersion({ ...o, milvusVersion: "v2.6.22" }, "2.6.14", "x")).not.toThrow();
    const up = { ...o, milvusVersion: "v2.6.22", upgradeFrom: "v2.6.22", upgradeTo: "v2.6.12" };
    expect(() => requireMilvusVersion(up, "2.6.14", "scenario failover")).toThrow(/upgradeTo is v2\.6\.12/);
  });

  it("CDC on the standby too, when a scenario asks, still matches the CRD", async () => {
    const { renderPlanFiles } = await import("../src/backends/kind/plan.js");
    const { defaultKindOptions } = await import("../src/backends/kind/options.js");
    const { parse } = await import("yaml");
    const target = parse(renderPlanFiles(defaultKindOptions(), { cdcOnTarget: true })["target.yaml"] ?? "");
    expect(target.spec.components.cdc).toMatchObject({ replicas: 1 });
    expect(loadCrdValidator().validate(target)).toEqual([]);
    const plain = parse(renderPlanFiles(defaultKindOptions())["target.yaml"] ?? "");
    expect(plain.spec.components.cdc).toBeUndefined();
  });
});
