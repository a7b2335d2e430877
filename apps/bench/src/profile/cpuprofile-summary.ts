// Sums a V8 .cpuprofile by where the time went: self time per function, and per "bucket" (HTTP
// client, signing, JSON, BullMQ, ioredis, logging, GC…), each frame charged to the nearest frame of
// a library or of ours above it, so node's socket and stream internals count for whoever called them.
import { readFile } from 'node:fs/promises';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Sampled CPU time, µs (idle left out). */
  busyUs: number;
  wallUs: number;
  buckets: { bucket: string; us: number }[];
  functions: { name: string; where: string; us: number }[];
}

/** Where a frame's code lives: a package name, one of ours with its file, or a node module. */
function placeOf(frame: CallFrame): string {
  const { url } = frame;
  if (url === '') return '';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const ours = /\/(packages|apps)\/([^/]+)\/(?:dist|src)\/(.+?)\.[jt]s$/.exec(url);
  if (ours !== null) return `${ours[2]}/${ours[3]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\/.*\//, '');
}

const isNodeOrNative = (place: string): boolean => place === '' || place.startsWith('node:');

/** The bucket a frame's time is charged to, from itself and the nearest library or own frame above it. */
function bucketOf(frame: CallFrame, place: string, owner: string): string {
  const name = frame.functionName;
  if (name === '(garbage collector)') return 'GC';
  if (name === '(program)') return 'V8 and native, no JS caller (program)';
  if (place === '' && (name === 'parse' || name === 'stringify')) return 'JSON';
  const who = owner === '' ? place : owner;
  if (who === '') return `native, no JS caller (${name})`;
  if (who.startsWith('protocol/sigv4')) return 'signing (SigV4)';
  if (who.startsWith('protocol/http-exchange') || who === 'undici') return 'HTTP client (exchange)';
  if (who.startsWith('protocol/')) return `protocol: ${who.slice('protocol/'.length)}`;
  if (who === 'bullmq') return 'BullMQ';
  if (
    who === 'ioredis' ||
    who === 'redis-parser' ||
    who === '@ioredis/commands' ||
    who === 'cluster-key-slot'
  )
    return 'ioredis';
  if (who === 'pino' || who === 'sonic-boom' || who === 'thread-stream' || who.startsWith('pino-'))
    return 'logging (pino)';
  if (who === 'prom-client') return 'metrics (prom-client)';
  if (who.startsWith('@aws-sdk/') || who.startsWith('@smithy/') || who.startsWith('@aws-crypto/'))
    return 'AWS SDK (credentials, config)';
  if (who.startsWith('bridge/') || who.startsWith('worker/')) return who;
  if (who.startsWith('bench/')) return 'benchmark harness';
  if (who.startsWith('node:_http') || who === 'node:http') return 'node:http (no library caller)';
  if (who.startsWith('node:'))
    return `node internals, no library caller (${who.replace(/^node:(internal\/)?/, '')})`;
  return who;
}

export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time before sample i; the time a sample stands for is the delta after it.
  for (let i = 0; i < profile.samples.length; i += 1) {
    const next = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + next);
  }
  const ownerCache = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const cached = ownerCache.get(id);
    if (cached !== undefined) return cached;
    const up = parent.get(id);
    let owner = '';
    if (up !== undefined) {
      const place = placeOf(byId.get(up)!.callFrame);
      owner = isNodeOrNative(place) ? ownerOf(up) : place;
    }
    ownerCache.set(id, owner);
    return owner;
  };
  const buckets = new Map<string, number>();
  const functions = new Map<string, { name: string; where: string; us: number }>();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)' || us === 0) continue;
    busyUs += us;
    const place = placeOf(frame);
    const bucket = bucketOf(frame, place, isNodeOrNative(place) ? ownerOf(id) : place);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + us);
    const key = `${frame.functionName}@${place}:${frame.lineNumber}`;
    const entry = functions.get(key) ?? {
      name: frame.functionName || '(anonymous)',
      where: `${place}:${frame.lineNumber + 1}`,
      us: 0,
    };
    entry.us += us;
    functions.set(key, entry);
  }
  return {
    busyUs,
    wallUs: profile.endTime - profile.startTime,
    buckets: [...buckets].map(([bucket, us]) => ({ bucket, us })).sort((a, b) => b.us - a.us),
    functions: [...functions.values()].sort((a, b) => b.us - a.us),
  };
}

export async function readProfile(path: string): Promise<CpuProfile> {
  return JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
}
