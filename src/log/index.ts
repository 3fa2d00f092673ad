export { loggerOptions, REDACT_PATHS } from './options.js'
export { serializeError, type SafeError } from './serialize-error.js'
