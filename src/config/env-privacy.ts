import { z } from 'zod'

/** Meta redelivers for up to 7 days: data must outlive that, or a redelivery is stored as new. */
export const MIN_RETENTION_DAYS = 8

/** Customer data retention (docs/privacy.md). */
export const privacyEnv = {
  /**
   * Days customer data is kept (conversations, messages and their analyses, status events,
   * quarantine); older data is purged. 0 keeps everything. Otherwise at least 8: Meta
   * redelivers a message for up to 7 days, and a purged wamid would be stored again as new.
   * @defaultValue 0
   */
  RETENTION_DAYS: z.coerce.number().int().max(36_500).default(0).refine((v) => v === 0 || v >= MIN_RETENTION_DAYS, {
    message: `expected 0 (keep everything) or at least ${MIN_RETENTION_DAYS} days: Meta redelivers a message for up to 7 days, and a purged message would be stored again as new`,
  }),
}
