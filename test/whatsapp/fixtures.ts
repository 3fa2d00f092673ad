import { readFileSync } from 'node:fs'

export type WebhookFixture = 'text' | 'batch' | 'every-type' | 'status-failed' | 'from-user-id' | 'unknown-type' | 'escaped-and-nul'

/** A webhook body from `test/fixtures/webhooks/`, parsed fresh so tests may mutate it. */
export function loadWebhook(name: WebhookFixture): Record<string, unknown> {
  const url = new URL(`../fixtures/webhooks/${name}.json`, import.meta.url)
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>
}

/** A one-message webhook around `message`, as Meta would deliver it. */
export function webhookWith(message: Record<string, unknown>, value: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '200000000000001',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '5511300000000', phone_number_id: '1000000001' },
              contacts: [{ profile: { name: 'Cliente Um' }, wa_id: '5511900000001' }],
              messages: [message],
              ...value,
            },
          },
        ],
      },
    ],
  }
}

export function textMessage(id: string, body: string): Record<string, unknown> {
  return { from: '5511900000001', id, timestamp: '1700000000', type: 'text', text: { body } }
}
