import { SFN_LIMITS } from '@sfn-bullmq/protocol';
import { describe, expect, it } from 'vitest';
import { ActivityFailure } from './activity-failure.js';
import {
  OUTPUT_NOT_JSON_ERROR,
  OUTPUT_TOO_LARGE_ERROR,
  UNREADABLE_ERROR,
  failureOutcome,
  serialiseCause,
  successOutcome,
  truncateChars,
  type FailureCause,
} from './task-outcome.js';

function failure(outcome: ReturnType<typeof failureOutcome>): { error: string; cause: FailureCause } {
  if (outcome.kind !== 'failure') throw new Error(`expected a failure, got ${outcome.kind}`);
  return { error: outcome.error, cause: JSON.parse(outcome.cause) as FailureCause };
}

/** True when the text has a high surrogate without its low half, or a low one without its high half. */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

describe('successOutcome', () => {
  it('serialises the result to JSON', () => {
    expect(successOutcome({ width: 100, tag: 'é😀' })).toEqual({
      kind: 'success',
      output: '{"width":100,"tag":"é😀"}',
    });
  });

  it('sends null for a handler that returns nothing', () => {
    expect(successOutcome(undefined)).toEqual({ kind: 'success', output: 'null' });
  });

  it('accepts output of exactly 262,144 bytes and refuses one byte more, stating the size', () => {
    const exact = 'x'.repeat(SFN_LIMITS.outputMaxBytes - 2); // the quotes make up the rest
    expect(successOutcome(exact).kind).toBe('success');
    const over = failure(successOutcome(`${exact}x`));
    expect(over.error).toBe(OUTPUT_TOO_LARGE_ERROR);
    expect(over.cause.errorMessage).toContain('262145 bytes');
  });

  it('counts bytes of UTF-8, not characters', () => {
    // 100,000 three-byte characters: 100,002 characters but 300,002 bytes.
    const refused = failure(successOutcome('€'.repeat(100_000)));
    expect(refused.error).toBe(OUTPUT_TOO_LARGE_ERROR);
    expect(refused.cause.errorMessage).toContain('300002 bytes');
  });

  it('reports a result that is not serialisable as a failure', () => {
    expect(failure(successOutcome({ n: 1n })).error).toBe(OUTPUT_NOT_JSON_ERROR);
  });
});

describe('failureOutcome', () => {
  it("uses ActivityFailure's type as the error name", () => {
    const { error, cause } = failure(
      failureOutcome(ActivityFailure.nonRetryable('Card declined', 'CardDeclined')),
    );
    expect(error).toBe('CardDeclined');
    expect(cause.errorMessage).toBe('Card declined');
    expect(cause.errorType).toBe('CardDeclined');
    expect(cause.stackTrace.length).toBeGreaterThan(0);
  });

  it("uses an error's name, and 'Error' for a thrown non-error", () => {
    expect(failure(failureOutcome(new RangeError('bad'))).error).toBe('RangeError');
    expect(failure(failureOutcome('just a string'))).toMatchObject({
      error: 'Error',
      cause: { errorMessage: 'just a string' },
    });
  });

  it('reports what cannot be serialised as it is: a name that is not a string, a circular message, a proxy', () => {
    const numericName = Object.assign(new Error('numeric name'), { name: 42 as unknown as string });
    expect(failure(failureOutcome(numericName))).toMatchObject({
      error: 'Error',
      cause: { errorMessage: 'numeric name', errorType: 'Error' },
    });
    const node: Record<string, unknown> = { step: 1 };
    node['self'] = node;
    const circularMessage = Object.assign(new Error('x'), {
      name: 'Circular',
      message: node as unknown as string,
    });
    expect(failure(failureOutcome(circularMessage))).toMatchObject({
      error: 'Circular',
      cause: { errorMessage: '{"step":1,"self":"[Circular]"}' },
    });
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf: () => {
          throw new Error('trap');
        },
      },
    );
    expect(failure(failureOutcome(hostile)).error).toBe(UNREADABLE_ERROR);
    expect(failure(failureOutcome(10n)).cause.errorMessage).toBe('"10n"');
  });

  it('cuts the error name to 256 characters without splitting a character', () => {
    const { error } = failure(failureOutcome(ActivityFailure.nonRetryable('m', '😀'.repeat(300))));
    expect(error.length).toBeLessThanOrEqual(SFN_LIMITS.errorMaxChars);
    expect(hasLoneSurrogate(error)).toBe(false);
  });

  it('keeps the cause valid JSON within 32,768 characters for a giant multi-byte message and stack', () => {
    const error = new Error('😀é'.repeat(40_000));
    error.stack = `Error: x\n${Array.from({ length: 5_000 }, (_, i) => `    at fn${i} (/app/😀/file.js:${i}:1)`).join('\n')}`;
    const outcome = failureOutcome(error);
    if (outcome.kind !== 'failure') throw new Error('expected failure');
    expect(outcome.cause.length).toBeLessThanOrEqual(SFN_LIMITS.causeMaxChars);
    expect(outcome.cause.length).toBeGreaterThan(SFN_LIMITS.causeMaxChars - 100); // the room is used
    const cause = JSON.parse(outcome.cause) as FailureCause;
    expect(hasLoneSurrogate(cause.errorMessage)).toBe(false);
    expect(cause.errorMessage.endsWith('…')).toBe(true);
    expect(cause.stackTrace[0]).toBe('at fn0 (/app/😀/file.js:0:1)');
  });

  it('keeps the JSON within the limit when escaping makes it longer than the text', () => {
    const text = serialiseCause(
      { errorMessage: '"\\\n'.repeat(20_000), errorType: 'E', stackTrace: [] },
      1_000,
    );
    expect(text.length).toBeLessThanOrEqual(1_000);
    expect((JSON.parse(text) as FailureCause).errorType).toBe('E');
  });
});

describe('truncateChars', () => {
  it('leaves short text alone and never ends on half a surrogate pair', () => {
    expect(truncateChars('abc', 3)).toBe('abc');
    for (let max = 1; max < 12; max += 1) {
      const cut = truncateChars('a😀😀😀😀😀😀', max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(hasLoneSurrogate(cut)).toBe(false);
    }
  });
});
