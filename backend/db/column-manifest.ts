import type { SelectType } from 'kysely';

// Each domain declares, next to its table types, the PostgreSQL type of every column as a value, so
// the schema drift test can compare the types with the migrated database. `TableColumns<Tables>`
// makes the manifest name exactly the type's tables and columns, with a nullability and a
// PostgreSQL type that fit the column's TypeScript type.

/** PostgreSQL types (information_schema udt_name, arrays written `text[]`) a selected value may come from. */
type PgTypeOf<S> = unknown extends S
  ? 'jsonb'
  : S extends null
    ? never
    : S extends boolean
      ? 'bool'
      : S extends number
        ? 'int2' | 'int4'
        : S extends string
          ? 'text' | 'int8' | 'numeric'
          : S extends Date
            ? 'timestamptz' | 'date'
            : S extends Uint8Array
              ? 'bytea'
              : S extends readonly string[]
                ? 'text[]'
                : 'jsonb';

/** `unknown` (untyped jsonb) may be either; otherwise nullable exactly when the selected type has null. */
type IsNullable<S> = unknown extends S ? boolean : null extends S ? true : false;

type Spec<Pg extends string, Nullable> = Nullable extends true ? `${Pg} null` : Pg;

/** A column's PostgreSQL type, followed by ` null` when the column is nullable. */
export type ColumnSpec<C> = Spec<PgTypeOf<SelectType<C>>, IsNullable<SelectType<C>>>;

/** Every table of `Tables`, and every column of each, with its spec; no others. */
export type TableColumns<Tables> = {
  [Table in keyof Tables]-?: { [Column in keyof Tables[Table]]-?: ColumnSpec<Tables[Table][Column]> };
};

/** The manifests' value type, for reading them at run time. */
export type ColumnManifest = Record<string, Record<string, string>>;
