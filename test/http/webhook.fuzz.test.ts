import { sql } from 'drizzle-orm'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { WEBHOOK_BODY_LIMIT_BYTES } from '../../src/http/webhook.js'
import { queryRows } from '../../src/store/index.js'
import { deliveryPlan, type RenderedDelivery } from '../fixtures/webhook-fuzz.js'
import { ENGINES } from '../helpers/db.js'
import { signedPost, useWebhookApp } from '../helpers/webhook-app.js'

/** Deliveries per engine: ~1,000 in `npm test`, 10,000 in `npm run test:fuzz` (the nightly size). */
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 1_000)
/** Replays a failure: fast-check prints the seed (and path) of the case it shrank to. */
const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
/**
 * Deliveries posted at once: they meet in one group commit, so a hostile one must not fail
 * the others (and the run costs a quarter of the commits).
 */
const AT_ONCE = 4

/** `<prefix>.V<n>.<suffix>` → `<prefix>.V<n>` (the suffix is stored as the database keeps text); another id counts under itself. */
const keyOf = (wamid: string) => /^(F\d+x\.[VH]\d+)\./.exec(wamid)?.[1] ?? wamid

/**
 * Issue #8: signed deliveries mixing valid messages with hostile neighbours, posted through
 * the real app. For every one: no 5xx (the database is up, so not even the documented 503),
 * the process keeps answering, every valid message is committed exactly once, and the same
 * deliveries again add no message, contact or conversation.
 */
describe.each(ENGINES)('webhook fuzzing (%s)', (engine) => {
  const w = useWebhookApp(engine)

  /** Highest ids: rows are new when past them (cheaper than counting tables that keep growing). */
  const lastIds = async () =>
    (await queryRows<Record<string, string | null>>(
      w.database.db,
      sql`select (select max(id) from messages) as messages, (select max(id) from contacts) as contacts, (select max(id) from conversations) as conversations`,
    ))[0]!
  const storedSince = async (lastMessageId: string | null) =>
    (await queryRows<{ wamid: string }>(w.database.db, sql`select wamid from messages where id > ${lastMessageId ?? 0}`)).map((r) => r.wamid)

  const postAll = (deliveries: RenderedDelivery[]) => Promise.all(deliveries.map((d) => w.app.inject(signedPost(d.body))))

  it(`commits every valid message of ${FUZZ_RUNS} hostile deliveries exactly once`, async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.array(deliveryPlan, { minLength: AT_ONCE, maxLength: AT_ONCE }), async (plans) => {
        const deliveries = plans.map((p) => p.render(`F${++run}x`))
        const before = await lastIds()
        const answers = await postAll(deliveries)
        let accepted = 0
        for (const [i, res] of answers.entries()) {
          const tooLarge = Buffer.byteLength(deliveries[i]!.body) > WEBHOOK_BODY_LIMIT_BYTES
          expect(res.statusCode, res.body).toBe(tooLarge ? 413 : 200)
          if (!tooLarge) accepted += res.json<{ accepted: number }>().accepted
        }
        const stored = await storedSince(before.messages!)
        expect(accepted).toBe(stored.length)

        // Each valid message once, under its id as the database keeps text; any other at most once.
        const count = new Map<string, number>()
        for (const wamid of stored) count.set(keyOf(wamid), (count.get(keyOf(wamid)) ?? 0) + 1)
        for (const d of deliveries.filter((d) => Buffer.byteLength(d.body) <= WEBHOOK_BODY_LIMIT_BYTES)) {
          for (const wamid of d.valid) expect(count.get(keyOf(wamid)), `valid ${JSON.stringify(wamid)}`).toBe(1)
        }
        for (const [key, n] of count) expect(n, `stored once: ${JSON.stringify(key)}`).toBe(1)

        const after = await lastIds()
        for (const res of await postAll(deliveries)) {
          if (res.statusCode !== 413) expect(res.json()).toMatchObject({ accepted: 0 })
        }
        expect(await lastIds()).toEqual(after)
        expect((await w.app.inject({ url: '/healthz' })).statusCode).toBe(200)
      }),
      { numRuns: Math.ceil(FUZZ_RUNS / AT_ONCE), ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }) },
    )
  }, 120_000 + FUZZ_RUNS * 500)
})
