// The workspace's packages as pnpm sees them, and the public ones packed into
// tarballs (`pnpm pack` rewrites `workspace:*` into the versions a registry would hold).
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runCommand } from './run-command.js';

/** The repository's root (this file is `test/consumer/src/harness/…`). */
export const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../../..');

/** The parts of a package.json the suite reads. */
export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  main?: string;
  types?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface WorkspacePackage {
  dir: string;
  manifest: PackageJson;
}

export async function readPackageJson(dir: string): Promise<PackageJson> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Every package of the workspace (the root excluded), each with its package.json. */
export async function workspacePackages(root = WORKSPACE_ROOT): Promise<WorkspacePackage[]> {
  // pnpm resolves the workspace globs itself; the suite then reads each package.json as it is on disk.
  const { stdout } = await runCommand('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: root });
  const listed = JSON.parse(stdout) as Array<{ path: string }>;
  const packages: WorkspacePackage[] = [];
  for (const { path } of listed) {
    if (resolve(path) === resolve(root)) continue;
    packages.push({ dir: path, manifest: await readPackageJson(path) });
  }
  return packages;
}

/** The packages a consumer can install: those whose package.json does not say `"private": true`. */
export function publicPackages(packages: readonly WorkspacePackage[]): WorkspacePackage[] {
  return packages.filter((p) => p.manifest.private !== true);
}

/** Every file path a package.json points at: `main`, `types`, `bin` and the `exports` map's targets. */
function entryPoints(manifest: PackageJson): string[] {
  const paths: string[] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') paths.push(value);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(manifest.main);
  visit(manifest.types);
  visit(manifest.bin);
  visit(manifest.exports);
  // Patterns (`./dist/*`) name no one file; `./x` and `x` are the same file in a tarball's list.
  return [...new Set(paths.filter((p) => !p.includes('*')).map((p) => p.replace(/^\.\//, '')))];
}

/** Thrown when a tarball lacks a file its package.json points at (most often: the package is not built). */
class IncompleteTarballError extends Error {
  override readonly name = 'IncompleteTarballError';
}

/** Packs each package into `destination`; resolves with package name → tarball path. */
export async function packPackages(
  packages: readonly WorkspacePackage[],
  destination: string,
): Promise<Record<string, string>> {
  // Settled, not raced: a failure is reported once every pack has ended, so none writes after the teardown.
  const settled = await Promise.allSettled(
    packages.map(async (p) => {
      const { stdout } = await runCommand('pnpm', ['pack', '--pack-destination', destination, '--json'], {
        cwd: p.dir,
        timeoutMs: 120_000,
      });
      const { filename, files } = JSON.parse(stdout) as { filename: string; files: Array<{ path: string }> };
      const inTarball = new Set(files.map((f) => f.path));
      const missing = entryPoints(p.manifest).filter((path) => !inTarball.has(path));
      if (missing.length > 0) {
        throw new IncompleteTarballError(
          `${p.manifest.name}'s tarball lacks ${missing.join(', ')}, which its package.json points at ` +
            `(not built, or being rebuilt? run 'pnpm build')`,
        );
      }
      return [p.manifest.name, filename] as const;
    }),
  );
  const failed = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw failed[0]?.reason;
  return Object.fromEntries(
    settled.map((r) => (r as PromiseFulfilledResult<readonly [string, string]>).value),
  );
}
