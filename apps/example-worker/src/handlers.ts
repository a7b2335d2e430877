// Two activity handlers to copy: one that does some (simulated) work with
// heartbeats and succeeds, one that fails with a typed error a state machine can Catch.
import { randomUUID } from 'node:crypto';
import { ActivityFailure, type ActivityContext, type ActivityHandler } from '@sfn-bullmq/worker';

export interface ResizeImageInput {
  imageUrl?: string;
  width?: number;
  height?: number;
}

export interface ResizeImageOutput {
  imageUrl: string;
  width: number;
  height: number;
  thumbnailUrl: string;
}

export interface ChargeCardInput {
  amountCents?: number;
  /** Forces a decline, for demos. */
  declined?: boolean;
}

export interface ChargeCardOutput {
  chargeId: string;
  amountCents: number;
}

export interface HandlerOptions {
  /** Simulated work per resize, in milliseconds; a charge takes a quarter of it. @default 200 */
  workMs?: number;
}

/** Charges above this are declined (a stand-in for a payment provider's answer). */
export const MAX_CHARGE_CENTS = 100_000;

/** Builds both handlers with the given simulated work time. */
export function createHandlers(options: HandlerOptions = {}): {
  resizeImage: ActivityHandler<ResizeImageInput, ResizeImageOutput>;
  chargeCard: ActivityHandler<ChargeCardInput, ChargeCardOutput>;
} {
  const workMs = options.workMs ?? 200;
  return {
    async resizeImage(input, context) {
      const { imageUrl = 'https://example.com/cat.png', width = 1024, height = 768 } = input;
      // Work in steps and heartbeat after each, so Step Functions knows we are alive.
      const steps = Math.max(1, Math.ceil(workMs / 100));
      for (let step = 1; step <= steps; step += 1) {
        await work(workMs / steps, context);
        context.heartbeat({ step, of: steps });
      }
      context.log.debug({ imageUrl, width, height }, 'resized');
      return { imageUrl, width, height, thumbnailUrl: `${imageUrl}?w=${Math.round(width / 4)}` };
    },

    async chargeCard(input, context) {
      const amountCents = input.amountCents ?? 1_000;
      await work(workMs / 4, context);
      if (input.declined === true || amountCents > MAX_CHARGE_CENTS) {
        // A typed error: a state machine matches 'CardDeclined' in Catch; retrying would not help.
        throw ActivityFailure.nonRetryable('Card declined', 'CardDeclined');
      }
      return { chargeId: `ch_${randomUUID()}`, amountCents };
    },
  };
}

const defaults = createHandlers();

/** Resizes an image (simulated, 200 ms) with heartbeats. */
export const resizeImage = defaults.resizeImage;
/** Charges a card (simulated); declines `{ declined: true }` and amounts over 100,000 cents with `CardDeclined`. */
export const chargeCard = defaults.chargeCard;

/** Waits `ms`, or rejects with the signal's reason when the task is cancelled. */
function work(ms: number, { signal }: ActivityContext): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
