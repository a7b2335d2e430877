// @sfn-bullmq/worker/tracing: OpenTelemetry spans for a worker's runs (`@opentelemetry/api`, an optional
// peer). Apart from the main entry, so a worker without tracing never loads the API.
export { WORKER_SPAN_NAMES, activityTracing } from './activity-tracing.js';
export type { ActivityTracingOptions } from './activity-tracing.js';
