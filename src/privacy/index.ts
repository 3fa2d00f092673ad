export { CUSTOMER_ID_PATTERN, parseCustomerId } from './customer-id.js'
export { parsePrivacyCommand, type PrivacyCommand } from './command.js'
export {
  createPrivacy,
  type CustomerDataExport,
  type CustomerDataStore,
  type CustomerRows,
  type EraseReport,
  type Privacy,
  type PrivacyDeps,
} from './privacy.js'
export { createRetention, type Retention, type RetentionOptions, type RetentionReport } from './retention.js'
