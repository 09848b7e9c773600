/**
 * The local backend's limits that Milvus's own CDC suite runs into, in one place: the README's "Where
 * the local backend differs from Milvus" lists each of them (a test holds them equal), and the
 * conformance script (scripts/conformance.ts) deselects the suite's tests that need one, printing the
 * reason. At run time each is also answered with a one-line refusal, never silently.
 */
export interface LocalLimit {
  id: string;
  /** The README line (without the leading "- "). */
  readme: string;
  /** What the conformance script prints for a deselected test. */
  reason: string;
  /** Whether a test of the suite needs this: from its file name, its fixtures and its body. */
  needs(test: { file: string; name: string; fixtures: string[]; body: string }): boolean;
}

const LITE_LACKS_VECTOR =
  /FLOAT16_VECTOR|BFLOAT16_VECTOR|BINARY_VECTOR|INT8_VECTOR|create_comprehensive_(manual_id_)?schema/;

export const LOCAL_LIMITS: readonly LocalLimit[] = [
  {
    id: "kubernetes",
    readme:
      "Faults on Milvus's own pods (container or pod kills through kubectl / Chaos Mesh) need the kind backend; locally the CDC is the reference replicator process (`kill-cdc` SIGKILLs it).",
    reason: "needs Kubernetes: kills Milvus pods through kubectl (kind backend)",
    needs: (t) =>
      t.fixtures.some((f) => f === "kubectl_helper" || f === "milvus_ns") || /kubectl/.test(t.body),
  },
  {
    id: "vector-types",
    readme:
      "Float16, bfloat16, int8 and binary vectors need the kind backend (Milvus Lite does not store them).",
    reason: "uses float16/bfloat16/int8/binary vectors, which Milvus Lite does not store (kind backend)",
    needs: (t) => LITE_LACKS_VECTOR.test(t.body),
  },
  {
    id: "schema-evolution",
    readme:
      "Schema evolution (`add_collection_field`, collection functions) is refused with one line naming the limit: Milvus Lite cannot change a collection's schema.",
    reason: "changes a collection's schema (add_collection_field), which Milvus Lite cannot do",
    needs: (t) => /add_collection_field|add_collection_function|alter_collection_function/.test(t.body),
  },
];
