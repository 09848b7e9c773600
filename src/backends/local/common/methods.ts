/**
 * Which MilvusService methods change state, and where each one is ordered. Milvus orders a collection's
 * messages on the collection's pchannel; cluster-wide changes (databases, RBAC, flush-all) are put on
 * channel 0 here because Milvus broadcasts them and the local backend needs one place to order them.
 */

export const DML_METHODS = new Set(["Insert", "Delete", "Upsert"]);

/** Mutations naming one collection in `collection_name`. */
const COLLECTION_SCOPED = [
  "CreateCollection",
  "DropCollection",
  "LoadCollection",
  "ReleaseCollection",
  "AlterCollection",
  "AlterCollectionField",
  "AlterCollectionSchema",
  "AddCollectionField",
  "AddCollectionStructField",
  "AddCollectionFunction",
  "AlterCollectionFunction",
  "DropCollectionFunction",
  "TruncateCollection",
  "CreatePartition",
  "DropPartition",
  "LoadPartitions",
  "ReleasePartitions",
  "CreateAlias",
  "AlterAlias",
  "CreateIndex",
  "AlterIndex",
  "DropIndex",
  "Insert",
  "Delete",
  "Upsert",
  "Import",
] as const;

/**
 * Cluster-wide mutations (databases, RBAC, flush-all): ordered on channel 0. Resource groups are not
 * among them: they are per-cluster state the front keeps and never replicates (resource-groups.ts).
 */
const CLUSTER_SCOPED = [
  "FlushAll",
  "CreateDatabase",
  "DropDatabase",
  "AlterDatabase",
  "CreateCredential",
  "UpdateCredential",
  "DeleteCredential",
  "CreateRole",
  "AlterRole",
  "DropRole",
  "OperateUserRole",
  "OperatePrivilege",
  "OperatePrivilegeV2",
  "RestoreRBAC",
  "CreatePrivilegeGroup",
  "DropPrivilegeGroup",
  "OperatePrivilegeGroup",
  "AddUserTags",
  "DeleteUserTags",
  "CreateRowPolicy",
  "DropRowPolicy",
] as const;

/** Mutations with their own way of naming what they touch. */
const SPECIAL = ["DropAlias", "RenameCollection", "Flush"] as const;

export const COLLECTION_SCOPED_METHODS: ReadonlySet<string> = new Set(COLLECTION_SCOPED);
export const CLUSTER_SCOPED_METHODS: ReadonlySet<string> = new Set(CLUSTER_SCOPED);
export const MUTATING_METHODS: ReadonlySet<string> = new Set([
  ...COLLECTION_SCOPED,
  ...CLUSTER_SCOPED,
  ...SPECIAL,
]);

/**
 * Requests that carry secrets (passwords). A password must never land in a file: the WAL gets them with
 * the passwords blanked (rbac.ts walPayload), which is all the standby's RBAC store needs.
 */
export const SECRET_METHODS: ReadonlySet<string> = new Set(["CreateCredential", "UpdateCredential"]);

export function kindOf(method: string): "dml" | "ddl" {
  return DML_METHODS.has(method) ? "dml" : "ddl";
}
