// Bull Board for the activity queues at /admin/queues, with task tokens masked:
// a token is a credential for its task, so the dashboard shows only its digest.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { tokenDigest } from '@sfn-bullmq/shared';
import type { Queue } from 'bullmq';
import type { Router } from 'express';

export const BOARD_PATH = '/admin/queues';

export interface BoardOptions {
  queues: readonly Queue[];
  /** No buttons that change jobs. */
  readOnly: boolean;
  basePath?: string;
}

/** What the board shows in place of a token. */
export function maskToken(token: string): string {
  return `<masked, sha256 ${tokenDigest(token)}…>`;
}

/** Job data with `taskToken` replaced by its mask; other fields as they are. */
export function maskJobData(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const record = data as Record<string, unknown>;
  const token = record['taskToken'];
  return typeof token === 'string' ? { ...record, taskToken: maskToken(token) } : data;
}

/** An express router serving Bull Board for `queues`. */
export function createBoardRouter({ queues, readOnly, basePath = BOARD_PATH }: BoardOptions): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  const adapters = queues.map((queue) => {
    const adapter = new BullMQAdapter(queue, { readOnlyMode: readOnly });
    adapter.setFormatter('data', maskJobData);
    return adapter;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: { uiConfig: { boardTitle: 'sfn-bullmq' } },
  });
  return serverAdapter.getRouter() as Router;
}
