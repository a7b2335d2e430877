// Property: whatever a handler throws or returns (bad names, circular messages, getters and
// proxies that throw, BigInt, thenables), its task ends with exactly one Send* call and a log line.
import { SFN_LIMITS, tokenDigest } from '@sfn-bullmq/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  asJob,
  capturingLogger,
  fakeJob,
  recordingSender,
  reports,
  runner,
  settle,
} from '../test/runner-fakes.js';
import { ActivityFailure } from './activity-failure.js';

/** A value whose every property access, `instanceof` and conversion throws. */
function hostileProxy(target: object): object {
  const boom = (): never => {
    throw new Error('hostile proxy');
  };
  return new Proxy(target, {
    get: boom,
    has: boom,
    ownKeys: boom,
    getOwnPropertyDescriptor: boom,
    getPrototypeOf: boom,
  });
}

function circular(value: unknown): Record<string, unknown> {
  const node: Record<string, unknown> = { value };
  node['self'] = node;
  return node;
}

function errorWith(name: unknown, message: unknown, extra: Record<string, unknown> = {}): Error {
  const error = new Error('placeholder');
  Object.defineProperty(error, 'name', { value: name, enumerable: false, configurable: true });
  Object.defineProperty(error, 'message', { value: message, enumerable: false, configurable: true });
  return Object.assign(error, extra);
}

const anything = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withTypedArray: true,
  withSparseArray: true,
});

// Values are made by thunks inside the property: fast-check itself reads what it generates (to clone
// and print it), and a proxy that throws on every read must reach the runner untouched.
type Make = () => unknown;

const weird: fc.Arbitrary<Make> = fc.oneof(
  anything.map((value) => () => value),
  anything.map((value) => () => circular(value)),
  fc.constant(() => hostileProxy({})),
  fc.constant(() => hostileProxy(new Error('inside'))),
  fc.constant(() => ({
    get name(): string {
      throw new Error('name getter');
    },
  })),
  fc.constant(() => ({
    toJSON(): never {
      throw new Error('toJSON');
    },
    toString(): never {
      throw new Error('toString');
    },
  })),
  fc.constant(() => Symbol('thrown')),
  fc.constant(() => () => 'a function'),
);

const thrown: fc.Arbitrary<Make> = fc.oneof(
  weird,
  fc.tuple(weird, weird).map(
    ([name, message]) =>
      () =>
        errorWith(name(), message()),
  ),
  fc.tuple(fc.string(), weird).map(
    ([name, message]) =>
      () =>
        errorWith(name, message()),
  ),
  fc.tuple(weird, weird).map(
    ([name, cause]) =>
      () =>
        errorWith(name(), 'm', { cause: cause(), extra: circular(cause()) }),
  ),
  fc.tuple(fc.string(), weird).map(
    ([message, stack]) =>
      () =>
        Object.assign(new Error(message), { stack: stack() }),
  ),
  weird.map((type) => () => ActivityFailure.nonRetryable('m', type() as string)),
  fc.string({ maxLength: 300 }).map((type) => () => ActivityFailure.nonRetryable('m'.repeat(40_000), type)),
);

const returned: fc.Arbitrary<Make> = fc.oneof(
  weird,
  fc.constant(() => 'x'.repeat(SFN_LIMITS.outputMaxBytes)),
  fc.constant(() => ({
    then(): never {
      throw new Error('a thenable that throws');
    },
  })),
);

interface Behaviour {
  kind: 'throw' | 'reject' | 'return';
  make: Make;
  /** For the counterexample: fast-check prints it instead of the thunk. */
  toString(): string;
}

const behaviourOf =
  (kind: Behaviour['kind']) =>
  (make: Make): Behaviour => ({ kind, make, toString: () => `${kind} ${make.toString()}` });

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  thrown.map(behaviourOf('throw')),
  thrown.map(behaviourOf('reject')),
  returned.map(behaviourOf('return')),
);

/** The two values the issue met first, always tried. */
const examples: Array<[Behaviour]> = [
  [behaviourOf('throw')(() => errorWith(42, 'numeric name'))],
  [behaviourOf('throw')(() => errorWith('CircularMessage', circular('m')))],
];

describe('every task ends in exactly one report and a log line', () => {
  it('whatever the handler throws or returns', async () => {
    await fc.assert(
      fc.asyncProperty(behaviour, async ({ kind, make }) => {
        const value = make();
        const sender = recordingSender();
        const { logger, lines } = capturingLogger('debug');
        const run = runner(
          (): unknown => {
            if (kind === 'throw') throw value;
            // A promise that rejects with the value, which need not be an Error.
            if (kind === 'reject') {
              return (async () => {
                await Promise.resolve();
                throw value;
              })();
            }
            return value;
          },
          sender,
          { logger },
        );
        const job = fakeJob();
        await settle(run.process(asJob(job), undefined, undefined));
        const sent = reports(sender.calls);
        expect(sent).toHaveLength(1);
        const [call] = sent;
        if (call?.[0] === 'failure') {
          const [, , error, cause] = call as [string, string, unknown, unknown];
          expect(typeof error).toBe('string');
          expect((error as string).length).toBeGreaterThan(0);
          expect((error as string).length).toBeLessThanOrEqual(SFN_LIMITS.errorMaxChars);
          expect(typeof cause).toBe('string');
          expect((cause as string).length).toBeLessThanOrEqual(SFN_LIMITS.causeMaxChars);
          expect(() => JSON.parse(cause as string) as unknown).not.toThrow();
          // A failure is worth a line at info or above, naming the task by its digest.
          expect(
            lines.filter((line) => line.level >= 30 && line['token'] === tokenDigest('token-1')),
          ).not.toEqual([]);
        } else {
          expect(call?.[0]).toBe('success');
          expect(lines.filter((line) => line['token'] === tokenDigest('token-1'))).not.toEqual([]);
        }
        // The outcome was stored before it was sent.
        expect(job.updates).toHaveLength(1);
      }),
      { numRuns: 300, examples },
    );
  });

  it('also when BullMQ retries first (retryInBullmq), over all attempts of the job', async () => {
    await fc.assert(
      fc.asyncProperty(behaviour, fc.integer({ min: 1, max: 3 }), async ({ kind, make }, attempts) => {
        const sender = recordingSender();
        const run = runner(
          (): unknown => {
            const value = make();
            if (kind === 'return') return value;
            throw value;
          },
          sender,
          { retryInBullmq: true },
        );
        const job = fakeJob({}, attempts);
        for (let attempt = 0; attempt < attempts && reports(sender.calls).length === 0; attempt += 1) {
          job.attemptsMade = attempt;
          const result = await settle(run.process(asJob(job), undefined, undefined));
          // What BullMQ is asked to retry is always an Error it can read.
          if (!result.ok) expect(result.value).toBeInstanceOf(Error);
        }
        expect(reports(sender.calls)).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });
});
