// A consumer's project outside the workspace, installed with npm from our tarballs:
// every one of our packages pinned in `overrides` to its `file:` tarball, so that npm
// never asks the registry for a sibling (which it does not hold: a manifest loop, then 404).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runCommand } from './run-command.js';

/** What the suite's global setup hands every test file (see `global-setup.ts`). */
export interface ConsumerContext {
  /** The suite's temporary folder under `os.tmpdir()`, removed in teardown. */
  rootDir: string;
  /** npm's cache, shared by every project of the suite (and kept between runs). */
  npmCacheDir: string;
  /** Package name → tarball path, for every public package. */
  tarballs: Record<string, string>;
  /** The project with only the packed CLI installed (`sfn-bullmq`), or why there is none. */
  cli: { dir: string } | { error: string };
}

export interface NpmProjectSpec {
  /** Folder name under the suite's root, and the project's package name. */
  name: string;
  /** `"type"` of the project's package.json. @default 'module' */
  type?: 'module' | 'commonjs';
  /** Our packages to depend on (by name; each resolves to its tarball). */
  ours: readonly string[];
  /** Registry packages: name → version or range. */
  registry?: Record<string, string>;
  /** Files to write into the project: relative path → content. */
  files?: Record<string, string>;
}

/** Thrown when a project needs one of our packages that was not packed (it is private, or not there). */
class MissingTarballError extends Error {
  override readonly name = 'MissingTarballError';
}

/** The arguments every npm call of the suite shares: its own cache, no audit, no funding notes. */
export function npmCommonArgs(cacheDir: string): string[] {
  return ['--cache', cacheDir, '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier'];
}

/** Writes the project and runs `npm install` in it; resolves with its folder. */
export async function createNpmProject(context: ConsumerContext, spec: NpmProjectSpec): Promise<string> {
  const dir = join(context.rootDir, spec.name);
  const missing = spec.ours.filter((name) => context.tarballs[name] === undefined);
  if (missing.length > 0) {
    throw new MissingTarballError(
      `project ${spec.name} needs ${missing.join(', ')}, which the workspace does not publish ` +
        `(packed: ${Object.keys(context.tarballs).join(', ') || 'nothing'}); a package is packed when its ` +
        `package.json does not say "private": true`,
    );
  }
  const file = (name: string): string => `file:${context.tarballs[name]}`;
  const manifest = {
    name: `consumer-${spec.name}`,
    version: '0.0.0',
    private: true,
    type: spec.type ?? 'module',
    dependencies: {
      ...Object.fromEntries(spec.ours.map((name) => [name, file(name)])),
      ...spec.registry,
    },
    // Every one of ours, not only the direct ones: the siblings they depend on resolve to tarballs too.
    overrides: Object.fromEntries(Object.keys(context.tarballs).map((name) => [name, file(name)])),
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const [path, content] of Object.entries(spec.files ?? {})) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  await runCommand('npm', ['install', ...npmCommonArgs(context.npmCacheDir), '--loglevel=error'], {
    cwd: dir,
    timeoutMs: 240_000,
  });
  return dir;
}
