import { describe, expect, it } from 'vitest';
import {
  isDeclinedOutput,
  sampleDefinition,
  sampleInput,
  sampleStateMachineName,
} from './sample-state-machine.js';

describe('the sample state machine', () => {
  const definition = sampleDefinition({ resize: 'arn:r', charge: 'arn:c' }) as {
    States: Record<string, { Catch?: Array<{ ErrorEquals: string[]; Next: string }> }>;
  };

  it('catches CardDeclined into a handled end state', () => {
    expect(definition.States['ChargeCard']?.Catch).toEqual([
      expect.objectContaining({ ErrorEquals: ['CardDeclined'], Next: 'PaymentDeclined' }),
    ]);
    expect(isDeclinedOutput(JSON.stringify({ orderId: 'o', outcome: 'declined' }))).toBe(true);
    expect(isDeclinedOutput(JSON.stringify({ orderId: 'o', payment: {} }))).toBe(false);
    expect(isDeclinedOutput('not json')).toBe(false);
  });

  it('names the machine after its definition, so creating it again is idempotent', () => {
    const text = JSON.stringify(definition);
    expect(sampleStateMachineName(text)).toBe(sampleStateMachineName(text));
    expect(sampleStateMachineName(text)).not.toBe(sampleStateMachineName(`${text} `));
    expect(sampleStateMachineName(text)).toMatch(/^sfn-bullmq-dev-[0-9a-f]{8}$/);
  });

  it('declines about the asked share of sample orders', () => {
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const declined = Array.from({ length: 1000 }, (_, n) => sampleInput(n, 0.2, random)).filter(
      (i) => i['declined'],
    );
    expect(declined.length).toBeGreaterThan(150);
    expect(declined.length).toBeLessThan(250);
  });
});
