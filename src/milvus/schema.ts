/**
 * Milvus's schema messages as the project decodes them from protobuf (schema.proto: FieldSchema,
 * FunctionSchema, CollectionSchema; proto-loader keeps the proto's field names). One typing for every
 * reader: fields a reader does not need are simply optional. Unknown fields pass through untouched, so
 * a schema read, changed and re-encoded keeps what this typing does not name.
 */

/** common.KeyValuePair: type, index and function params. */
export interface KeyValuePair {
  key?: string;
  value?: string;
}

/** schema.FieldSchema. */
export interface FieldSchema {
  name?: string;
  data_type?: string;
  is_primary_key?: boolean;
  autoID?: boolean;
  nullable?: boolean;
  is_partition_key?: boolean;
  is_clustering_key?: boolean;
  is_function_output?: boolean;
  is_dynamic?: boolean;
  element_type?: string;
  type_params?: KeyValuePair[];
  default_value?: Record<string, unknown>;
  [k: string]: unknown;
}

/** schema.FunctionSchema (BM25 and other collection functions). */
export interface FunctionSchema {
  type?: string;
  input_field_names?: string[];
  output_field_names?: string[];
  [k: string]: unknown;
}

/** schema.CollectionSchema. */
export interface CollectionSchema {
  name?: string;
  autoID?: boolean;
  fields?: FieldSchema[];
  enable_dynamic_field?: boolean;
  functions?: FunctionSchema[];
  [k: string]: unknown;
}
