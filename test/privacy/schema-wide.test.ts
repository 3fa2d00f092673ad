/**
 * Export and erase against the whole schema: one customer seeded through the real paths
 * (webhook ingest, analysis, turns, hand-off, agent message, menu, resolution, NPS, learning,
 * quarantine, status, outgoing events) next to a second one; then every text, json and bytea
 * column of every table the catalogue lists is searched (test/helpers/personal-data-scan.ts),
 * so a table added later is covered without changing this test.
 */
import { sql } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import type { ImageDescriber, Transcriber } from '../../src/ai/index.js'
import { createPdfReader } from '../../src/images/index.js'
import { createPrivacy, createRetention } from '../../src/privacy/index.js'
import {
  collectEvents, markSurveySent, queryRows, queueAgentMessage, recordSurveyComment, recordSurveyScore, resolveConversation,
} from '../../src/store/index.js'
import { createLearningProcessor } from '../../src/workers/index.js'
import { ENGINES } from '../helpers/db.js'
import { scanDatabase } from '../helpers/personal-data-scan.js'
import { buildPdf } from '../helpers/pdf.js'
import { webhookWith } from '../whatsapp/fixtures.js'
import { jobContext, silent, useWorkerSuite, type Harness } from '../workers/harness.js'
import { plainPicture } from './stack.js'

const NAME = 'Joana Quaresmina Apagada'
/** Digits survive stemming: they show whether a group of unanswered questions keeps the words of theirs that opened it. */
const CPF = '39053344705'
const QUESTION = `vocês aceitam bitcoin? anota aí ${CPF}`
const IMAGE_CAPTION = 'comprovante do pix da Joana Quaresmina'
const PIX_PAYEE = 'Pix recebido por Quaresmina Comercio de Racoes'
const TRANSCRIPT = 'aqui é a Joana Quaresmina falando do meu pedido atrasado'
const DOC_FILE = 'boleto-quaresmina.pdf'
const DOC_CAPTION = 'boleto da casa da Joana Quaresmina'
const SECOND_QUESTION = 'Quaresmina aqui: vocês entregam ração de coelho em Jundiaí?'
const AGENT_TEXT = 'Joana Quaresmina, entregamos em Jundiaí sim, às terças'
const COMMENT = 'demoraram demais para responder a Quaresmina'

const OTHER_NAME = 'Bento Preservado Silva'
const OTHER_TEXT = 'quero a segunda via do boleto, Bento Preservado'

describe.each(ENGINES)('export and erase across the whole schema (%s)', (engine) => {
  const suite = useWorkerSuite(engine)
  const pdfReader = createPdfReader({ maxBytes: 1024 * 1024, maxPages: 2, timeoutMs: 20_000 })
  afterAll(async () => {
    await pdfReader.close()
  })

  /** One webhook message from the harness's customer, under `name`; its accepted row. */
  async function post(h: Harness, name: string, message: Record<string, unknown>) {
    h.clock.advance(100)
    const body = webhookWith(
      { from: h.customer, timestamp: String(Math.floor(h.clock.now().getTime() / 1000)), ...message },
      { contacts: [{ profile: { name }, wa_id: h.customer }] },
    )
    const result = await h.ingest.accept(Buffer.from(JSON.stringify(body)))
    await h.ingest.idle()
    return result
  }

  async function turn(h: Harness, conversationId: number) {
    h.clock.advance(60_000)
    expect(await h.turn(conversationId)).toBeUndefined()
  }

  /** Their data everywhere it can be, and the other customer's; what identifies each. */
  async function seed() {
    const db = suite.database.db
    // Events are on: the cursor's row exists from before anything is written.
    await db.execute(sql`insert into event_cursors (name, position) values ('rows', '2000-01-01T00:00:00Z') on conflict (name) do update set position = excluded.position`)

    const describer: ImageDescriber = { name: 'openai', describe: async () => ({ text: PIX_PAYEE, kind: 'pix', model: 'vision-test' }) }
    const transcriber: Transcriber = { name: 'openai', maxAudioBytes: 1024 * 1024, transcribe: async () => ({ text: TRANSCRIPT, model: 'whisper-test' }) }
    const h = await suite.harness(undefined, { describer })
    h.deps.images.transcriber = transcriber
    h.deps.images.pdf = pdfReader
    const seq = { n: 0 }
    const wamid = () => `wamid.SW.${h.customer}.${++seq.n}`

    // A question the bot cannot place: the department menu (a fallback, to learning).
    const q1 = await post(h, NAME, { id: wamid(), type: 'text', text: { body: QUESTION } })
    const conversationId = q1.accepted[0]!.conversationId
    await h.process(q1.accepted)
    await turn(h, conversationId)

    // A picture (described by the vision model), a voice note (transcribed), a PDF; then a turn answers them.
    h.graph.addMedia('media-sw-image', { bytes: plainPicture(), mimeType: 'image/png' })
    h.graph.addMedia('media-sw-audio', { bytes: Buffer.from('OggS fake voice'), mimeType: 'audio/ogg' })
    h.graph.addMedia('media-sw-doc', { bytes: buildPdf([['Pedido de racao', 'sem boleto aqui']]), mimeType: 'application/pdf' })
    const media = [
      await post(h, NAME, { id: wamid(), type: 'image', image: { id: 'media-sw-image', mime_type: 'image/png', sha256: 'x', caption: IMAGE_CAPTION } }),
      await post(h, NAME, { id: wamid(), type: 'audio', audio: { id: 'media-sw-audio', mime_type: 'audio/ogg', sha256: 'x', voice: true } }),
      await post(h, NAME, { id: wamid(), type: 'document', document: { id: 'media-sw-doc', mime_type: 'application/pdf', sha256: 'x', filename: DOC_FILE, caption: DOC_CAPTION } }),
    ].map((r) => r.accepted[0]!)
    await h.process(media)
    for (const m of media) await h.analyse(m.messageId)
    await turn(h, conversationId)

    // Another question the bot falls back on; an agent answers it (hand-off by the agent's message).
    const q2 = await post(h, NAME, { id: wamid(), type: 'text', text: { body: SECOND_QUESTION } })
    await h.process(q2.accepted)
    await turn(h, conversationId)
    const agent = await queueAgentMessage(db, { conversationId, content: { type: 'text', text: AGENT_TEXT }, agent: 'Carla', now: h.clock.now() })
    expect(agent.kind).toBe('queued')

    // Meta reports the delivery of the bot's first reply.
    const [sent] = await queryRows<{ wamid: string }>(db, sql`select wamid from messages where conversation_id = ${conversationId} and wamid like 'wamid.out.%' order by id limit 1`)
    await h.receiveStatus({ wamid: sent!.wamid, status: 'delivered' })

    // Resolved by the agent; the survey is answered with a detractor's comment.
    h.clock.advance(1_000)
    expect((await resolveConversation(db, conversationId, h.clock.now(), 'Carla', 0)).kind).toBe('done')
    const [survey] = await queryRows<{ id: string }>(db, sql`select id from nps_surveys where conversation_id = ${conversationId}`)
    const surveyId = Number(survey!.id)
    await markSurveySent(db, { id: surveyId, at: h.clock.now(), outboxId: null, expiresAt: new Date(h.clock.now().getTime() + 86_400_000) })
    await recordSurveyScore(db, { id: surveyId, score: 3, at: h.clock.now() })
    await recordSurveyComment(db, { id: surveyId, comment: COMMENT, at: h.clock.now() })

    // A signed part Atende cannot read (no message id), naming them.
    const odd = await post(h, NAME, { type: 'text', text: { body: 'sem id' } })
    expect(odd.quarantined).toBe(1)

    // The second customer: a question, a reply.
    const other = await suite.harness()
    const o = await post(other, OTHER_NAME, { id: `wamid.SW.${other.customer}.1`, type: 'text', text: { body: OTHER_TEXT } })
    await other.process(o.accepted)
    await turn(other, o.accepted[0]!.conversationId)

    // What learning takes from both conversations, and the events for the receiver.
    const learn = createLearningProcessor({ db, language: 'pt-BR', log: silent, now: h.clock.now })
    await learn({ queue: 'learning-tasks', conversationId }, jobContext())
    await learn({ queue: 'learning-tasks', conversationId: o.accepted[0]!.conversationId }, jobContext())
    expect(await collectEvents(db, 0)).toBeGreaterThan(0)

    const theirs = [h.customer, NAME, QUESTION, CPF, IMAGE_CAPTION, PIX_PAYEE, TRANSCRIPT, DOC_FILE, DOC_CAPTION, SECOND_QUESTION, AGENT_TEXT, COMMENT]
    const others = [other.customer, OTHER_NAME, OTHER_TEXT]

    return { h, other, conversationId, theirs, others }
  }

  it('exports every item of theirs, and erase leaves none of it in any table while the other customer stays whole', async () => {
    const db = suite.database.db
    const { h, other, theirs, others } = await seed()
    // Before: everything seeded is somewhere, and the export holds each item.
    const before = await scanDatabase(suite.database, [...theirs, ...others])
    const tablesOf = (needle: string) => [...new Set(before.findings.filter((f) => f.needle === needle).map((f) => f.where.split('.')[1]))].sort()
    for (const needle of [...theirs, ...others]) expect(tablesOf(needle), needle).not.toEqual([])
    expect(tablesOf(CPF)).toContain('learning_proposals') // the group's key is made of their words
    expect(tablesOf(COMMENT)).toEqual(expect.arrayContaining(['nps_surveys', 'learning_records', 'learning_proposals']))
    expect(tablesOf(h.customer)).toEqual(expect.arrayContaining(['contacts', 'status_events', 'quarantine', 'outgoing_events']))

    const privacy = createPrivacy({ db, dispatcher: h.dispatcher, log: silent })
    const exported = await privacy.exportCustomer({ kind: 'wa', waId: h.customer })
    const text = JSON.stringify(exported)
    const quarantined = exported.sections.find((s) => s.table === 'quarantine')!.rows as Array<{ raw_base64: string }>
    const readable = text + quarantined.map((q) => Buffer.from(q.raw_base64, 'base64').toString()).join('\n')
    for (const needle of theirs) expect(readable.includes(needle), `export holds ${needle}`).toBe(true)
    for (const needle of others) expect(readable.includes(needle), `export leaves out ${needle}`).toBe(false)
    const rows = (table: string) => exported.sections.find((s) => s.table === table)!.rows as Array<Record<string, unknown>>
    expect(rows('messages').map((m) => m.kind ?? m.type)).toEqual(expect.arrayContaining(['text', 'image', 'audio', 'document', 'menu', 'reply', 'agent']))
    expect(rows('learning_proposals').map((p) => p.kind).sort()).toEqual(['detractor', 'faq', 'unanswered'])
    expect(rows('learning_proposal_sources')).toHaveLength(1)
    // Every table holding any of their data has a section.
    const sections = new Set(exported.sections.map((s) => s.table))
    for (const f of before.findings.filter((x) => theirs.includes(x.needle))) expect(sections.has(f.where.split('.')[1]!), f.where).toBe(true)

    // Erase: nothing of theirs is left in any column of any table; the other customer is whole.
    await privacy.eraseCustomer({ kind: 'wa', waId: h.customer })
    const after = await scanDatabase(suite.database, [...theirs, ...others])
    expect(after.columns.length).toBeGreaterThan(40)
    // The receiver is told: `contact.erased` names their number until it is delivered.
    const left = after.findings.filter((f) => theirs.includes(f.needle) && f.where !== 'public.outgoing_events.contact')
    expect(left).toEqual([])
    const [erasedEvents] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from outgoing_events where contact = ${h.customer} and type <> 'contact.erased'`)
    expect(erasedEvents!.n).toBe(0)
    expect(after.findings.filter((f) => others.includes(f.needle))).toEqual(before.findings.filter((f) => others.includes(f.needle)))
    await expect(privacy.exportCustomer({ kind: 'wa', waId: other.customer })).resolves.toMatchObject({ customer: other.customer })
  })

  it('retention leaves no customer data in any table once all of it is older than RETENTION_DAYS', async () => {
    const db = suite.database.db
    const { theirs, others } = await seed()
    // Everything in the database as if written a month ago (retention reads ids in time order,
    // and this file's database holds the earlier test's rows too).
    const old = sql`${new Date(Date.now() - 30 * 86_400_000)}::timestamptz`
    for (const table of ['messages', 'nps_surveys', 'learning_proposals', 'outgoing_events', 'status_events', 'quarantine']) {
      await db.execute(sql`update ${sql.raw(table)} set created_at = ${old}`)
    }
    await db.execute(sql`update conversation_events set at = ${old}`)
    await db.execute(sql`update conversations set updated_at = ${old}, lease_until = 'epoch'`)
    await db.execute(sql`update contacts set updated_at = ${old}`)

    const retention = createRetention({ db, log: silent, retentionDays: 10, checkIntervalMs: 86_400_000 })
    try {
      expect(await retention.runOnce()).toBeDefined()
    } finally {
      await retention.close()
    }
    expect((await scanDatabase(suite.database, [...theirs, ...others])).findings).toEqual([])
  })
})
