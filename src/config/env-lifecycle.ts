import { z } from 'zod'
import { isValidTimeZone, parseBusinessHours } from '../domain/index.js'
import { ms, optionalString } from './env-fields.js'

/** The conversation lifecycle: the NPS survey, the idle and hand-off timers, business hours. */
export const lifecycleEnv = {
  /** `false` sends no NPS survey at all. @defaultValue true */
  NPS_ENABLED: optionalString.pipe(z.enum(['true', 'false']).optional()).transform((v) => v !== 'false'),
  /** How long after a conversation is resolved the survey is sent (the original's one minute). @defaultValue 60_000 */
  NPS_DELAY_MS: ms(60_000),
  /** How long a sent survey waits for its score; then `awaiting_nps` becomes `closed`. @defaultValue 86_400_000 (24 h) */
  NPS_RESPONSE_WINDOW_MS: ms(86_400_000).pipe(z.number().min(1)),
  /**
   * A customer is surveyed at most once per this many days: surveys after every chat get the
   * number blocked and lower its quality rating. 0: every resolved conversation. @defaultValue 30
   */
  NPS_MIN_INTERVAL_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /**
   * Name of an approved utility template asking about "seu atendimento de hoje", sent when the
   * survey falls outside Meta's 24 h window; unset: such surveys are skipped (reason stored).
   * @defaultValue none
   */
  NPS_TEMPLATE_NAME: optionalString.refine((v) => v === undefined || /^[a-z0-9_]{1,512}$/.test(v), {
    message: 'expected a WhatsApp template name: lowercase letters, digits and underscores',
  }),
  /** Language code of that template, as approved in WhatsApp Manager. @defaultValue 'pt_BR' */
  NPS_TEMPLATE_LANGUAGE: z.string().regex(/^[a-z]{2,3}(?:_[A-Z]{2,3})?$/, 'expected a WhatsApp language code such as pt_BR or en_US').default('pt_BR'),
  /**
   * A conversation the customer leaves without a reply this long after the bot's last answer
   * is resolved (and surveyed). 0: never resolved by silence. @defaultValue 1_800_000 (30 min)
   */
  CONVERSATION_IDLE_MS: ms(1_800_000),
  /**
   * A handed-off conversation waiting for a person longer than this, counted in business
   * hours, emits an alert event. 0: no alert. @defaultValue 900_000 (15 min)
   */
  HANDOFF_ALERT_MS: ms(900_000),
  /**
   * When people answer, in BUSINESS_TIME_ZONE: rules separated by `;`, e.g.
   * `mon-fri 08:00-18:00; sat 08:00-12:00`. Unset: always open. @defaultValue none
   */
  BUSINESS_HOURS: optionalString.transform((v, ctx) => {
    if (v === undefined) return undefined
    const parsed = parseBusinessHours(v)
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.error })
      return z.NEVER
    }
    return parsed.hours
  }),
  /**
   * IANA time zone of BUSINESS_HOURS, of the times told to customers, and of "today" when a
   * boleto's due date is compared. @defaultValue 'America/Sao_Paulo'
   */
  BUSINESS_TIME_ZONE: z.string().default('America/Sao_Paulo').refine(isValidTimeZone, {
    message: 'expected an IANA time zone such as America/Sao_Paulo',
  }),
}
