// Shared setup for the worker's integration suites: per-test cleanups run newest first, and a
// suite-wide emulator with helpers that create activities and workers which the cleanups close.
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import {
  ActivityWorker,
  cancelReasonOf,
  type ActivityHandler,
  type ActivityWorkerOptions,
  type CancelReason,
} from '../src/index.js';
import {
  connectionOf,
  createActivity,
  credentials,
  startHarness,
  testLogger,
  type Activity,
  type Harness,
} from './harness.js';

export type AddCleanup = (cleanup: () => Promise<void>) => void;

/** Registers an `afterEach` that runs the cleanups added during the test, newest first. */
export function useCleanups(): AddCleanup {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (cleanup) => {
    cleanups.push(cleanup);
  };
}

export interface WorkerSuite {
  /** The suite's emulator and SDK client, started in `beforeAll`. */
  readonly harness: Harness;
  readonly redisUrl: string;
  /** A fresh activity and its queue, removed after the test. */
  activity: () => Activity;
  /** A worker on the emulator and the run's Redis, force-closed after the test. */
  worker: <I, O>(
    queueName: string,
    handler: ActivityHandler<I, O>,
    options?: Partial<ActivityWorkerOptions>,
  ) => ActivityWorker<I, O>;
  addCleanup: AddCleanup;
}

/** Call at the top of a test file: one harness for the file, cleanups after each test. */
export function useWorkerSuite(): WorkerSuite {
  const redisUrl = inject('redisUrl');
  const addCleanup = useCleanups();
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness();
  });
  afterAll(async () => {
    await started?.close();
  });
  const suite: WorkerSuite = {
    get harness(): Harness {
      if (started === undefined) throw new Error('the harness starts in beforeAll');
      return started;
    },
    redisUrl,
    activity: () => {
      const created = createActivity(suite.harness, redisUrl);
      addCleanup(() => created.close());
      return created;
    },
    worker: (queueName, handler, options = {}) => {
      const created = new ActivityWorker(queueName, handler, {
        connection: connectionOf(redisUrl),
        sfn: { endpoint: suite.harness.emulator.endpoint, region: 'us-east-1', credentials },
        logger: testLogger(),
        ...options,
      });
      addCleanup(() => created.close({ force: true }));
      return created;
    },
    addCleanup,
  };
  return suite;
}

/** For cancellation tests: a handler that waits for its signal to abort; whether it ran, and why. */
export interface AbortWaiter {
  handler: ActivityHandler<unknown, string>;
  /** The handler was called. */
  readonly started: boolean;
  /** `cancelReasonOf(signal)` once the signal was aborted. */
  readonly reason: CancelReason | undefined;
}

export function abortWaiter(): AbortWaiter {
  let started = false;
  let reason: CancelReason | undefined;
  return {
    handler: async (_input, context) => {
      started = true;
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
      reason = cancelReasonOf(context.signal);
      return 'too late';
    },
    get started() {
      return started;
    },
    get reason() {
      return reason;
    },
  };
}
