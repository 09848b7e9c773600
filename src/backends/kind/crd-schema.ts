/**
 * Validates Milvus CRs against the operator's CRD the way the API server does with strict field
 * validation (kubectl apply's default since Kubernetes 1.27): the CRD never says
 * `additionalProperties: false`, yet an unknown field is an error on the server. So every object
 * schema that lists `properties` is closed here unless it preserves unknown fields, and
 * `x-kubernetes-int-or-string` means integer or string.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { packageRoot } from "../../util/paths.js";
import type { ChaosResource } from "./chaos.js";

export function crdPath(): string {
  return join(packageRoot(), "fixtures", "operator", "milvus.io_milvuses.yaml");
}

type Schema = { [k: string]: unknown };

function isObject(v: unknown): v is Schema {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Rewrites one openAPIV3Schema node into plain JSON Schema with the API server's strictness. */
export function strictify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictify);
  if (!isObject(node)) return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith("x-kubernetes-")) continue;
    if (k === "properties" && isObject(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strictify(s)]));
    } else {
      out[k] = strictify(v);
    }
  }
  if (node["x-kubernetes-int-or-string"] === true) {
    delete out.type;
    if (!out.anyOf) out.anyOf = [{ type: "integer" }, { type: "string" }];
  }
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
  if (isObject(node.properties) && !preserve && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

// Names the operator builds Services from must be DNS-1035 labels; the CRD leaves metadata open.
const metadataSchema = {
  type: "object",
  required: ["name"],
  properties: {
    name: { type: "string", pattern: "^[a-z]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 },
    namespace: { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength: 63 },
    labels: { type: "object", additionalProperties: { type: "string" } },
    annotations: { type: "object", additionalProperties: { type: "string" } },
  },
};

export interface CrdValidator {
  /** Empty when valid; otherwise one line per problem: "<json path>: <message>". */
  validate(cr: unknown): string[];
}

let cached: CrdValidator | null = null;

export function loadCrdValidator(path = crdPath(), version = "v1beta1"): CrdValidator {
  if (cached && path === crdPath() && version === "v1beta1") return cached;
  const docs = parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as Schema);
  const crd = docs.find((d) => d?.kind === "CustomResourceDefinition");
  const spec = crd?.spec as Schema | undefined;
  const versions = (spec?.versions as Schema[] | undefined) ?? [];
  const v = versions.find((x) => x.name === version);
  const raw = (v?.schema as Schema | undefined)?.openAPIV3Schema;
  if (!isObject(raw)) throw new Error(`${path}: no openAPIV3Schema for version ${version}`);
  const group = String(spec?.group ?? "");
  const kind = String((spec?.names as Schema | undefined)?.kind ?? "");
  const schema = strictify(raw) as Schema;
  const props = schema.properties as Schema;
  props.apiVersion = { const: `${group}/${version}` };
  props.kind = { const: kind };
  props.metadata = metadataSchema;
  schema.required = ["apiVersion", "kind", "metadata", "spec"];
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const fn: ValidateFunction = ajv.compile(schema);
  const validator: CrdValidator = {
    validate(cr: unknown): string[] {
      if (fn(cr)) return [];
      return (fn.errors ?? []).map((e) => {
        const where = e.instancePath || "/";
        const extra =
          e.keyword === "additionalProperties"
            ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'`
            : "";
        return `${where}: ${e.message ?? e.keyword}${extra}`;
      });
    },
  };
  if (path === crdPath() && version === "v1beta1") cached = validator;
  return validator;
}

// Chaos Mesh resources are validated here, beside the validator, and not in chaos.ts: the Action's
// bundle reaches chaos.ts through the kind backend, and Ajv's compiled validators require its runtime
// modules from node_modules, which a runner does not have (test/action-build.test.ts, "needs no package").
/** The Chaos Mesh CRDs this project keeps (fixtures/chaos-mesh, copied from the v2.8.3 chart). */
export function chaosCrdPath(kind: ChaosResource["kind"]): string {
  return join(packageRoot(), "fixtures", "chaos-mesh", `chaos-mesh.org_${kind.toLowerCase()}.yaml`);
}

/** Problems of a chaos resource against its CRD, strict like the API server (empty when valid). */
export function validateChaos(r: ChaosResource, dir?: string): string[] {
  const path = dir ? join(dir, `chaos-mesh.org_${r.kind.toLowerCase()}.yaml`) : chaosCrdPath(r.kind);
  let v = validators.get(path);
  if (!v) {
    v = loadCrdValidator(path, "v1alpha1");
    validators.set(path, v);
  }
  return v.validate(r);
}
const validators = new Map<string, CrdValidator>();
