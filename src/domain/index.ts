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
