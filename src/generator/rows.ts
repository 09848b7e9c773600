import { base, en, Faker } from "@faker-js/faker";
import { DataType, type FieldType, type RowData } from "@zilliz/milvus2-sdk-node";
import type { DrillConfig } from "../config/schema.js";
import { hashString, Mulberry32Randomizer, mixSeed, Rng } from "./prng.js";
import { PK_FIELD } from "./reserved.js";

export type CollectionSpec = DrillConfig["workload"]["collections"][number];
export type RowValue = RowData;

/** Field names shared by every drill collection: checkers and verify rely on `pk` and `ver`. */
export { PK_FIELD };
export const VER_FIELD = "ver";
export const VECTOR_FIELD = "vec";

/**
 * The schema of a drill collection: realistic scalar fields next to the vector, so a replication
 * bug in any type (VARCHAR, DOUBLE, ARRAY, JSON, dynamic fields, the vector) shows up in parity.
 */
export function collectionFields(spec: CollectionSpec, added: readonly FieldType[] = []): FieldType[] {
  const vector: FieldType = { name: VECTOR_FIELD, data_type: vectorDataType(spec.vectorType) };
  if (spec.vectorType !== "sparse") vector.dim = spec.dim;
  const category: FieldType = { name: "category", data_type: DataType.VarChar, max_length: 64 };
  if (spec.partitionKey) category.is_partition_key = true;
  return [
    { name: PK_FIELD, data_type: DataType.Int64, is_primary_key: true, autoID: spec.autoId ?? false },
    { name: VER_FIELD, data_type: DataType.Int64 },
    { name: "title", data_type: DataType.VarChar, max_length: 256 },
    category,
    { name: "price", data_type: DataType.Double },
    {
      name: "tags",
      data_type: DataType.Array,
      element_type: DataType.VarChar,
      max_capacity: 8,
      max_length: 64,
    },
    { name: "meta", data_type: DataType.JSON },
    vector,
    ...added,
  ];
}

/**
 * A field add_collection_field appends mid-drill (workload trigger addField): nullable, as Milvus
 * requires of an added field, so rows written before it (or planned before its add was acknowledged)
 * hold null there on both sides.
 */
export function addedField(name: string): FieldType {
  return { name, data_type: DataType.VarChar, max_length: 64, nullable: true };
}

export function vectorDataType(t: CollectionSpec["vectorType"]): DataType {
  switch (t) {
    case "float":
      return DataType.FloatVector;
    case "float16":
      return DataType.Float16Vector;
    case "bfloat16":
      return DataType.BFloat16Vector;
    case "binary":
      return DataType.BinaryVector;
    case "sparse":
      return DataType.SparseFloatVector;
  }
}

/** A mustache pattern over Faker's definitions, split once: literal text and the word lists to draw from. */
type Template = Array<string | readonly string[]>;

function compileTemplate(pattern: string, definitions: Record<string, unknown>): Template {
  return pattern.split(/\{\{([^}]+)\}\}/).map((part, i) => {
    if (i % 2 === 0) return part;
    const words = part.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], definitions);
    if (!Array.isArray(words)) throw new Error(`faker pattern '${pattern}': '${part}' is not a word list`);
    return words as string[];
  });
}

const ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Generates rows as a pure function of (seed, collection, pk, ver). One Faker instance is re-seeded
 * per row, which keeps the model O(keys): any row can be regenerated from the history.
 */
export class RowFactory {
  private readonly randomizer = new Mulberry32Randomizer();
  private readonly faker = new Faker({ locale: [en, base], randomizer: this.randomizer });
  private readonly collectionHash: number;

  constructor(
    private readonly seed: number,
    private readonly spec: CollectionSpec,
  ) {
    this.collectionHash = hashString(spec.name);
  }

  /** Whether row() can write this collection's vectors into a caller's Float32Array (see `vec` there). */
  get floatVectors(): number {
    return this.spec.vectorType === "float" ? this.spec.dim : 0;
  }

  /**
   * `vec`: for float vectors, a Float32Array of `dim` values (usually a view into one buffer per batch)
   * that becomes the row's vector, so a batch allocates one buffer instead of a boxed array per row.
   * The values are the same either way.
   */
  row(pk: number, ver: number, vec?: Float32Array): RowValue {
    const rowSeed = mixSeed(this.seed, this.collectionHash, pk, ver);
    const f = this.faker;
    f.seed(rowSeed);
    const row: RowValue = {
      [PK_FIELD]: pk,
      [VER_FIELD]: ver,
      title: this.productName(),
      category: f.commerce.department(),
      price: Number(f.commerce.price({ min: 1, max: 2000, dec: 2 })),
      tags: f.helpers.arrayElements([f.color.human(), f.commerce.productMaterial(), f.word.adjective()], {
        min: 1,
        max: 3,
      }),
      meta: {
        brand: this.companyName(),
        rating: f.number.float({ min: 0, max: 5, fractionDigits: 1 }),
        stock: f.number.int({ max: 500 }),
        sku: this.alphanumeric(10),
      },
      [VECTOR_FIELD]:
        vec && this.spec.vectorType === "float"
          ? this.fillFloats(mixSeed(rowSeed, 0x5eed), vec)
          : this.vector(new Rng(mixSeed(rowSeed, 0x5eed))),
    };
    if (this.spec.dynamicField) row.origin = f.location.country();
    // Fields added mid-drill: a value drawn after every other, so rows without them stay as they were.
    for (const name of this.added) row[name] = `${name}-${this.alphanumeric(8)}`;
    return row;
  }

  /** Fields added by add_collection_field (acknowledged): rows planned from now on carry a value. */
  readonly added: string[] = [];

  // Faker's productName, company.name and string.alphanumeric fill in mustache templates (or build a
  // character table) on every call: together more than half the cost of a row. These draw from the same
  // vocabulary with the same seeded randomizer, without the template engine.
  private productName(): string {
    const f = this.faker;
    const words = f.definitions.commerce.product_name;
    return `${f.helpers.arrayElement(words.adjective)} ${f.helpers.arrayElement(words.material)} ${f.helpers.arrayElement(words.product)}`;
  }

  /** Faker's lastName: a weighted pattern of generic last names ("Hayes", sometimes "Hayes-Osinski"). */
  private lastName(): string {
    const f = this.faker;
    const pattern = f.helpers.weightedArrayElement(
      (f.definitions.person.last_name_pattern as { generic: Array<{ value: string; weight: number }> })
        .generic,
    );
    let parts = this.templates.get(pattern);
    if (!parts) {
      parts = compileTemplate(pattern, f.definitions as unknown as Record<string, unknown>);
      this.templates.set(pattern, parts);
    }
    let out = "";
    for (const p of parts) out += typeof p === "string" ? p : f.helpers.arrayElement(p);
    return out;
  }
  private readonly templates = new Map<string, Template>();

  private companyName(): string {
    const f = this.faker;
    const last = () => this.lastName();
    switch (f.number.int(2)) {
      case 0:
        return `${last()} - ${last()}`;
      case 1:
        return `${last()} ${f.helpers.arrayElement(f.definitions.company.legal_entity_type as readonly string[])}`;
      default:
        return `${last()}, ${last()} and ${last()}`;
    }
  }

  private alphanumeric(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += ALPHANUMERIC[Math.floor(this.randomizer.next() * ALPHANUMERIC.length)];
    return s;
  }

  private vector(rng: Rng): number[] | Record<number, number> {
    const { dim, vectorType } = this.spec;
    switch (vectorType) {
      case "binary": {
        const bytes: number[] = new Array(dim / 8);
        for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
        return bytes;
      }
      case "sparse": {
        const out: Record<number, number> = {};
        const nnz = 4 + rng.int(8);
        for (let i = 0; i < nnz; i++) out[rng.int(dim)] = Math.fround(rng.float() + 0.01);
        return out;
      }
      default: {
        const v: number[] = new Array(dim);
        // fround: what is sent is exactly what float32 storage keeps, so parity can compare bit for bit.
        for (let i = 0; i < dim; i++) v[i] = Math.fround(rng.float() * 2 - 1);
        return v;
      }
    }
  }

  private readonly vecRandomizer = new Mulberry32Randomizer();

  /** The "float" case of vector(), stored into float32 directly (a float32 store is Math.fround). */
  private fillFloats(seed: number, out: Float32Array): Float32Array {
    const r = this.vecRandomizer;
    r.seed(seed);
    for (let i = 0; i < out.length; i++) out[i] = r.next() * 2 - 1;
    return out;
  }

  /** A query vector for search parity, seeded independently of the rows. */
  queryVector(i: number): number[] | Record<number, number> {
    return this.vector(new Rng(mixSeed(this.seed, this.collectionHash, 0x9e37, i)));
  }
}
