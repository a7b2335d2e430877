// Vitest global setup: packs every public package once, installs the packed CLI into a
// project of its own (the emulator of every check comes from it), and removes it all at the end.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Its ProvidedContext entry (redisUrl) is what every check's inject('redisUrl') reads.
import type {} from '@sfn-bullmq/test-support/vitest-global-setup';
import type { TestProject } from 'vitest/node';
import { createNpmProject, type ConsumerContext } from './npm-project.js';
import { packPackages, publicPackages, WORKSPACE_ROOT, workspacePackages } from './workspace-packages.js';

declare module 'vitest' {
  export interface ProvidedContext {
    consumer: ConsumerContext;
  }
}

/** The CLI's package name (apps/cli). */
export const CLI_PACKAGE = 'sfn-bullmq';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Outside the workspace, so that npm finds no parent project and nothing resolves through pnpm's links.
  const rootDir = await mkdtemp(join(tmpdir(), 'sfn-bullmq-consumer-'));
  // SFN_CONSUMER_KEEP=1 keeps the projects (and what the checks wrote into them) to look at after a failure.
  const keep = process.env['SFN_CONSUMER_KEEP'] === '1';
  const teardown = async (): Promise<void> => {
    if (keep) process.stdout.write(`consumer suite: kept ${rootDir} (SFN_CONSUMER_KEEP=1)\n`);
    else await rm(rootDir, { recursive: true, force: true });
  };
  try {
    // Kept between runs (gitignored): a warm cache turns each install into a copy.
    const npmCacheDir = join(WORKSPACE_ROOT, 'test/consumer/.tmp/npm-cache');
    await mkdir(npmCacheDir, { recursive: true });
    const tarballDir = join(rootDir, 'tarballs');
    await mkdir(tarballDir);
    const published = publicPackages(await workspacePackages());
    const tarballs = await packPackages(published, tarballDir);
    process.stdout.write(`consumer suite: packed ${Object.keys(tarballs).join(', ')} into ${tarballDir}\n`);

    const context: ConsumerContext = { rootDir, npmCacheDir, tarballs, cli: { error: '' } };
    try {
      const dir = await createNpmProject(context, { name: 'cli', ours: [CLI_PACKAGE] });
      context.cli = { dir };
    } catch (error) {
      context.cli = { error: error instanceof Error ? error.message : String(error) };
    }
    project.provide('consumer', context);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
