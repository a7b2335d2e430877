// OpenTelemetry spans for the bridge's side of a task: the poll that received its token (the trace's
// root) and its enqueue, whose context the job carries to the worker (docs/observability.md#one-trace-per-task).
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, propagation, trace, type Tracer } from '@opentelemetry/api';
import type { ReceivedToken, TokenObservation, TokenObserver } from '../token-observer.js';

export interface BridgeTracingOptions {
  /** @default `trace.getTracer('@sfn-bullmq/bridge')`, from the tracer provider the app registered */
  tracer?: Tracer;
}

/** The span names, one place for docs and tests. */
export const BRIDGE_SPAN_NAMES = {
  poll: 'GetActivityTask',
  enqueue: 'sfn-bullmq enqueue',
} as const;

/**
 * A `tokenObserver` for the Bridge: per token a `GetActivityTask` span (from the poll's opening to its
 * answer; made only for polls that brought a token, after the fact, so empty polls cost nothing) and a
 * child `sfn-bullmq enqueue` span until Redis stored the job (or the token was reported failed). The
 * enqueue span's context goes into the job's `traceContext` through the propagator the app registered
 * (W3C trace context by default in the Node SDK), so the worker's spans are its children.
 */
export function bridgeTracing(options: BridgeTracingOptions = {}): TokenObserver {
  const tracer = options.tracer ?? trace.getTracer('@sfn-bullmq/bridge');
  return { tokenReceived: (token) => observeToken(tracer, token) };
}

function observeToken(tracer: Tracer, token: ReceivedToken): TokenObservation {
  const attributes = {
    'sfn_bullmq.activity_arn': token.activityArn,
    'messaging.system': 'bullmq',
    'messaging.destination.name': token.queueName,
    'messaging.message.id': token.jobId,
  };
  const poll = tracer.startSpan(
    BRIDGE_SPAN_NAMES.poll,
    { kind: SpanKind.CLIENT, startTime: token.pollStartedAt, attributes, root: true },
    ROOT_CONTEXT,
  );
  poll.end(token.receivedAt);
  const enqueue = tracer.startSpan(
    BRIDGE_SPAN_NAMES.enqueue,
    { kind: SpanKind.PRODUCER, startTime: token.receivedAt, attributes },
    trace.setSpan(ROOT_CONTEXT, poll),
  );
  const traceContext: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, enqueue), traceContext);
  return {
    ...(Object.keys(traceContext).length > 0 ? { traceContext } : {}),
    settled: (how, attempts) => {
      enqueue.setAttribute('sfn_bullmq.enqueue_attempts', attempts);
      if (how === 'reported') {
        enqueue.setStatus({
          code: SpanStatusCode.ERROR,
          message: 'not stored: reported with SendTaskFailure SfnBullmq.EnqueueFailed',
        });
      }
      enqueue.end();
    },
  };
}
