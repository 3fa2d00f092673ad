export type { DebounceSettings } from './turn-due.js'
export { splitReply, MAX_TEXT_CHARS } from './split-reply.js'
export { CUT_MARKER, MAX_JSON_DEPTH, storableJson, storableText, type StorableJson } from './text.js'
export {
  parseBoleto,
  boletoBarcodeToLine,
  boletoLineToBarcode,
  MAX_BOLETO_INPUT_CHARS,
  type Boleto,
  type BankBoleto,
  type ConvenioBoleto,
  type BoletoCheck,
  type BoletoError,
  type BoletoResult,
  type ParseBoletoOptions,
} from './boleto.js'
export {
  buildBankBoleto,
  buildConvenioBoleto,
  type BankBoletoInput,
  type ConvenioBoletoInput,
  type BuiltBoleto,
} from './boleto-build.js'
export { DEFAULT_FACTOR_REFERENCE_DATE } from './due-factor.js'
export { parsePixCode, MAX_PIX_INPUT_CHARS, type PixCode, type PixError, type PixResult } from './pix.js'
export { buildPixCode, type PixCodeInput } from './pix-build.js'
export { classifyPixKey, type PixKeyType } from './pix-key.js'
export { hasAnyLimit, paceFor, reserveSlot, slotIntervalUs, type SendPace, type SendRates, type SlotDecision } from './send-pace.js'
export {
  describeImage,
  findingsFromCodes,
  findingsFromVision,
  type DecodedSymbol,
  type FindingSource,
  type ImageAnalysis,
  type ImageFinding,
} from './image-analysis.js'
export {
  contentColumns,
  MAX_BUTTONS,
  MAX_INTERACTIVE_BODY_CHARS,
  MAX_LIST_ROWS,
  MAX_ROW_DESCRIPTION_CHARS,
  MAX_ROW_TITLE_CHARS,
  MAX_TITLE_CHARS,
  type InteractiveContent,
  type ListRow,
  type ListSection,
  type OutboundContent,
  type ReplyButton,
  type TemplateContent,
} from './outbound-content.js'
export {
  acceptedEvents,
  CONVERSATION_STATUSES,
  handoffAlertDueAt,
  idleDueAt,
  isBotActive,
  isConversationStatus,
  LIFECYCLE_EVENTS,
  transition,
  type ConversationStatus,
  type LifecycleErrorCode,
  type LifecycleEvent,
  type Transition,
} from './lifecycle.js'
export {
  classifySurveyAnswer,
  isSurveyOptOut,
  netPromoterScore,
  npsCategory,
  parseNpsScore,
  tallyScores,
  type NpsCategory,
  type NpsCounts,
  type SurveyAnswer,
  type SurveyPhase,
} from './nps-score.js'
export {
  createBusinessCalendar,
  describeOpening,
  isValidTimeZone,
  parseBusinessHours,
  startOfDay,
  type BusinessCalendar,
  type BusinessHours,
  type BusinessHoursResult,
} from './business-hours.js'
export {
  CUSTOMER_SERVICE_WINDOW_MS,
  decideSurvey,
  isInsideWindow,
  SURVEY_SKIP_REASONS,
  surveyRefusal,
  WINDOW_SAFETY_MS,
  type SurveyDecision,
  type SurveyDecisionInput,
  type SurveySkipReason,
} from './nps-survey.js'
