import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // A private redis-server (inject('redisUrl')), then the tarballs and the packed CLI's project.
    globalSetup: ['@sfn-bullmq/test-support/vitest-global-setup', 'src/harness/global-setup.ts'],
    // npm installs, tsc and real processes on a shared 2-core machine: generous, and no timed assertions.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // The files spend most of their time in npm installs (network, disk): let them overlap.
    maxWorkers: 3,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  },
});
