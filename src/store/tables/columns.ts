import { bigint, customType, timestamp } from 'drizzle-orm/pg-core'

// Column shapes every table repeats: an identity key, a timestamptz read as a Date, raw bytes.
export const id = () => bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity()
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => Buffer.from(v),
})
