// Every table, one area per file under tables/. This barrel is what drizzle.config.ts reads to
// write migrations and what db.ts hands to drizzle(), so it re-exports tables and their value
// lists only (the column helpers in tables/columns.ts stay out).
export * from './tables/conversations.js'
export * from './tables/messages.js'
export * from './tables/intake.js'
export * from './tables/coordination.js'
export * from './tables/admin-sessions.js'
export * from './tables/outgoing-events.js'
export * from './tables/nps.js'
export * from './tables/learning.js'
export * from './tables/alerts.js'
