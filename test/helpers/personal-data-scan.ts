/**
 * Searches everything a test's database and Redis prefix hold for a customer's personal data
 * (their number, name, texts). Every table and column is found through the catalogue, so a
 * table added later is searched without changing the test.
 */
import { sql } from 'drizzle-orm'
import type { Redis } from 'ioredis'
import { queryRows, type Database } from '../../src/store/index.js'

export interface Finding {
  where: string
  needle: string
}

export interface DatabaseScan {
  /** `schema.table.column` of every column searched. */
  columns: string[]
  findings: Finding[]
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Every column of every user table whose values can hold text: text, json, bytea, arrays and the rest as text. */
export async function scanDatabase(database: Database, needles: readonly string[]): Promise<DatabaseScan> {
  const columns = await queryRows<{ table_schema: string; table_name: string; column_name: string; data_type: string }>(
    database.db,
    sql`select c.table_schema, c.table_name, c.column_name, c.data_type
        from information_schema.columns c join information_schema.tables t
          on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema not in ('pg_catalog', 'information_schema')
          and c.data_type not in ('bigint', 'integer', 'smallint', 'boolean', 'numeric', 'real', 'double precision',
                                  'timestamp with time zone', 'timestamp without time zone', 'date')
        order by 1, 2, 3`,
  )
  const findings: Finding[] = []
  for (const c of columns) {
    const column = `t.${quoted(c.column_name)}`
    const contains = c.data_type === 'bytea'
      ? sql.raw(`position(convert_to(n, 'UTF8') in ${column}) > 0`)
      : sql.raw(`position(n in ${column}::text) > 0`)
    const found = await queryRows<{ n: string }>(
      database.db,
      sql`select n from unnest(${sql.param([...needles])}::text[]) as n
          where exists (select 1 from ${sql.raw(`${quoted(c.table_schema)}.${quoted(c.table_name)}`)} t where ${contains})`,
    )
    for (const f of found) findings.push({ where: `${c.table_schema}.${c.table_name}.${c.column_name}`, needle: f.n })
  }
  return { columns: columns.map((c) => `${c.table_schema}.${c.table_name}.${c.column_name}`), findings }
}

export interface RedisScan {
  keys: number
  findings: Finding[]
}

/** Every key under `prefix`, its name and every value in it, whatever the key's type. */
export async function scanRedis(client: Redis, prefix: string, needles: readonly string[]): Promise<RedisScan> {
  const findings: Finding[] = []
  let keys = 0
  for await (const batch of client.scanStream({ match: `${prefix}*`, count: 500 })) {
    for (const key of batch as string[]) {
      keys++
      const text = `${key}\n${(await valuesOf(client, key)).join('\n')}`
      for (const needle of needles) if (text.includes(needle)) findings.push({ where: key, needle })
    }
  }
  return { keys, findings }
}

async function valuesOf(client: Redis, key: string): Promise<string[]> {
  switch (await client.type(key)) {
    case 'string':
      return [(await client.get(key)) ?? '']
    case 'hash':
      return Object.entries(await client.hgetall(key)).flat()
    case 'list':
      return client.lrange(key, 0, -1)
    case 'set':
      return client.smembers(key)
    case 'zset':
      return client.zrange(key, 0, -1)
    case 'stream':
      return (await client.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields])
    default:
      return []
  }
}
