import { afterEach, describe, expect, it } from 'vitest'
import pg from 'pg'
import { signBody } from '../../src/ingest/index.js'
import { startAtende, type AtendeProcess } from '../helpers/atende-process.js'
import { createTestDatabase, ENGINES, TEST_POSTGRES_URL } from '../helpers/db.js'
import { E2E_ADMIN_TOKEN, E2E_APP_SECRET, E2E_WA_TOKEN, PHONE_NUMBER_ID, textWebhook } from '../helpers/e2e.js'
import { repliesByCustomer, waitForReplies } from '../helpers/failover.js'
import { startFakeGraph, type FakeGraph, type RecordedRequest } from '../helpers/fake-graph.js'
import { personalStrings } from '../helpers/log-scan.js'
import { redisEnv, startRedis } from '../helpers/redis.js'
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'

/**
 * PostgreSQL goes away under a running `atende serve` (Redis up, Meta's Graph API up), behind
 * a TCP proxy the test controls: it hangs while replies wait on Meta and turns debounce, is
 * restarted (connections reset, new ones refused), hangs on connect, and comes back. The
 * database is the truth (DESIGN.md), so while it is gone nothing may be acknowledged
 * (invariant 1); once it is back, every accepted message is answered (invariant 5), once
 * (invariant 6), and the process never went down.
 */

const cleanups: Array<() => Promise<unknown>> = []
afterEach(async () => {
  const errors: unknown[] = []
  for (const c of cleanups.splice(0).reverse()) await c().catch((err: unknown) => errors.push(err))
  if (errors.length > 0) throw errors[0]
})

/** Short settings, so the outage outlasts every retry schedule and the test still ends quickly. */
const STATEMENT_TIMEOUT_MS = 500
const SETTINGS = {
  DEBOUNCE_MS: '300',
  DEBOUNCE_MAX_MS: '1500',
  DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
  // 4 tries, 100 → 200 → 400 ms apart: a job is failed for good a few seconds into the outage.
  QUEUE_MESSAGE_PROCESSING_BACKOFF_MS: '100',
  QUEUE_AI_RESPONSE_BACKOFF_MS: '100',
  QUEUE_NPS_SURVEY_BACKOFF_MS: '100',
  QUEUE_LEARNING_TASKS_BACKOFF_MS: '100',
  // Few connections, so that any lost for good shows: the process would not work again.
  DATABASE_POOL_SIZE: '3',
  RECONCILE_AFTER_MS: '1000',
  RECONCILE_INTERVAL_MS: '250',
  REDIS_COMMAND_TIMEOUT_MS: '500',
  REDIS_FAILOVER_AFTER_MS: '2000',
  REDIS_FAILOVER_POLL_MS: '200',
  // A turn's lease is AI + 4 × send + 5 s: a turn cut off after Meta accepted its reply holds
  // its conversation that long (it could not release the lease), then the next turn runs.
  AI_TIMEOUT_MS: '1000',
  WHATSAPP_TIMEOUT_MS: '2000',
  WHATSAPP_SEND_MAX_WAIT_MS: '500',
  // Only replies leave: no survey or idle timer adds sends of its own.
  NPS_ENABLED: 'false',
}

interface Delivery {
  name: string
  body: unknown
  /** Every status this payload was answered with, in order. */
  statuses: number[]
}

interface Outage {
  atende: AtendeProcess
  graph: FakeGraph
  proxy: TcpProxy
  /** A direct connection to the database, around the proxy: the test's own view of the truth. */
  direct: pg.Client
  post(d: Delivery): Promise<number>
  readyz(): Promise<number>
  admin(path: string): Promise<any>
}

async function startOutageStack(): Promise<Outage> {
  const database = await createTestDatabase('postgres')
  cleanups.push(() => database.drop())
  const server = new URL(TEST_POSTGRES_URL)
  const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port === '' ? 5432 : server.port) })
  cleanups.push(() => proxy.close())
  const viaProxy = new URL(database.url!)
  viaProxy.hostname = '127.0.0.1'
  viaProxy.port = String(proxy.port)
  const graph = await startFakeGraph()
  cleanups.push(() => graph.close())
  const redis = await startRedis()
  cleanups.push(() => redis.stop())
  const direct = new pg.Client({ connectionString: database.url })
  await direct.connect()
  cleanups.push(() => direct.end())

  const atende = await startAtende({
    WHATSAPP_APP_SECRET: E2E_APP_SECRET,
    WHATSAPP_TRANSPORT: 'cloud',
    WHATSAPP_TOKEN: E2E_WA_TOKEN,
    WHATSAPP_API_BASE_URL: graph.url,
    ADMIN_TOKEN: E2E_ADMIN_TOKEN,
    DATABASE_URL: viaProxy.toString(),
    ...redisEnv(redis),
    ...SETTINGS,
  })
  // Stopped first (cleanups run in reverse), scanning its whole output for what the
  // customers sent and what was sent to them.
  cleanups.push(async () => {
    for (const r of graph.requests) atende.watch(...personalStrings(r.body))
    await atende.stop()
  })

  return {
    atende,
    graph,
    proxy,
    direct,
    post: async (d) => {
      atende.watch(...personalStrings(d.body))
      const payload = JSON.stringify(d.body)
      const res = await fetch(`${atende.url}/webhooks/whatsapp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signBody(payload, E2E_APP_SECRET) },
        body: payload,
      })
      await res.arrayBuffer()
      d.statuses.push(res.status)
      return res.status
    },
    readyz: async () => {
      const res = await fetch(`${atende.url}/readyz`)
      await res.arrayBuffer()
      return res.status
    },
    admin: async (path) => {
      const res = await fetch(`${atende.url}${path}`, { headers: { authorization: `Bearer ${E2E_ADMIN_TOKEN}` } })
      if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`)
      return res.json()
    },
  }
}

/** Polls `check` every 50 ms until it holds; throws `what` with the last value after `timeoutMs`. */
async function until<T>(what: string, check: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (ok(value)) return value
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(value)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Meta's status webhook for one of our sends: it names the outbox row in `biz_opaque_callback_data`. */
function statusWebhook(send: { wamid: string; to: string; callback: string }): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [{
      id: '200000000000001',
      changes: [{
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: '5511300000000', phone_number_id: PHONE_NUMBER_ID },
          statuses: [{
            id: send.wamid, status: 'sent', timestamp: String(Math.floor(Date.now() / 1000)),
            recipient_id: send.to, biz_opaque_callback_data: send.callback,
          }],
        },
      }],
    }],
  }
}

const sendTo = (r: RecordedRequest) => (r.body as { to: string }).to
const callbackOf = (r: RecordedRequest) => (r.body as { biz_opaque_callback_data?: string }).biz_opaque_callback_data ?? '?'
const failedForGood = (a: AtendeProcess, queue: string) => a.logs.filter((l) => l.msg === 'job failed for good' && l.queue === queue).length

describe.skipIf(!ENGINES.includes('postgres'))('when PostgreSQL goes away under atende serve and comes back', () => {
  it('acknowledges nothing meanwhile, then answers every accepted message once', async () => {
    const startedAt = performance.now()
    const s = await startOutageStack()
    let exited = false
    s.atende.proc.once('exit', () => (exited = true))

    // Replies wait on "Meta" until the database is cut: the cut finds sends in flight.
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let holding = true
    // Every send answered as Meta does, with a wamid of its own that the test keeps.
    const accepted = new Map<RecordedRequest, string>()
    s.graph.setHandler((r) => {
      if (r.kind !== 'send') return undefined
      const wamid = `wamid.pg-outage.out.${accepted.size}`
      accepted.set(r, wamid)
      const answer = { body: { messaging_product: 'whatsapp', contacts: [{ input: sendTo(r), wa_id: sendTo(r) }], messages: [{ id: wamid }] } }
      return holding ? { ...answer, after: gate } : answer
    })

    let n = 0
    const customer = () => String(5511984000000 + n++)
    const texts = ['como faço pra pegar a segunda via do boleto?', 'qual o horário de atendimento?', 'minha internet caiu', 'quero cancelar']
    const deliveries: Delivery[] = []
    const message = (tag: string): Delivery => {
      const who = customer()
      const d = { name: `${tag}:${who}`, body: textWebhook(`wamid.pg-outage.${tag}.${who}`, texts[n % texts.length]!, who), statuses: [] }
      deliveries.push(d)
      return d
    }
    const customersOf = (ds: Delivery[]) => ds.map((d) => d.name.split(':')[1]!)
    const expectRefused = async (d: Delivery) => {
      const postedAt = performance.now()
      expect(await s.post(d), d.name).toBe(503)
      // The commit is given up after the statement timeout; a loaded machine adds to it.
      expect(performance.now() - postedAt, d.name).toBeLessThan(STATEMENT_TIMEOUT_MS * 6)
    }

    // 1. Before: three customers at once; their turns run and their replies reach Meta.
    const inFlight = [message('inflight'), message('inflight'), message('inflight')]
    expect(await Promise.all(inFlight.map((d) => s.post(d)))).toEqual([200, 200, 200])
    const held = () => s.graph.requests.filter((r) => r.kind === 'send' && r.status === undefined).length
    await until('a reply waiting on Meta', held, (h) => h >= 1, 20_000)
    // All three usually arrive together; a straggler past a second meets the outage instead.
    await until('every reply waiting on Meta', held, (h) => h >= inFlight.length, 1_000).catch(() => undefined)

    // 2. Two more customers, committed and acknowledged, whose turns are still in their debounce.
    const debouncing = [message('debouncing'), message('debouncing')]
    for (const d of debouncing) expect(await s.post(d)).toBe(200)

    // 3. The database hangs: its connections stay open and nothing comes back on them, new
    //    ones are never answered.
    await s.proxy.cut('freeze')
    const cutAt = performance.now()

    // 4. Meanwhile Meta delivers more messages and redelivers one: nothing can be committed,
    //    so nothing is acknowledged (invariant 1) and Meta will retry. Each is answered within
    //    the statement timeout, not whenever the database comes back. Meta answers the sends
    //    in flight, and their turns cannot record them; then it reports them (status webhooks).
    const during: Delivery[] = [message('during'), message('during')]
    const redelivered: Delivery = { name: `redelivered:${customersOf([inFlight[0]!])[0]}`, body: inFlight[0]!.body, statuses: [] }
    const refusedMeanwhile = Promise.all([...during, redelivered].map((d) => expectRefused(d)))
    holding = false
    release()
    const heldAtCut = held()
    await refusedMeanwhile
    const sendsAtCut = await until('Meta answered the held sends', () => [...accepted.keys()].filter((r) => r.status === 200), (a) => a.length >= heldAtCut, 5_000)
    const statusReports: Delivery[] = sendsAtCut.map((r) => ({
      name: `status:${sendTo(r)}`,
      body: statusWebhook({ wamid: accepted.get(r)!, to: sendTo(r), callback: callbackOf(r) }),
      statuses: [],
    }))
    for (const d of statusReports) await expectRefused(d)
    expect(await s.readyz()).toBe(503)

    // 5. It is restarted: every connection reset, new ones refused.
    await s.proxy.cut('refuse')
    const refused = message('refused')
    await expectRefused(refused)
    expect(await s.readyz()).toBe(503)
    during.push(refused)

    // 6. It is reachable again but does not answer yet: connections are accepted and hang.
    await s.proxy.cut('hold')
    const hung = message('hung')
    await expectRefused(hung)
    expect(await s.readyz()).toBe(503)
    during.push(hung)

    // 7. The outage outlasts the retries: the turns cut off mid-send are failed for good in
    //    BullMQ, and the reconciler cannot even look. Only the database can bring them back.
    await until('the cut-off turns failed for good', () => failedForGood(s.atende, 'ai-response'), (c) => c >= heldAtCut, 20_000)
    await s.atende.waitForLog((l) => l.msg === 'reconciler pass failed; will try again', 10_000)
    const outageMs = performance.now() - cutAt
    expect(exited).toBe(false)

    // 8. The database is back. Meta redelivers everything it got a 503 for, until a 200.
    s.proxy.restore()
    const restoredAt = s.atende.logs.length
    await until('/readyz ready again', () => s.readyz(), (status) => status === 200, 20_000)
    for (const d of [...during, redelivered, ...statusReports]) {
      await until(`${d.name} redelivered`, () => s.post(d), (status) => status === 200, 20_000)
    }

    // 9. Every customer is answered: the ones cut off mid-send, the debouncing ones and those
    //    whose messages arrived during the outage.
    const customers = customersOf([...inFlight, ...debouncing, ...during])
    await waitForReplies(s.graph, customers, 60_000)
    // Meta reports every send it accepted; those it reported during the outage were redelivered above.
    const reported = new Set(sendsAtCut)
    for (const r of [...accepted.keys()].filter((r) => r.status === 200 && !reported.has(r))) {
      const d = { name: `status:${sendTo(r)}`, body: statusWebhook({ wamid: accepted.get(r)!, to: sendTo(r), callback: callbackOf(r) }), statuses: [] }
      expect(await s.post(d), d.name).toBe(200)
    }
    // Settled: every inbound message processed and answered, no turn due, nothing left to send,
    // no job waiting. The database says there is nothing to rebuild, so no later send can come.
    await until('everything settled', async () => {
      const { rows: [row] } = await s.direct.query<{ unsettled: number }>(`select
        (select count(*) from messages where direction = 'in' and processed_at is null)
        + (select count(*) from conversations where answered_seq < last_seq or turn_due_at is not null)
        + (select count(*) from messages where direction = 'out' and provider_status in ('pending', 'sending', 'unknown'))
        as unsettled`)
      const metrics = await s.admin('/api/queue/metrics')
      const jobs = ['message-processing', 'ai-response'].reduce((sum, q) => sum + metrics.queues[q].waiting + metrics.queues[q].active + metrics.queues[q].delayed, 0)
      return Number(row!.unsettled) + jobs
    }, (left) => left === 0, 30_000)

    // Exactly one reply per customer (one message each, one turn each), never the apology.
    const replies = repliesByCustomer(s.graph)
    expect([...replies.keys()].sort()).toEqual([...customers].sort())
    expect([...replies].filter(([, at]) => at.length !== 1).map(([c]) => c)).toEqual([])
    const sent = s.graph.requests.filter((r) => r.kind === 'send' && r.status === 200)
    expect(sent.filter((r) => /instabilidade/i.test((r.body as { text: { body: string } }).text.body)).map(sendTo)).toEqual([])
    // No outbox row sent twice (invariant 6): each send names its row.
    const rowsSent = sent.map(callbackOf)
    expect(new Set(rowsSent).size).toBe(rowsSent.length)

    // Nothing lost (invariant 5): every message acknowledged with a 200 is stored once and
    // covered by its conversation's turn; the one redelivered was no second message.
    const acknowledged = deliveries.filter((d) => d.statuses.includes(200))
    expect(acknowledged).toHaveLength(customers.length)
    for (const d of acknowledged) {
      const who = d.name.split(':')[1]!
      const { items } = await s.admin(`/api/conversations?contact=${who}`)
      expect(items, who).toHaveLength(1)
      const detail = await s.admin(`/api/conversations/${items[0].id}`)
      expect(detail, who).toMatchObject({ lastSeq: 1, answeredSeq: 1 })
      const inbound = detail.messages.filter((m: { direction: string }) => m.direction === 'in')
      expect(inbound.map((m: { wamid: string }) => m.wamid), who).toEqual([`wamid.pg-outage.${d.name.replace(':', '.')}`])
      const outbound = detail.messages.filter((m: { direction: string }) => m.direction === 'out')
      expect(outbound.map((m: { providerStatus: string }) => m.providerStatus), who).toEqual(['sent'])
    }
    // What BullMQ gave up on came back from the database's columns (DESIGN.md, the reconciler).
    expect(s.atende.logs.slice(restoredAt).some((l) => l.msg === 'reconciler re-dispatched overdue work')).toBe(true)
    // Never acknowledged before the database was back; every 503 was redelivered until a 200.
    for (const d of [...during, redelivered, ...statusReports]) expect(d.statuses[0], d.name).toBe(503)

    // The process rode it out.
    expect(exited).toBe(false)
    expect(s.atende.proc.exitCode).toBeNull()
    console.info(JSON.stringify({
      figure: 'postgres outage under atende serve',
      customers: customers.length,
      sendsInFlightAtCut: heldAtCut,
      refusedDeliveries: [...during, redelivered, ...statusReports].length,
      outageMs: Math.round(outageMs),
      turnJobsFailedForGood: failedForGood(s.atende, 'ai-response'),
      messageJobsFailedForGood: failedForGood(s.atende, 'message-processing'),
      proxyTurnedAway: s.proxy.turnedAway,
      totalMs: Math.round(performance.now() - startedAt),
    }))
  }, 120_000)
})
