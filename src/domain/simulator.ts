/**
 * The business number of the dashboard's simulator (docs/decisions/0026). Meta's phone number
 * ids are digits only, so no real delivery can carry this one: a conversation on it is a
 * simulation by construction. Its sends always go to the console transport, and the database
 * flags its conversations (`conversations.simulated`) so reports, metrics, events and learning
 * leave them out.
 */
export const SIMULATOR_PHONE_NUMBER_ID = 'simulator'

/**
 * Customer ids the simulator may write as: `55000` and 8 digits. Area code 00 does not exist
 * in Brazil, so no real customer has such a number.
 */
export const SIMULATOR_CUSTOMER_PATTERN = '^55000[0-9]{8}$'
