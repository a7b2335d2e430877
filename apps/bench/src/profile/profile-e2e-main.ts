// The `profile` benchmark alone, keeping its .cpuprofile files:
//   pnpm --filter @sfn-bullmq/bench run build
//   pnpm --filter @sfn-bullmq/bench exec node dist/profile/profile-e2e-main.js [--concurrency 50] [--tasks 10000] [--out DIR] [--top 30]
import { parseArgs } from 'node:util';
import { BenchContext } from '../bench-context.js';
import { runProfile } from './profile-bench.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      concurrency: { type: 'string', default: '50' },
      tasks: { type: 'string', default: '10000' },
      out: { type: 'string', default: '/tmp/sfn-bullmq-profile' },
      top: { type: 'string', default: '30' },
    },
  });
  const ctx = await BenchContext.start('default', (line) => console.error(line));
  try {
    const result = await runProfile(ctx, {
      concurrency: Number(values.concurrency),
      tasks: Number(values.tasks),
      outDir: values.out,
      top: Number(values.top),
    });
    console.log(result.markdown);
  } finally {
    await ctx.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
