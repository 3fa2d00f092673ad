/** The public surface of `src/whatsapp`; other folders import from here only (STYLE.md §1). */
export type {
  CustomerRef,
  DownloadedMedia,
  DownloadMediaOptions,
  InboundMessage,
  KnownMessageType,
  MarkReadInput,
  MediaRef,
  ParsedWebhook,
  SendInput,
  SendTextInput,
  StatusUpdate,
  UnparsedPart,
  WhatsAppClient,
} from './types.js'
export { decodeWebhookBody, type DecodedBody } from './decode-body.js'
export { parseWebhook, parseWebhookInSteps, type ParseOptions } from './parse-webhook.js'
export { MAX_ID_CHARS, MAX_UNIX_SECONDS } from './webhook-schema.js'
export { createCloudClient, type CloudClient, type CloudClientOptions } from './cloud-client.js'
export { createConsoleClient, type ConsoleClientOptions } from './console-client.js'
export {
  createLocalSendLimiter,
  withSendLimiter,
  type LocalSendLimiterOptions,
  type SendLimiter,
  type SendLimiterOptions,
  type SendReservation,
} from './send-limiter.js'
export { withSimulatorConsole } from './simulator-client.js'
export { createRedisSendLimiter, type RedisSendLimiterOptions } from './redis-send-limiter.js'
export { metaRefusalKind, type MetaRefusalKind } from './graph-errors.js'
export { withSendObserver, type SendObserver } from './send-observer.js'
