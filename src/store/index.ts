export { openDatabase, queryRows, unreachableDatabase, type Database, type Db, type OpenDatabaseOptions } from './db.js'
export { migrate } from './migrate.js'
export * as schema from './schema.js'
export type { ConversationStatus, OutboundKind } from './schema.js'
export { OUTBOUND_KINDS } from './schema.js'
export {
  type AcceptedMessage,
  type InboundRow,
  type InboxBatch,
  type InboxCommitResult,
  type QuarantineRow,
  type StatusRow,
} from './inbox.js'
export { commitInbox, commitInboxGroup, type GroupCommitOutcome } from './inbox-group.js'
export {
  markEnqueued,
  processMessage,
  type InboundMessageRow,
} from './messages.js'
export {
  completeTurn,
  loadUnanswered,
  openTurn,
  releaseTurn,
  type CompleteTurnInput,
  type TurnClaim,
  type TurnConversation,
  type TurnMessage,
} from './turns.js'
export {
  beginSend,
  countUnknownSends,
  markSendFailed,
  markSent,
  prepareReply,
  sendFailureOf,
  type BeginSendResult,
  type OutboxPart,
  type OutboxStatus,
  type ReplyMeta,
  type SendAttempt,
  type SendFailure,
} from './outbox.js'
export {
  beginOutboundSend,
  claimOutbox,
  findPendingOutbound,
  conversationsWithPendingOutbound,
  MAX_IDEMPOTENCY_KEY_CHARS,
  queueOutbound,
  releaseOutbox,
  type OutboundRow,
  type OutboxClaim,
  type QueueOutboundInput,
  type QueueOutboundResult,
} from './outbound.js'
export { outboundContentSchema, parseOutboundContent, type OutboundContentInput } from './outbound-content.js'
export {
  applyConversationAction,
  queueAgentMessage,
  SERVICE_WINDOW_MS,
  handOffConversation,
  releaseConversation,
  resolveConversation,
  type ConversationAction,
  type ConversationActionInput,
  type ConversationActionResult,
  type AgentMessageResult,
} from './conversation-actions.js'
export { beginImageAnalysis, completeImageAnalysis, type ImageToAnalyse } from './image-analysis.js'
export {
  CUSTOMER_TABLES,
  eraseCustomer,
  exportCustomer,
  type CustomerExport,
  type CustomerId,
  type ErasedCustomer,
} from './customer-data.js'
export { insertAlerts, listAlerts, MAX_ALERTS_PAGE, type AlertFilter, type AlertInput, type StoredAlert } from './alerts.js'
export { ALERT_SEVERITIES, type StoredAlertSeverity } from './schema.js'
export { claimScheduledRun, ERASED_WAMID_KEEP_MS, purgeBatch, type PurgeTarget } from './retention.js'
export { findOverdueWork, markTurnsEnqueued, releaseOutboundClaims, scheduleHandoffAlert, type OverdueWork } from './reconcile.js'
export { claimWorks, releaseOwnerClaims, releaseWorks, type ClaimWorkInput, type WorkClaim } from './work-claims.js'
export { claimWorkToRedispatch, findDueWork, type DueWork, type FindDueWorkInput, type RedispatchInput } from './due-work.js'
export {
  CONVERSATION_MESSAGES_LIMIT,
  LAST_MESSAGE_TEXT_CHARS,
  listConversations,
  loadConversationDetail,
  type ConversationDetail,
  type ConversationFilter,
  type ConversationMessage,
  type ConversationSummary,
} from './admin-queries.js'
export {
  approveProposal,
  knowledgeVersion,
  listPendingGroupKeys,
  listProposals,
  loadKnowledgeAdditions,
  loadLearningInput,
  loadProposal,
  markLearningDue,
  markLearningEnqueued,
  MAX_PROPOSALS_PAGE,
  rejectProposal,
  saveLearningRun,
  type KnowledgeAddition,
  type LearningInput,
  type LearningProposal,
  type LearningRun,
  type ProposalFlag,
  type ReviewResult,
} from './learning.js'
export type { LearningProposalKind, LearningProposalStatus } from './schema.js'
export {
  createAdminSession,
  deleteAdminSession,
  findAdminSession,
  type AdminSession,
  type DashboardRole,
  type NewAdminSession,
} from './admin-sessions.js'
export { CHANGES_PER_POLL, conversationsChangedSince, type ChangesSince, type ConversationChange } from './change-feed.js'
export { loadWorkCounts, type WorkCounts } from './work-counts.js'
export { findWaitingHandoffs, inboxBacklog, type InboxBacklog, type WaitingHandoff } from './ops.js'
export {
  claimRelayLease, collectEvents, dueEvents, EVENT_TYPES, markEventDelivered, markEventFailed, pendingEvents, purgeDeliveredEvents,
  releaseRelayLease, type EventType, type OutgoingEvent,
} from './events.js'
export { applyLifecycleEvent, listConversationEvents, type ConversationEvent, type LifecycleInput } from './lifecycle.js'
export {
  markSurveySent,
  markSurveySkipped,
  npsReport,
  optOutOfSurveys,
  planSurvey,
  recordSurveyComment,
  recordSurveyScore,
  type NpsFigures,
  type NpsReport,
  type NpsReportQuery,
  type PlannedSurvey,
} from './nps.js'
export {
  clearIdleDue,
  countSurveyAttempt,
  currentSurvey,
  findOverdueLifecycle,
  loadLifecycleTimers,
  optOutConversationContact,
  outboundOutcome,
  planResolutionSurvey,
  type LifecycleTimers,
  type SurveyInProgress,
  type SurveyTimer,
} from './lifecycle-timers.js'
