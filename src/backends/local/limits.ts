/**
 * The local backend's limits that Milvus's own CDC suite runs into, in one place: the README's "Where
 * the local backend differs from Milvus" lists each of them (a test holds them equal), and the
 * conformance script (scripts/conformance.ts) deselects the suite's tests that need one, printing the
 * reason. At run time each is also answered with a one-line refusal, never silently.
 */
export interface SuiteTest {
  file: string;
  name: string;
  fixtures: string[];
  body: string;
  params?: string;
}

export interface LocalLimit {
  id: string;
  /** The README line (without the leading "- "). */
  readme: string;
  /** What the conformance script prints for a deselected test. */
  reason: string;
  /**
   * Whether a test of the suite needs this: from its file name, its fixtures, its body and the
   * parameters pytest put in its id (`test_x[FLOAT16_VECTOR_HNSW]` -> `FLOAT16_VECTOR_HNSW`).
   */
  needs(test: SuiteTest): boolean;
}

const LITE_LACKS_VECTOR =
  /FLOAT16_VECTOR|BFLOAT16_VECTOR|BINARY_VECTOR|INT8_VECTOR|create_comprehensive_(manual_id_)?schema/;

/** An analyzer type or tokenizer other than those text-analysis.ts runs (or leaves to Milvus Lite). */
const OTHER_ANALYZER =
  /["'](?:type|tokenizer)["']\s*:\s*["'](?!standard["']|english["']|jieba["']|stop["']|stemmer["']|lowercase["'])\w+["']/;

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
    needs: (t) => LITE_LACKS_VECTOR.test(t.body) || LITE_LACKS_VECTOR.test(t.params ?? ""),
  },
  {
    id: "schema-evolution",
    readme:
      "Collection functions cannot be added, altered or dropped on an existing collection (`add_collection_function`, `alter_collection_function`, `drop_collection_function`): each is refused with one line naming the limit, since Milvus Lite cannot change a collection's functions. (`add_collection_field` is served: see below.)",
    reason:
      "changes an existing collection's functions (add/alter/drop_collection_function), which Milvus Lite cannot do",
    needs: (t) => /\b(add|alter|drop)_collection_function\(/.test(t.body),
  },
  {
    id: "analyzers",
    readme:
      "Text analyzers: `standard`, `english`, the `jieba` tokenizer, and custom ones of the standard tokenizer with the `lowercase`, English `stemmer` and `stop` filters are run as Milvus runs them (the front runs those Milvus Lite does not, see below); any other is refused at `create_collection` with one line naming the limit.",
    reason: "uses a text analyzer the local backend does not run (kind backend)",
    needs: (t) => /analyzer_params/.test(t.body) && OTHER_ANALYZER.test(t.body),
  },
  {
    id: "query-nodes",
    readme:
      "Moving query nodes or replicas between resource groups (`transfer_node`, `transfer_replica`) needs the kind backend: the local backend has no query nodes, so each answers one line naming that. Resource groups themselves are kept by the front as Milvus keeps their configuration (create, update, drop, list, describe; every group holds 0 nodes), per cluster as on Milvus: never replicated, and taken on a standby as on a primary.",
    reason:
      "moves query nodes or replicas between resource groups; the local backend has none (kind backend)",
    needs: (t) => /\btransfer_(node|replica)\(/.test(t.body),
  },
  {
    id: "import",
    readme:
      "Bulk import is not served: it reads files from object storage (MinIO), which the local backend has none of, and Milvus Lite does not implement `Import`.",
    reason:
      "bulk-imports files staged in object storage (MinIO), which the local backend has none of (kind backend)",
    needs: (t) => /Import2PCChecker|\bbulk_import\(|\bdo_bulk_insert\(|\bcommit_import\(/.test(t.body),
  },
];
