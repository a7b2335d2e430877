// What our packages ask of a consumer's bullmq and ioredis, read from their package.json,
// and the registry's versions of bullmq within those ranges.
import { runCommand } from './run-command.js';
import { workspacePackages, type PackageJson } from './workspace-packages.js';

/** The packages whose bullmq must be the consumer's own (one copy, shared with the app's Worker). */
const BULLMQ_USERS = ['@sfn-bullmq/bridge', '@sfn-bullmq/worker'] as const;

async function manifest(name: string): Promise<PackageJson> {
  const found = (await workspacePackages()).find((p) => p.manifest.name === name);
  if (found === undefined) throw new Error(`no workspace package is named ${name}`);
  return found.manifest;
}

/** The range the first of `BULLMQ_USERS` that names `dependency` asks for (as a peer, else as a dependency). */
async function declaredRange(dependency: string): Promise<string | undefined> {
  for (const name of BULLMQ_USERS) {
    const m = await manifest(name);
    const range = m.peerDependencies?.[dependency] ?? m.dependencies?.[dependency];
    if (range !== undefined) return range;
  }
  return undefined;
}

/**
 * What a consumer installs next to our packages, as their READMEs tell: bullmq and ioredis in the
 * ranges we declare (the newest release within them; ioredis left out if none of ours names it).
 */
export async function queueDependencies(): Promise<Record<string, string>> {
  const deps: Record<string, string> = {};
  for (const dependency of ['bullmq', 'ioredis']) {
    const range = await declaredRange(dependency);
    if (range !== undefined) deps[dependency] = range;
  }
  if (deps['bullmq'] === undefined) throw new Error(`none of ${BULLMQ_USERS.join(', ')} depends on bullmq`);
  return deps;
}

/** Each of `BULLMQ_USERS` → its `peerDependencies.bullmq`; throws naming a package that has none. */
export async function bullmqPeerRanges(): Promise<Record<string, string>> {
  const ranges: Record<string, string> = {};
  for (const name of BULLMQ_USERS) {
    const m = await manifest(name);
    const range = m.peerDependencies?.['bullmq'];
    if (range === undefined) {
      const dependency = m.dependencies?.['bullmq'];
      throw new Error(
        `${name} has no peerDependencies.bullmq` +
          (dependency === undefined ? '' : ` (bullmq is a dependency, ${dependency})`) +
          `: a consumer's own bullmq would then be a second copy next to ours`,
      );
    }
    ranges[name] = range;
  }
  return ranges;
}

/** Versions of bullmq on the registry within `range`, oldest first (npm resolves the range). */
export async function bullmqVersionsIn(
  range: string,
  npmArgs: readonly string[],
  cwd: string,
): Promise<string[]> {
  const { stdout } = await runCommand('npm', ['view', `bullmq@${range}`, 'version', '--json', ...npmArgs], {
    cwd,
  });
  const parsed = JSON.parse(stdout) as string | string[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

/** Major.minor.patch of a plain version, for ordering (pre-releases are not candidates). */
function parts(version: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compare(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * The bullmq a consumer on "another version" would have: within every range, not `ours` (the
 * workspace's own). Prefer the newest release of an older major (a team not yet on our major), else
 * the newest older release of our major, else the newest newer one. Undefined when none is left.
 */
export function pickOtherBullmq(candidates: readonly string[], ours: string): string | undefined {
  const own = parts(ours);
  if (own === undefined) throw new Error(`not a plain version: ${ours}`);
  const plain = candidates
    .map((v) => ({ v, p: parts(v) }))
    .filter((c): c is { v: string; p: [number, number, number] } => c.p !== undefined && c.v !== ours)
    .sort((a, b) => compare(a.p, b.p));
  const olderMajor = plain.filter((c) => c.p[0] < own[0]);
  const olderSameMajor = plain.filter((c) => c.p[0] === own[0] && compare(c.p, own) < 0);
  const newer = plain.filter((c) => compare(c.p, own) > 0);
  return (olderMajor.at(-1) ?? olderSameMajor.at(-1) ?? newer.at(-1))?.v;
}
