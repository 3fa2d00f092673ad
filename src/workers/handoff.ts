import type { Logger } from 'pino'
import { renderMessage } from '../ai/index.js'
import { describeOpening, handoffAlertDueAt, type BusinessCalendar } from '../domain/index.js'
import { scheduleHandoffAlert, type Db } from '../store/index.js'

/**
 * What a hand-off the customer (or the bot) starts needs beyond the turn: business hours
 * (BUSINESS_HOURS in BUSINESS_TIME_ZONE) and the alert after HANDOFF_ALERT_MS of business
 * time waiting for a person.
 */
export interface HandoffSettings {
  calendar: BusinessCalendar
  timeZone: string
  language: 'pt-BR' | 'en'
  /** `messages.handoffClosed`, with `{nextOpening}` to fill. */
  closedMessage: string
  /** HANDOFF_ALERT_MS; 0: no alert. */
  alertMs: number
}

/**
 * The bot's hand-off reply: as the AI wrote it inside business hours; outside them
 * `messages.handoffClosed`, telling the customer when the team is back, and the
 * conversation waits for a person as any hand-off does.
 */
export function handoffReplyText(settings: HandoffSettings | undefined, text: string, now: Date): string {
  if (settings === undefined || settings.calendar.isOpen(now)) return text
  const opening = describeOpening(settings.calendar.nextOpening(now), now, settings.timeZone, settings.language)
  return renderMessage(settings.closedMessage, { nextOpening: opening })
}

/**
 * A conversation has just been handed off by the turn: its alert is due HANDOFF_ALERT_MS of
 * business time from now, a column the reconciler reads. A failure here must not fail the
 * turn that already answered: the hand-off stands, only its alert is lost (logged).
 */
export async function scheduleAlert(db: Db, settings: HandoffSettings | undefined, conversationId: number, now: Date, log: Logger): Promise<void> {
  if (settings === undefined) return
  const due = handoffAlertDueAt(now, settings.alertMs, settings.calendar)
  if (due === null) return
  try {
    await scheduleHandoffAlert(db, conversationId, due)
  } catch (err) {
    log.warn({ err, conversationId }, 'could not schedule the hand-off alert')
  }
}
