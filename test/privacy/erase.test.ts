import { sql } from 'drizzle-orm'
import type { Job } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { queryRows } from '../../src/store/index.js'
import { answer } from '../ai/vision-input.js'
import { ENGINES } from '../helpers/db.js'
import { scanDatabase, scanRedis } from '../helpers/personal-data-scan.js'
import { tableCounts } from '../helpers/rows.js'
import { untilEvent, within } from '../dispatch/helpers.js'
import { webhookWith } from '../whatsapp/fixtures.js'
import { ADMIN_TOKEN, plainPicture, startPrivacyStack, TURN_MODEL, type PrivacyStack } from './stack.js'

const CUSTOMER = '5511900007001'
const NAME = 'Rosa Apagavel Exemplo'
const FIRST_TEXT = 'meu cpf e 123.456.789-09, preciso da segunda via'
const CAPTION = 'foto da minha carteira de identidade'
const VISION_TEXT = 'Carteira de identidade de Rosa Apagavel'
/** What must be gone from every table and every Redis key once the customer is erased. */
const NEEDLES = [CUSTOMER, NAME, FIRST_TEXT, CAPTION, VISION_TEXT]

const now = () => String(Math.floor(Date.now() / 1000))
const contacts = { contacts: [{ profile: { name: NAME }, wa_id: CUSTOMER }] }
const textWebhook = webhookWith({ from: CUSTOMER, id: 'wamid.ERASE.T1', timestamp: now(), type: 'text', text: { body: FIRST_TEXT } }, contacts)
const imageWebhook = webhookWith(
  { from: CUSTOMER, id: 'wamid.ERASE.I1', timestamp: now(), type: 'image', image: { id: 'media-erase-1', mime_type: 'image/png', sha256: 'x', caption: CAPTION } },
  contacts,
)
/** A message without an id: quarantined whole, their number in it. */
const oddWebhook = webhookWith({ from: CUSTOMER, timestamp: now(), type: 'text', text: { body: 'sem id' } }, contacts)
const statusWebhook = (wamid: string) =>
  webhookWith({}, { messages: undefined, statuses: [{ id: wamid, status: 'delivered', timestamp: now(), recipient_id: CUSTOMER }] })

describe.each(ENGINES)('erasing a customer everywhere (%s)', (engine) => {
  let s: PrivacyStack
  beforeAll(async () => {
    s = await startPrivacyStack(engine)
  })
  afterAll(async () => {
    await s?.close()
  })

  const admin = (method: 'GET' | 'DELETE', url: string) => s.app.inject({ method, url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })

  /** Their jobs still stored in Redis, by state: what `forget` must have removed. */
  async function theirJobs(conversationIds: number[], messageIds: number[]): Promise<string[]> {
    const found: string[] = []
    for (const [name, queue] of s.dispatcher.queues) {
      for (const job of await queue.getJobs()) {
        const d = job.data as { conversationId?: number; messageId?: number }
        if (conversationIds.includes(d.conversationId ?? -1) || messageIds.includes(d.messageId ?? -1)) found.push(`${name}:${await job.getState()}`)
      }
    }
    return found.sort()
  }

  it('exports them, then erases them while a turn is in flight: nothing of theirs is left or sent, and a redelivery is not stored', async () => {
    // A conversation with a reply, a status of that reply, and a quarantined part naming them.
    const turnWorker = s.workers.workers.get('ai-response')!
    const firstTurn = untilEvent<[Job]>(turnWorker, 'completed', () => true, 20_000)
    expect((await s.post(textWebhook)).status).toBe(200)
    await firstTurn
    const [reply] = await queryRows<{ wamid: string }>(s.database.db, sql`select wamid from messages where direction = 'out' and wamid is not null`)
    expect((await s.post(statusWebhook(reply!.wamid))).body).toMatchObject({ statuses: 1 })
    expect((await s.post(oddWebhook)).body).toMatchObject({ quarantined: 1 })

    // A picture, described by the vision model; then the turn asks the model and is held there.
    s.graph.addMedia('media-erase-1', { bytes: plainPicture(), mimeType: 'image/png' })
    s.openai.script({ json: answer({ kind: 'document', description: VISION_TEXT }) })
    const held = s.openai.hold((r) => r.body?.model === TURN_MODEL)
    expect((await s.post(imageWebhook)).body).toMatchObject({ accepted: 1 })
    await within(held.arrived, 20_000, 'the turn to ask the model')
    const [turnJob] = await s.dispatcher.queues.get('ai-response')!.getJobs(['active'])
    expect(turnJob).toBeDefined()

    const exported = await admin('GET', `/api/contacts/${CUSTOMER}/export`)
    expect(exported.statusCode).toBe(200)
    const data = exported.json() as { sections: Array<{ table: string; rows: any[] }> }
    const section = (table: string) => data.sections.find((x) => x.table === table)!.rows
    expect(section('contacts')).toMatchObject([{ wa_id: CUSTOMER, profile_name: NAME }])
    expect(section('conversations')).toHaveLength(1)
    expect(section('messages').map((m) => [m.direction, m.text])).toEqual([['in', FIRST_TEXT], ['out', `echo: ${FIRST_TEXT}`], ['in', CAPTION]])
    expect(section('messages')[2].analysis).toMatchObject({ outcome: 'described', description: { text: VISION_TEXT } })
    expect(section('status_events')).toMatchObject([{ wamid: reply!.wamid, recipient: CUSTOMER, status: 'delivered' }])
    expect(Buffer.from(section('quarantine')[0].raw_base64, 'base64').toString()).toContain(CUSTOMER)
    const conversationIds = section('conversations').map((c) => Number(c.id))
    const messageIds = section('messages').map((m) => Number(m.id))
    expect(await scanDatabase(s.database, NEEDLES)).toMatchObject({ findings: expect.arrayContaining([{ where: 'public.contacts.wa_id', needle: CUSTOMER }]) })

    const erased = await admin('DELETE', `/api/contacts/${CUSTOMER}`)
    expect(erased.statusCode).toBe(200)
    const report = erased.json() as { removed: Record<string, number>; erasedWamids: number; queueJobs: { removed: number | null } }
    console.info(`rows removed per table (${engine}):\n${Object.entries(report.removed).map(([t, n]) => `  ${t.padEnd(14)} ${n}`).join('\n')}\n` +
      `  erased_wamids kept: ${report.erasedWamids}; queue jobs removed: ${report.queueJobs.removed}`)
    expect(report.removed).toEqual({
      contacts: 1, conversations: 1, messages: 3, conversation_events: 0, nps_surveys: 0,
      learning_records: 0, learning_proposals: 0, learning_proposal_sources: 0, status_events: 1, quarantine: 1, outgoing_events: 0,
    })
    expect(report.erasedWamids).toBe(3) // two inbound, one reply (its status shares the reply's wamid)
    expect(report.queueJobs.removed).toBeGreaterThan(0)
    // Only the running turn is left: a job that runs cannot be taken back.
    expect(await theirJobs(conversationIds, messageIds)).toEqual(['ai-response:active'])

    // The model answers now; the turn finds its conversation gone and writes and sends nothing.
    const completed = untilEvent<[Job]>(turnWorker, 'completed', (job) => job.id === turnJob!.id)
    held.release()
    await completed
    await s.ingest.idle()
    expect(s.graph.requests.filter((r) => r.kind === 'send')).toHaveLength(1)

    const db = await scanDatabase(s.database, NEEDLES)
    expect(db.columns).toEqual(expect.arrayContaining(['public.messages.text', 'public.quarantine.raw', 'public.status_events.payload']))
    expect(db.findings).toEqual([])
    const redis = await scanRedis(s.client, s.config.redis!.prefix, NEEDLES)
    expect(redis.keys).toBeGreaterThan(0)
    expect(redis.findings).toEqual([])
    console.info(`after the erase: ${db.columns.length} columns and ${redis.keys} Redis keys searched, ${db.findings.length + redis.findings.length} findings`)

    // Meta redelivers their messages and the status: recognised, not stored again.
    const counts = await tableCounts(s.database)
    expect((await s.post(textWebhook)).body).toMatchObject({ accepted: 0, duplicates: 1 })
    expect((await s.post(imageWebhook)).body).toMatchObject({ accepted: 0, duplicates: 1 })
    expect((await s.post(statusWebhook(reply!.wamid))).status).toBe(200)
    expect(await tableCounts(s.database)).toEqual(counts)
    expect(counts).toMatchObject({ contacts: 0, conversations: 0, messages: 0, status_events: 0, quarantine: 0 })
    expect((await scanDatabase(s.database, NEEDLES)).findings).toEqual([])

    // Erased is unknown from now on.
    expect((await admin('GET', `/api/contacts/${CUSTOMER}/export`)).statusCode).toBe(404)
    expect((await admin('DELETE', `/api/contacts/${CUSTOMER}`)).statusCode).toBe(404)
  })
})
