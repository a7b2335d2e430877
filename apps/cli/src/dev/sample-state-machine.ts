// The sample workflow dev mode runs: resize an image, then charge a card. A
// declined card is caught (`CardDeclined`) and ends in a handled state, not a failure.
import { createHash } from 'node:crypto';
import { ENQUEUE_FAILED_ERROR } from '@sfn-bullmq/protocol';

export const SAMPLE_ACTIVITIES = { resize: 'resize-image', charge: 'charge-card' } as const;

/** The Amazon States Language definition, as an object. */
export function sampleDefinition(arns: { resize: string; charge: string }): Record<string, unknown> {
  return {
    Comment: 'sfn-bullmq dev: resize an image, then charge the card; a declined card is handled.',
    StartAt: 'ResizeImage',
    States: {
      ResizeImage: {
        Type: 'Task',
        Resource: arns.resize,
        TimeoutSeconds: 120,
        HeartbeatSeconds: 30,
        // Safe to run again: resizing is idempotent, and an enqueue failure means it never ran.
        Retry: [
          {
            ErrorEquals: ['States.Timeout', ENQUEUE_FAILED_ERROR],
            IntervalSeconds: 1,
            MaxAttempts: 2,
            BackoffRate: 2,
          },
        ],
        ResultPath: '$.resized',
        Next: 'ChargeCard',
      },
      ChargeCard: {
        Type: 'Task',
        Resource: arns.charge,
        TimeoutSeconds: 120,
        // Only what surely did not charge is retried: the bridge could not store the task.
        Retry: [{ ErrorEquals: [ENQUEUE_FAILED_ERROR], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ['CardDeclined'], ResultPath: '$.declined', Next: 'PaymentDeclined' }],
        ResultPath: '$.payment',
        End: true,
      },
      PaymentDeclined: {
        Type: 'Pass',
        Result: 'declined',
        ResultPath: '$.outcome',
        End: true,
      },
    },
  };
}

/** A state machine name that changes with the definition, so CreateStateMachine stays idempotent. */
export function sampleStateMachineName(definition: string): string {
  return `sfn-bullmq-dev-${createHash('sha256').update(definition).digest('hex').slice(0, 8)}`;
}

/** The input of sample execution `n`: about `declineRate` of them have a declined card. */
export function sampleInput(
  n: number,
  declineRate: number,
  random: () => number = Math.random,
): Record<string, unknown> {
  return {
    orderId: `order-${n}`,
    imageUrl: `https://example.com/images/${n}.jpg`,
    width: 1920,
    height: 1080,
    amountCents: 500 + Math.floor(random() * 20_000),
    declined: random() < declineRate,
  };
}

/** True when a succeeded execution's output shows the handled decline. */
export function isDeclinedOutput(output: string | undefined): boolean {
  if (output === undefined) return false;
  try {
    return (JSON.parse(output) as { outcome?: unknown }).outcome === 'declined';
  } catch {
    return false;
  }
}
