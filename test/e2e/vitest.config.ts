import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Names the results file and prints the scenario table after the last file.
    globalSetup: ['src/harness/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // Scenarios start real processes; run them one at a time on a 2-core machine.
    fileParallelism: false,
    // The SDK's notice that releases after January 2027 need Node 22: versions are pinned (docs/aws-sdk.md#pinned-sdk-version).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
