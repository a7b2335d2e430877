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
  },
});
