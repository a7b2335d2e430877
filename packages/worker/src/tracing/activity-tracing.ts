// OpenTelemetry spans for a worker's runs, joined to the bridge's by the trace context the job carries
// (docs/observability.md#one-trace-per-task). Uses `@opentelemetry/api`, an optional peer: the app brings its SDK.
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { ActivityRunObservation, ActivityRunObserver, ObservedRun, RunEnd } from '../run-observer.js';

export interface ActivityTracingOptions {
  /** @default `trace.getTracer('@sfn-bullmq/worker')`, from the tracer provider the app registered */
  tracer?: Tracer;
}

/** The span names, one place for docs, dashboards and tests. */
export const WORKER_SPAN_NAMES = {
  queueWait: 'sfn-bullmq queue wait',
  process: 'sfn-bullmq process',
  resend: 'sfn-bullmq resend',
  handler: 'sfn-bullmq handler',
} as const;

/**
 * An observer for `observers`: per attempt a `sfn-bullmq process` span (`resend` for a stored outcome sent
 * again) with the handler and the report (`SendTaskSuccess` / `SendTaskFailure`, every attempt and retry an
 * event) as children, heartbeats as events; and, for a first attempt, a `sfn-bullmq queue wait` span from
 * the job's add to the handler's start. Each is a child of the bridge's enqueue span when the job carries
 * its trace context (read with the propagator the app registered, W3C by default in the Node SDK).
 * The handler runs inside its span's context, so its own spans join the task's trace.
 */
export function activityTracing(options: ActivityTracingOptions = {}): ActivityRunObserver {
  const tracer = options.tracer ?? trace.getTracer('@sfn-bullmq/worker');
  return { runStarted: (run) => observeRun(tracer, run) };
}

function observeRun(tracer: Tracer, run: ObservedRun): ActivityRunObservation {
  const parent = parentContextOf(run.traceContext);
  const attributes: Attributes = {
    'messaging.system': 'bullmq',
    'messaging.destination.name': run.queueName,
    'messaging.message.id': run.jobId ?? '',
    'sfn_bullmq.activity_arn': run.activityArn,
    'sfn_bullmq.attempt': run.attempt,
  };
  const startedAt = Date.now();
  if (run.attempt <= 1 && !run.resend) {
    tracer
      .startSpan(WORKER_SPAN_NAMES.queueWait, { startTime: run.enqueuedAt, attributes }, parent)
      .end(startedAt);
  }
  const span = tracer.startSpan(
    run.resend ? WORKER_SPAN_NAMES.resend : WORKER_SPAN_NAMES.process,
    {
      kind: SpanKind.CONSUMER,
      startTime: startedAt,
      attributes: { ...attributes, 'sfn_bullmq.queue_wait_ms': Math.max(0, startedAt - run.receivedAt) },
    },
    parent,
  );
  const runContext = trace.setSpan(parent, span);
  let reportSpan: Span | undefined;
  return {
    aroundHandler: (handler) =>
      inSpan(tracer.startSpan(WORKER_SPAN_NAMES.handler, {}, runContext), runContext, handler),
    aroundReport: (call, report) => {
      reportSpan = tracer.startSpan(call, { kind: SpanKind.CLIENT }, runContext);
      return inSpan(reportSpan, runContext, report);
    },
    aroundSend: async (call, send) => {
      const on = call === 'SendTaskHeartbeat' ? span : (reportSpan ?? span);
      try {
        const result = await send();
        on.addEvent(`${call} attempt`, { 'sfn_bullmq.result': 'ok' });
        return result;
      } catch (error) {
        on.addEvent(`${call} attempt`, { 'sfn_bullmq.result': errorName(error) });
        throw error;
      }
    },
    sendRetried: (call, error, delayMs) =>
      (reportSpan ?? span).addEvent(`${call} retry`, {
        'sfn_bullmq.error': errorName(error),
        'sfn_bullmq.delay_ms': delayMs,
      }),
    ended: (end) => endRun(span, end),
  };
}

/** Runs `fn` in `span`'s context and ends the span with its result. */
async function inSpan<T>(span: Span, parent: Context, fn: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(error) });
    throw error;
  } finally {
    span.end();
  }
}

function endRun(span: Span, end: RunEnd): void {
  span.setAttribute('sfn_bullmq.outcome', end.outcome);
  if (end.error !== undefined) span.setAttribute('sfn_bullmq.error', end.error);
  if (end.outcome === 'failed' || end.outcome === 'attempt_failed' || end.outcome === 'invalid_token') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: end.error ?? errorName(end.thrown) });
  }
  span.end();
}

/** The bridge's context from the job; the root context for a job without one (or with a malformed one). */
function parentContextOf(carrier: unknown): Context {
  if (typeof carrier !== 'object' || carrier === null || Array.isArray(carrier)) return ROOT_CONTEXT;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(carrier)) if (typeof value === 'string') fields[key] = value;
  try {
    return propagation.extract(ROOT_CONTEXT, fields);
  } catch {
    return ROOT_CONTEXT;
  }
}

function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return typeof error;
}
