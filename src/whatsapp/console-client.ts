/**
 * The development transport (`WHATSAPP_TRANSPORT=console`, the embedded default): nothing
 * leaves the machine, replies are written to the log instead.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { WhatsAppApiError } from '../errors.js'
import type { DownloadedMedia, MarkReadInput, SendTextInput, WhatsAppClient } from './types.js'

export interface ConsoleClientOptions {
  /** Where replies are shown; a child logger with `component: 'whatsapp-console'` is used. */
  log: Logger
}

export function createConsoleClient(options: ConsoleClientOptions): WhatsAppClient {
  const log = options.log.child({ component: 'whatsapp-console' })

  async function sendText(input: SendTextInput): Promise<{ wamid: string }> {
    // The one place we log message text on purpose (STYLE.md §6 forbids it elsewhere): this
    // transport exists to show a developer the replies on their console, and it never runs
    // with real customers because production uses the cloud transport. The customer's
    // number is still left out. The key is `reply`, not `text`: `text` is redacted everywhere
    // (src/log/options.ts), and the log scan of the tests excepts this one field of this line.
    log.info({ phoneNumberId: input.phoneNumberId, chars: input.text.length, reply: input.text }, 'reply sent to console')
    return { wamid: `wamid.console.${randomUUID()}` }
  }

  async function markRead(input: MarkReadInput): Promise<void> {
    log.debug({ phoneNumberId: input.phoneNumberId, wamid: input.wamid }, 'message marked read on console')
  }

  async function downloadMedia(): Promise<DownloadedMedia> {
    throw new WhatsAppApiError('media download is not available on the console transport', { retryable: false })
  }

  return { transport: 'console', sendText, markRead, downloadMedia }
}
