// @sfn-bullmq/worker/metrics: the worker's Prometheus metrics (prom-client, an optional peer the app
// installs and whose Registry it owns). Kept apart from the main entry so a worker without metrics never loads prom-client.
export { OTHER_ERROR_LABEL, WorkerMetrics, sendErrorType } from './worker-metrics.js';
export type { SendErrorType, WorkerMetricsOptions } from './worker-metrics.js';
