// The package ships an ES module build and a CommonJS build: two copies of every class. An app can mix
// them (a handler file that imports, a worker setup that requires), so what one copy makes, the other
// must still understand: by `name`, never by `instanceof`. Needs the built dist/cjs (the test task builds first).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cancelReasonOf } from './activity-cancelled-error.js';
import { failureOutcome } from './task-outcome.js';
import type * as CancelledErrorModule from './activity-cancelled-error.js';
import type * as PackageIndex from './index.js';

const require = createRequire(import.meta.url);
/** The CommonJS copy of the package, as `require('@sfn-bullmq/worker')` gives it. */
const cjs = require('../dist/cjs/index.js') as typeof PackageIndex;
const cjsErrors = require('../dist/cjs/activity-cancelled-error.js') as typeof CancelledErrorModule;

describe('values made by the other module build', () => {
  it('reports an ActivityFailure from the CommonJS copy with its type', () => {
    const thrown = cjs.ActivityFailure.nonRetryable('card declined', 'CardDeclined');
    const outcome = failureOutcome(thrown);
    expect(outcome).toMatchObject({ kind: 'failure', error: 'CardDeclined' });
  });

  it('reads the cancel reason of a signal aborted by the CommonJS copy', () => {
    const controller = new AbortController();
    controller.abort(new cjsErrors.ActivityCancelledError('task-gone', 'the task is gone'));
    expect(cancelReasonOf(controller.signal)).toBe('task-gone');
  });
});
