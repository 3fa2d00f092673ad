/**
 * Real components for worker tests: a migrated database, the real ingest, the real Cloud
 * API client against the fake Graph server, a real AI provider, and a recording Dispatcher
 * (a port-level fake). Processors are called directly; time comes from a clock the test
 * moves, so debounce and lease expiry need no sleeping.
 */
import { sql } from 'drizzle-orm'
import { pino } from 'pino'
import { loggerOptions } from '../../src/log/index.js'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { createLocalProvider, createOpenAiProvider, loadKnowledgeBase, type AiProvider, type ImageDescriber, type KnowledgeBase } from '../../src/ai/index.js'
import { secret } from '../../src/config/index.js'
import { isForgotten, type Dispatcher, type ForgetRows, type JobContext, type ProcessorResult, type WakeUp } from '../../src/queues/index.js'
import type { DebounceSettings } from '../../src/domain/index.js'
import { createCodeReader, type CodeReader } from '../../src/images/index.js'
import { createIngest, type Ingest } from '../../src/ingest/index.js'
import { queryRows, type AcceptedMessage, type Database } from '../../src/store/index.js'
import { createCloudClient } from '../../src/whatsapp/index.js'
import {
  createImageAnalysisProcessor, createMessageProcessor, createTurnProcessor, type WorkerDeps,
} from '../../src/workers/index.js'
import { createTestDatabase, openMigrated, type Engine, type TestDatabase } from '../helpers/db.js'
import { startFakeGraph, type FakeGraph, type GraphHandler, type RecordedRequest } from '../helpers/fake-graph.js'
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js'
import { webhookWith } from '../whatsapp/fixtures.js'

export const silent = pino(loggerOptions('silent'))
export const DEBOUNCE: DebounceSettings = { debounceMs: 2_000, debounceMaxMs: 10_000 }
export const AI_TIMEOUT_MS = 5_000
export const SEND_TIMEOUT_MS = 5_000
/** What createTurnProcessor derives from the two timeouts above. */
export const LEASE_MS = AI_TIMEOUT_MS + 4 * SEND_TIMEOUT_MS + 5_000

export interface Clock {
  now(): Date
  advance(ms: number): void
  /** Moves to `at` (never backwards). */
  jumpTo(at: Date): void
}

/** Starts at the wall clock, so WhatsApp timestamps of "now" are inside the 24 h window. */
export function createClock(): Clock {
  let t = Date.now()
  return {
    now: () => new Date(t),
    advance: (ms) => void (t += ms),
    jumpTo: (at) => void (t = Math.max(t, at.getTime())),
  }
}

export class RecordingDispatcher implements Dispatcher {
  readonly mode = 'in-process' as const
  readonly wakeUps: WakeUp[] = []
  /** While set, `dispatch` rejects with it, as a runtime that cannot take work (Redis down). */
  failWith: Error | undefined
  async dispatch(wakeUps: readonly WakeUp[]): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith
    this.wakeUps.push(...wakeUps)
  }
  /** Drops the recorded wake-ups of these rows, as a runtime drops their jobs. */
  async forget(rows: ForgetRows): Promise<number> {
    if (this.failWith !== undefined) throw this.failWith
    const gone = isForgotten(rows)
    const before = this.wakeUps.length
    this.wakeUps.splice(0, this.wakeUps.length, ...this.wakeUps.filter((w) => !gone(w)))
    return before - this.wakeUps.length
  }
  turnWakeUps(conversationId: number) {
    return this.wakeUps.filter((w): w is Extract<WakeUp, { queue: 'ai-response' }> => w.queue === 'ai-response' && w.conversationId === conversationId)
  }
}

/** Holds the first `reply` call until `release()`; later calls pass straight to the real provider. */
export function gateFirstReply(ai: AiProvider): { ai: AiProvider; entered: Promise<void>; release(): void } {
  let enter!: () => void
  let release!: () => void
  const entered = new Promise<void>((r) => (enter = r))
  const released = new Promise<void>((r) => (release = r))
  let calls = 0
  return {
    entered,
    release,
    ai: {
      name: ai.name,
      async reply(input) {
        if (++calls === 1) {
          enter()
          await released
        }
        return ai.reply(input)
      },
    },
  }
}

export interface HarnessOptions {
  ai: AiProvider
  kb: KnowledgeBase
  /** The vision fallback; none by default, as with the local provider. */
  describer?: ImageDescriber
}

let sharedReader: CodeReader | undefined
/** The code reader's default cap, which `image-analysis` also downloads up to. */
const READER_MAX_BYTES = 8 * 1024 * 1024
/** One real code reader per test file, started on first use: its threads take a moment to start. */
const lazyReader: CodeReader = {
  maxImageBytes: READER_MAX_BYTES,
  read: (image, signal) => (sharedReader ??= createCodeReader({ maxImageBytes: READER_MAX_BYTES })).read(image, signal),
  close: async () => {
    const reader = sharedReader
    sharedReader = undefined
    await reader?.close()
  },
}

export interface Harness {
  graph: FakeGraph
  /**
   * Scripts the Graph API: `handler` answers first (undefined falls through). Accepted sends
   * get wamids unique across tests, since the database outlives each test's fake server.
   */
  onGraph(handler: GraphHandler | undefined): void
  clock: Clock
  dispatcher: RecordingDispatcher
  ingest: Ingest
  deps: WorkerDeps
  /** A fresh customer (wa_id) for this test's conversation. */
  customer: string
  /**
   * Commits one webhook per text through the real ingest, the clock moving 100 ms before each.
   * `sentAt` is WhatsApp's timestamp (default: now); `wamid` is for a single text.
   */
  receive(texts: string | string[], options?: { sentAt?: Date; wamid?: string }): Promise<AcceptedMessage[]>
  /**
   * Commits one status webhook for an outbound message, as Meta sends it: `outboxId` comes
   * back as `biz_opaque_callback_data` (`out:<id>`), as every outbox send passes it.
   */
  receiveStatus(status: { wamid: string; status: string; outboxId?: number; errors?: unknown[] }): Promise<void>
  /** Commits one webhook carrying a picture, whose bytes the fake Graph API then serves. */
  receiveImage(image: { bytes: Buffer; mimeType: string; caption?: string }): Promise<AcceptedMessage>
  /** Runs `image-analysis` for a message, as the runtime would. */
  analyse(messageId: number, ctx?: Partial<JobContext>): Promise<ProcessorResult>
  /** Runs `message-processing` for each message, as the runtime would. */
  process(accepted: readonly AcceptedMessage[]): Promise<void>
  /** receive + process, then moves the clock to the turn's due time. Returns the conversation id. */
  burst(texts: string | string[], options?: { sentAt?: Date }): Promise<number>
  turn(conversationId: number, ctx?: Partial<JobContext>): Promise<ProcessorResult>
  /** Accepted `send` requests: what reached the customer. */
  sends(): RecordedRequest[]
  close(): Promise<void>
}

let customers = 0

export async function createHarness(database: Database, options: HarnessOptions): Promise<Harness> {
  const graph = await startFakeGraph()
  const clock = createClock()
  const dispatcher = new RecordingDispatcher()
  const customer = `5511977${String(++customers).padStart(5, '0')}`
  const ingest = createIngest({ db: database.db, dispatcher, log: silent, debounce: DEBOUNCE, commitTimeoutMs: 5_000, now: clock.now })
  const deps: WorkerDeps = {
    db: database.db,
    dispatcher,
    whatsapp: createCloudClient({ apiBaseUrl: graph.url, token: secret('test-wa-token'), timeoutMs: SEND_TIMEOUT_MS }),
    ai: options.ai,
    images: { reader: lazyReader, describer: options.describer, language: 'pt-BR' },
    messages: { apology: options.kb.messages.apology, handoff: options.kb.messages.handoff },
    debounce: DEBOUNCE,
    aiTimeoutMs: AI_TIMEOUT_MS,
    sendTimeoutMs: SEND_TIMEOUT_MS,
    log: silent,
    now: clock.now,
  }
  let wamids = 0
  let sent = 0
  const unique: GraphHandler = (r) =>
    r.kind === 'send' ? { body: { messaging_product: 'whatsapp', contacts: [{ input: customer, wa_id: customer }], messages: [{ id: `wamid.out.${customer}.${++sent}` }] } } : undefined
  graph.setHandler(unique)

  const h: Harness = {
    graph,
    onGraph: (handler) => graph.setHandler((r) => handler?.(r) ?? unique(r)),
    clock,
    dispatcher,
    ingest,
    deps,
    customer,
    async receive(texts, opts = {}) {
      const accepted: AcceptedMessage[] = []
      for (const text of [texts].flat()) {
        clock.advance(100)
        const sentAt = opts.sentAt ?? clock.now()
        const message = { from: customer, id: opts.wamid ?? `wamid.W${customer}.${++wamids}`, timestamp: String(Math.floor(sentAt.getTime() / 1000)), type: 'text', text: { body: text } }
        const body = webhookWith(message, { contacts: [{ profile: { name: 'Cliente' }, wa_id: customer }] })
        const result = await ingest.accept(Buffer.from(JSON.stringify(body)))
        accepted.push(...result.accepted)
      }
      await ingest.idle()
      return accepted
    },
    async receiveStatus(st) {
      const value = {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '5511300000000', phone_number_id: '1000000001' },
        statuses: [{
          id: st.wamid, status: st.status, timestamp: String(Math.floor(clock.now().getTime() / 1000)), recipient_id: customer,
          ...(st.outboxId === undefined ? {} : { biz_opaque_callback_data: `out:${st.outboxId}` }),
          ...(st.errors === undefined ? {} : { errors: st.errors }),
        }],
      }
      const body = { object: 'whatsapp_business_account', entry: [{ id: '200000000000001', changes: [{ field: 'messages', value }] }] }
      await ingest.accept(Buffer.from(JSON.stringify(body)))
      await ingest.idle()
    },
    async receiveImage(image) {
      clock.advance(100)
      const id = `wamid.W${customer}.${++wamids}`
      const mediaId = `media-${id}`
      graph.addMedia(mediaId, { bytes: image.bytes, mimeType: image.mimeType })
      const message = {
        from: customer, id, timestamp: String(Math.floor(clock.now().getTime() / 1000)), type: 'image',
        image: { id: mediaId, mime_type: image.mimeType, sha256: 'x', ...(image.caption === undefined ? {} : { caption: image.caption }) },
      }
      const result = await ingest.accept(Buffer.from(JSON.stringify(webhookWith(message, { contacts: [{ profile: { name: 'Cliente' }, wa_id: customer }] }))))
      await ingest.idle()
      return result.accepted[0]!
    },
    analyse: (messageId, ctx) => createImageAnalysisProcessor(deps)({ queue: 'image-analysis', messageId }, jobContext(ctx)),
    async process(accepted) {
      const processor = createMessageProcessor(deps)
      for (const a of accepted) await processor({ queue: 'message-processing', messageId: a.messageId }, jobContext())
    },
    async burst(texts, opts) {
      const accepted = await h.receive(texts, opts)
      await h.process(accepted)
      const conversationId = accepted[0]!.conversationId
      clock.jumpTo((await conversationRow(database, conversationId)).turnDueAt!)
      return conversationId
    },
    turn: (conversationId, ctx) => createTurnProcessor(deps)({ queue: 'ai-response', conversationId, runAt: clock.now() }, jobContext(ctx)),
    sends: () => graph.requests.filter((r) => r.kind === 'send' && r.status !== undefined && r.status < 300),
    close: () => graph.close(),
  }
  return h
}

export interface WorkerSuite {
  /** The test database behind `database` (its `url`, for a second PostgreSQL connection). */
  readonly testDatabase: TestDatabase
  readonly database: Database
  readonly kb: KnowledgeBase
  /** A harness over the suite's database (AI default: the local provider), closed after the test. */
  harness(ai?: AiProvider, options?: Pick<HarnessOptions, 'describer'>): Promise<Harness>
  /** A fake OpenAI server, closed after the test, and the real OpenAI provider pointed at it. */
  openAi(): Promise<{ fake: FakeOpenAi; ai: AiProvider }>
}

/**
 * Registers `beforeAll`/`afterEach`/`afterAll` for a describe block: a fresh migrated database
 * of `engine` and the sample knowledge base; whatever a test opened through the suite is closed
 * after it, the database dropped after the block. Read `database`/`kb` inside tests, not at
 * registration time (they are getters).
 */
export function useWorkerSuite(engine: Engine): WorkerSuite {
  let t: TestDatabase | undefined
  let database: Database | undefined
  let kb: KnowledgeBase | undefined
  let harnesses: Harness[] = []
  let fakes: FakeOpenAi[] = []
  beforeAll(async () => {
    t = await createTestDatabase(engine)
    database = await openMigrated(t)
    kb = await loadKnowledgeBase('knowledge-base/sample.pt-BR.yaml')
  })
  afterEach(async () => {
    const [hs, fs] = [harnesses, fakes]
    harnesses = []
    fakes = []
    for (const h of hs) await h.close()
    for (const f of fs) await f.close()
  })
  afterAll(async () => {
    await lazyReader.close()
    await database?.close()
    await t?.drop()
  })
  const suite: WorkerSuite = {
    get testDatabase() {
      return t!
    },
    get database() {
      return database!
    },
    get kb() {
      return kb!
    },
    async harness(ai = createLocalProvider(kb!), options = {}) {
      const h = await createHarness(database!, { ai, kb: kb!, ...options })
      harnesses.push(h)
      return h
    },
    async openAi() {
      const fake = await startFakeOpenAi()
      fakes.push(fake)
      const ai = createOpenAiProvider({ apiKey: secret('sk-test'), baseURL: fake.url, model: 'gpt-test', timeoutMs: 5_000, kb: kb! })
      return { fake, ai }
    },
  }
  return suite
}

export function jobContext(ctx: Partial<JobContext> = {}): JobContext {
  return { attempt: 1, maxAttempts: 4, signal: new AbortController().signal, log: silent, ...ctx }
}

/** The text a send request carried. */
export function sentText(r: RecordedRequest): string {
  return (r.body as { text: { body: string } }).text.body
}

export interface ConversationRow {
  status: string
  answeredSeq: number
  lastSeq: number
  turnDueAt: Date | null
  leaseUntil: Date
  turnToken: number
  turnAttempts: number
  turnEnqueuedAt: Date | null
  firstUnansweredAt: Date | null
}

export async function conversationRow(database: Database, id: number): Promise<ConversationRow> {
  const [r] = await queryRows<Record<string, unknown>>(
    database.db,
    sql`select status, answered_seq, last_seq, turn_due_at, lease_until, turn_token, turn_attempts, turn_enqueued_at,
               first_unanswered_at
        from conversations where id = ${id}`,
  )
  return {
    status: r!.status as string,
    answeredSeq: Number(r!.answered_seq),
    lastSeq: Number(r!.last_seq),
    turnDueAt: date(r!.turn_due_at),
    leaseUntil: date(r!.lease_until)!,
    turnToken: Number(r!.turn_token),
    turnAttempts: Number(r!.turn_attempts),
    turnEnqueuedAt: date(r!.turn_enqueued_at),
    firstUnansweredAt: date(r!.first_unanswered_at),
  }
}

export interface OutboxRow {
  id: number
  kind: string
  outboundSeq: number
  seq: number
  part: number
  type: string
  text: string
  status: string
  wamid: string | null
  attempts: number
}

/** The conversation's outbound rows, by (seq, part), or in the order written (`outbound_seq`). */
export async function outboxRows(database: Database, conversationId: number, order: 'seq' | 'outbound' = 'seq'): Promise<OutboxRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    database.db,
    sql`select id, kind, outbound_seq, seq, part, type, text, provider_status, wamid, attempts from messages
        where conversation_id = ${conversationId} and direction = 'out'
        order by ${order === 'seq' ? sql`seq, part` : sql`outbound_seq`}`,
  )
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind as string,
    outboundSeq: Number(r.outbound_seq),
    seq: Number(r.seq),
    part: Number(r.part),
    type: r.type as string,
    text: r.text as string,
    status: r.provider_status as string,
    wamid: r.wamid as string | null,
    attempts: Number(r.attempts),
  }))
}

/** A reply of `paragraphs` paragraphs of about 3,900 characters each: one WhatsApp part per paragraph. */
export function longReply(paragraphs: number): string {
  return Array.from({ length: paragraphs }, (_, i) =>
    `Parte ${i + 1}: ` + Array.from({ length: 650 }, (_, w) => `palavra${w % 10}`).join(' ').slice(0, 3_900),
  ).join('\n\n')
}

function date(v: unknown): Date | null {
  if (v === null || v === undefined) return null
  return v instanceof Date ? v : new Date(v as string)
}
