export { createApp, createApps, createMetricsApp, type AppDeps, type DashboardDeps, type HttpApps, type HttpOps } from './app.js'
export { WEBHOOK_BODY_LIMIT_BYTES } from './webhook.js'
