import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { queryRows } from '../../src/store/index.js'
import { ENGINES } from '../helpers/db.js'
import { signedPost, useWebhookApp } from '../helpers/webhook-app.js'
import { textMessage, webhookWith } from '../whatsapp/fixtures.js'

describe.each(ENGINES)('concurrent webhooks (%s)', (engine) => {
  const w = useWebhookApp(engine)

  it('commits every message of 60 concurrent requests, seqs gap-free, redeliveries once', async () => {
    // 40 distinct messages of one customer, 20 of them delivered twice at the same time.
    const ids = Array.from({ length: 40 }, (_, i) => `wamid.CONC${i}`)
    const posts = [...ids, ...ids.slice(0, 20)].map((id) => w.app.inject(signedPost(webhookWith(textMessage(id, id)))))
    const responses = await Promise.all(posts)
    expect(responses.every((r) => r.statusCode === 200)).toBe(true)
    const accepted = responses.reduce((n, r) => n + (r.json() as { accepted: number }).accepted, 0)
    expect(accepted).toBe(40)
    const rows = await queryRows<{ seq: number }>(w.database.db, sql`select seq from messages where wamid like 'wamid.CONC%' order by seq`)
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
  })
})
