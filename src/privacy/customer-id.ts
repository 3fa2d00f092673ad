import { BadRequestError } from '../errors.js'
import type { CustomerId } from '../store/index.js'

/** A WhatsApp id is a phone number in digits (E.164 has at most 15; some room to spare). */
const WA_ID = '[0-9]{1,20}'
/** A business-scoped user id: letters, digits and `._-`, bounded. */
const BSUID = 'bsuid:[A-Za-z0-9._-]{1,128}'

/** What `:waId` of the privacy routes and `atende privacy` accept; anything else is a 400 (exit 2). */
export const CUSTOMER_ID_PATTERN = `^(?:${WA_ID}|${BSUID})$`
const CUSTOMER_ID = new RegExp(CUSTOMER_ID_PATTERN)

/** The customer a privacy request names, or a {@link BadRequestError} that says what was expected (never what was given). */
export function parseCustomerId(raw: string): CustomerId {
  if (!CUSTOMER_ID.test(raw)) {
    throw new BadRequestError(
      "expected the customer's WhatsApp id (1 to 20 digits) or 'bsuid:' and a business-scoped id (1 to 128 letters, digits, '.', '_' or '-')",
    )
  }
  return raw.startsWith('bsuid:') ? { kind: 'bsuid', userId: raw.slice('bsuid:'.length) } : { kind: 'wa', waId: raw }
}

/** The id as an operator writes it: the inverse of {@link parseCustomerId}. */
export function formatCustomerId(customer: CustomerId): string {
  return customer.kind === 'bsuid' ? `bsuid:${customer.userId}` : customer.waId
}
