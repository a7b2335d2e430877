// The progress `pnpm dev` shows while turbo builds the workspace (bin/build-packages.js), read from
// turbo's own lines: a line per package being built, nothing per cached one, and a total.
import { describe, expect, it } from 'vitest';
import { BuildProgress } from '../bin/build-progress.js';

const TURBO_FIRST_RUN = [
  '• Packages in scope: @sfn-bullmq/bridge, @sfn-bullmq/protocol, sfn-bullmq',
  '• Running build in 3 packages',
  '@sfn-bullmq/protocol:build: cache miss, executing 0a1b2c3d4e5f6a7b',
  '@sfn-bullmq/protocol:build: ',
  '@sfn-bullmq/protocol:build: > @sfn-bullmq/protocol@0.1.0 build /repo/packages/protocol',
  '@sfn-bullmq/protocol:build: > tsc -p tsconfig.build.json',
  '@sfn-bullmq/bridge:build: cache hit, suppressing logs 1a2b3c4d5e6f7a8b',
  'sfn-bullmq:build: cache miss, executing 2b3c4d5e6f7a8b9c',
  ' Tasks:    3 successful, 3 total',
];

describe('the build progress of pnpm dev', () => {
  it('names each package turbo builds, skips cached ones, and sums up', () => {
    const progress = new BuildProgress();
    const shown = TURBO_FIRST_RUN.map((line) => progress.line(line)).filter((line) => line !== undefined);
    expect(shown).toEqual(['  building @sfn-bullmq/protocol', '  building sfn-bullmq']);
    expect(progress.summary(41_250)).toBe('built 2 package(s) in 41.3 s (1 cached)');
  });

  it('says the packages are up to date when turbo had them all cached', () => {
    const progress = new BuildProgress();
    progress.line('@sfn-bullmq/protocol:build: cache hit, suppressing logs 0a1b2c3d4e5f6a7b');
    expect(progress.summary(600)).toBe('packages up to date (1 cached, 0.6 s)');
  });
});
