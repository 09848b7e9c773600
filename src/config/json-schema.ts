/**
 * The published JSON schema of a config file (schema/drill-config.schema.json), for editors and for
 * users who validate configs in their own CI. A file may leave out anything its profile provides, so
 * the file schema is the drill schema made optional at every level except inside lists (lists
 * replace rather than merge); unknown keys stay errors.
 */
import { z } from "zod";
import { DrillConfigSchema } from "./schema.js";

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

function withMeta<T extends z.ZodType>(from: z.ZodType, to: T): T {
  const meta = z.globalRegistry.get(from);
  return meta ? (to.meta(meta) as T) : to;
}

/** Optional at every object level; defaults, pipes and list items are kept as they are. */
function optionalDeep(schema: z.ZodType): z.ZodType {
  const def = (schema as unknown as { _zod: { def: Def } })._zod.def;
  if (def.type === "object" && def.shape) {
    const shape = Object.fromEntries(
      Object.entries(def.shape).map(([k, v]) => [k, optionalDeep(v).optional()]),
    );
    return withMeta(schema, z.strictObject(shape));
  }
  if (def.type === "nullable" && def.innerType)
    return withMeta(schema, optionalDeep(def.innerType).nullable());
  return schema;
}

export function drillConfigJsonSchema(): Record<string, unknown> {
  const json = z.toJSONSchema(optionalDeep(DrillConfigSchema), { io: "input", target: "draft-2020-12" });
  return {
    $schema: json.$schema,
    title: "milvus-cdc-drill configuration",
    description:
      "A drill config file. Settings merge over the chosen profile (smoke, default, soak, kind-types); flags override the file. Durations are milliseconds or strings like 30s, 2m, 1h.",
    ...json,
  };
}

/** The exact text of schema/drill-config.schema.json. */
export function drillConfigJsonSchemaText(): string {
  return `${JSON.stringify(drillConfigJsonSchema(), null, 2)}\n`;
}
