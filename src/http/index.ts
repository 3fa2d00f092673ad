export { createApp, createApps, type AppDeps, type DashboardDeps, type HttpApps } from './app.js'
export { WEBHOOK_BODY_LIMIT_BYTES } from './webhook.js'
