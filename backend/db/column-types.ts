import type { ColumnType } from 'kysely';

// Column types shared by the domains' table types. pg returns numeric and bigint as strings.
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** Set by the database on insert, never updated. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** Defaulted on insert, may be set on update. */
export type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type Numeric = ColumnType<string, number | string, number | string>;
export type BigInt = ColumnType<string, number | string | bigint, number | string | bigint>;
/** A jsonb column written as a JSON string. */
export type Json<T> = ColumnType<T, string, string>;
