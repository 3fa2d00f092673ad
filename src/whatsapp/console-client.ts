/**
 * The development transport (`WHATSAPP_TRANSPORT=console`, the embedded default): nothing
 * leaves the machine, replies are written to the log instead.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { WhatsAppApiError } from '../errors.js'
import type { DownloadedMedia, MarkReadInput, SendInput, SendTextInput, WhatsAppClient } from './types.js'

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

  async function send(input: SendInput): Promise<{ wamid: string }> {
    const c = input.content
    if (c.type === 'text') return sendText({ ...input, text: c.text })
    // A template's parameters may name the customer: only its name and their count are shown.
    if (c.type === 'template') {
      log.info({ phoneNumberId: input.phoneNumberId, template: c.template.name, language: c.template.language, parameters: c.template.parameters.length }, 'template sent to console')
    } else {
      const choices = c.interactive.kind === 'buttons' ? c.interactive.buttons.length : c.interactive.sections.reduce((n, s) => n + s.rows.length, 0)
      // As for a reply: the body is shown to the developer under `reply` (see sendText).
      log.info({ phoneNumberId: input.phoneNumberId, interactive: c.interactive.kind, choices, reply: c.interactive.body }, 'interactive sent to console')
    }
    return { wamid: `wamid.console.${randomUUID()}` }
  }

  async function markRead(input: MarkReadInput): Promise<void> {
    log.debug({ phoneNumberId: input.phoneNumberId, wamid: input.wamid }, 'message marked read on console')
  }

  async function downloadMedia(): Promise<DownloadedMedia> {
    throw new WhatsAppApiError('media download is not available on the console transport', { retryable: false })
  }

  return { transport: 'console', sendText, send, markRead, downloadMedia }
}
