// The emulator states AWS's limits on its own (it imports nothing of ours) and the
// protocol package states them for clients; both are read from docs/step-functions.md#limits
// and must agree, or the emulator would accept what AWS refuses (or refuse what it accepts).
import { AWS_LIMITS } from '@sfn-bullmq/emulator';
import { SFN_LIMITS } from '@sfn-bullmq/protocol';
import { describe, expect, it } from 'vitest';

describe("the emulator's limits and @sfn-bullmq/protocol's SFN_LIMITS", () => {
  it('agree on every limit both state', () => {
    expect({
      taskTokenMaxChars: AWS_LIMITS.taskTokenMaxChars,
      outputMaxBytes: AWS_LIMITS.outputMaxBytes,
      errorMaxChars: AWS_LIMITS.errorMaxChars,
      causeMaxChars: AWS_LIMITS.causeMaxChars,
      pollsPerActivityMax: AWS_LIMITS.pollsPerActivityMax,
      activityArnMaxChars: AWS_LIMITS.arnMaxChars,
      workerNameMaxChars: AWS_LIMITS.nameMaxChars,
    }).toEqual(SFN_LIMITS);
  });
});
