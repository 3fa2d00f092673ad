export { type AlertRecord, type StoreAlerts } from './alert-store.js'
export { ALERT_RULES, createAlerts, type AlertBody, type AlertDetails, type AlertRule, type Alerts, type AlertSeverity, type AlertsOptions, type RaiseOptions } from './alerts.js'
export {
  createMetrics, IMAGE_OUTCOMES, NPS_CATEGORIES, QUEUE_STATES,
  type Metrics, type NpsCategory, type QueueJobCounts, type QueueState, type WebhookLatency,
} from './metrics.js'
export { createJobStats, instrumentProcessors, type InstrumentOptions, type JobOutcome, type JobStats, type Percentiles, type QueueJobStats } from './job-stats.js'
export { createOpsMonitor, type OpsMonitor, type OpsMonitorOptions } from './monitor.js'
export { readQueueMetrics, type QueueMetrics, type QueueMetricsBody, type QueueMetricsSource } from './queue-metrics.js'
export { createRedisWatch, type RedisWatch, type RedisWatchOptions } from './redis-watch.js'
