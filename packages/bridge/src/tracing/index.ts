// @sfn-bullmq/bridge/tracing: OpenTelemetry spans for the poll and enqueue of each task (`@opentelemetry/api`,
// an optional peer). Apart from the main entry, so a bridge without tracing never loads the API.
export { BRIDGE_SPAN_NAMES, bridgeTracing } from './bridge-tracing.js';
export type { BridgeTracingOptions } from './bridge-tracing.js';
