export { createApp, type AppDeps } from './app.js'
export { WEBHOOK_BODY_LIMIT_BYTES } from './webhook.js'
