import { WhatsAppApiError } from '../errors.js'
import { metaRefusalKind, type MetaRefusalKind } from './graph-errors.js'
import type { SendTextInput, WhatsAppClient } from './types.js'

export interface SendObserver {
  /** A message left: Meta (or the console transport) accepted it. */
  sent(): void
  /** Meta refused a send with a rate-limit or quality code. */
  refused(kind: MetaRefusalKind, metaCode: number): void
}

/**
 * Tells `observer` of every send's outcome, for metrics and alerts. Codes only: the error,
 * which may quote the message, stays with the caller, who rethrows or stores it.
 */
export function withSendObserver<C extends WhatsAppClient>(client: C, observer: SendObserver): C {
  async function sendText(input: SendTextInput): Promise<{ wamid: string }> {
    let sent: { wamid: string }
    try {
      sent = await client.sendText(input)
    } catch (err) {
      if (err instanceof WhatsAppApiError && err.metaCode !== undefined) {
        const kind = metaRefusalKind(err.metaCode)
        if (kind !== undefined) observer.refused(kind, err.metaCode)
      }
      throw err
    }
    observer.sent()
    return sent
  }
  return { ...client, sendText }
}
