// Bull Board for the activity queues at /admin/queues, with task tokens masked:
// a token is a credential for its task, so the dashboard shows only its digest.
// Bull Board's "edit data" sends back what it showed, mask included; a guard in
// front of that route puts the real token back or refuses the edit (see checkJobDataEdit).
// Its "add job" (and "duplicate", which starts from the shown data) has no token to put back:
// a guard refuses a mask and anything that is not a job a worker can run (see checkJobAdd).
import { isDeepStrictEqual } from 'node:util';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { isInvalidJobError, jobIdForToken, parseActivityJob, tokenDigest } from '@sfn-bullmq/protocol';
import type { Queue } from 'bullmq';
import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';

export const BOARD_PATH = '/admin/queues';

/** Bull Board's "edit job data" route (body `{ jobData }`, handler `job.updateData(jobData)`), under the base path. */
const UPDATE_DATA_ROUTE = '/api/queues/:queueName/:jobId/update-data';

/** Bull Board's "add job" route (body `{ name, data, options }`, handler `queue.add(name, data, options)`). */
const ADD_JOB_ROUTE = '/api/queues/:queueName/add';

/**
 * The largest edit body the guard takes. Bull Board's own parser has express's 100 kB default, but a
 * task's input alone may be 256 KiB; once the guard has read the body, Bull Board's parser skips it
 * (body-parser 2 passes over a request whose body stream is finished).
 */
const EDIT_BODY_LIMIT = '1mb';

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

const MASK_PREFIX = '<masked, sha256 ';

/** True for a value the board shows in place of a token (never a token: Step Functions' tokens have no '<'). */
export function isMaskedToken(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(MASK_PREFIX);
}

/** Job data with `taskToken` replaced by its mask; other fields as they are. */
export function maskJobData(data: unknown): unknown {
  if (!isRecord(data)) return data;
  const token = data['taskToken'];
  return typeof token === 'string' ? { ...data, taskToken: maskToken(token) } : data;
}

/**
 * Fields the bridge (activityArn, workerName, receivedAt) and the worker (sfnOutcome) write. The board
 * shows them as they are, so an edit sends back the stored value; left out, the job keeps its value;
 * any other value is refused. They say where the token came from and when its clocks started, and
 * sfnOutcome is what a retry re-sends instead of running the handler again: a hand-made one would be
 * reported to Step Functions as the handler's. So an edit of `input` on a job with a stored outcome
 * keeps the outcome (the task gets the outcome it already had). `input`, `inputIsRaw` and any field
 * of the caller's own stay editable.
 */
const FIXED_JOB_DATA_FIELDS = ['activityArn', 'workerName', 'receivedAt', 'sfnOutcome'] as const;

export type JobDataEditCheck =
  | { ok: true; jobData: Record<string, unknown> }
  | { ok: false; error: 'InvalidJobData' | 'TaskTokenNotEditable' | 'FieldNotEditable'; message: string };

/**
 * What an edit from the board may store, given the job's data now (`stored`) and the edit (`submitted`).
 * The task token is never edited: the mask the board showed, the real token, or no `taskToken` at all
 * stores the job's own token; any other value is refused, so neither a mask nor a missing token reaches
 * Redis. Fixed fields: see FIXED_JOB_DATA_FIELDS.
 */
export function checkJobDataEdit(stored: unknown, submitted: unknown): JobDataEditCheck {
  if (!isRecord(submitted)) {
    return {
      ok: false,
      error: 'InvalidJobData',
      message: `jobData: must be a JSON object (the job's data), got ${kindOf(submitted)}; nothing was changed`,
    };
  }
  const current = isRecord(stored) ? stored : {};
  const jobData: Record<string, unknown> = { ...submitted };

  const token = typeof current['taskToken'] === 'string' ? current['taskToken'] : undefined;
  const sentToken = submitted['taskToken'];
  if (
    sentToken === undefined ||
    (token !== undefined && (sentToken === token || sentToken === maskToken(token)))
  ) {
    if (token === undefined) delete jobData['taskToken'];
    else jobData['taskToken'] = token;
  } else {
    const expected = token === undefined ? 'this job has no task token' : `send ${maskToken(token)} as shown`;
    return {
      ok: false,
      error: 'TaskTokenNotEditable',
      message: `jobData.taskToken: the task token cannot be edited (${expected}, or leave it out, and the job keeps its token); nothing was changed`,
    };
  }

  for (const field of FIXED_JOB_DATA_FIELDS) {
    const sent = submitted[field];
    if (sent === undefined) {
      if (field in current) jobData[field] = current[field];
      else delete jobData[field];
    } else if (!isDeepStrictEqual(sent, current[field])) {
      return {
        ok: false,
        error: 'FieldNotEditable',
        message: `jobData.${field}: written by sfn-bullmq and cannot be edited (send it as shown, or leave it out, and the job keeps its value); nothing was changed`,
      };
    }
  }
  return { ok: true, jobData };
}

export type JobAddCheck =
  | { ok: true; body: Record<string, unknown> }
  | {
      ok: false;
      error:
        'InvalidRequestBody' | 'InvalidJobData' | 'TaskTokenMasked' | 'FieldNotAddable' | 'JobIdNotAddable';
      message: string;
    };

/**
 * What "add job" may store, given its body `{ name, data, options }`: an ActivityJobData with a real
 * token (a mask, which "duplicate" starts from, is refused: Step Functions would answer InvalidToken),
 * without a stored outcome (a hand-made one would be reported as the handler's), under the job id the
 * bridge gives that token (so the same token is one job, never two).
 */
export function checkJobAdd(body: unknown): JobAddCheck {
  if (!isRecord(body)) {
    return {
      ok: false,
      error: 'InvalidRequestBody',
      message: `the body must be a JSON object {"name", "data", "options"}, got ${kindOf(body)}; nothing was added`,
    };
  }
  const data = body['data'];
  if (isRecord(data) && isMaskedToken(data['taskToken'])) {
    return {
      ok: false,
      error: 'TaskTokenMasked',
      message:
        'data.taskToken: this is the mask the board shows in place of a task token, not a token; Step Functions would refuse it (InvalidToken). To run a task again, retry its own job; nothing was added',
    };
  }
  let taskToken: string;
  try {
    taskToken = parseActivityJob(data).taskToken;
  } catch (error) {
    if (!isInvalidJobError(error)) throw error;
    return {
      ok: false,
      error: 'InvalidJobData',
      message: `data: not a job a worker can run: ${error.message.slice(error.code.length + 2)}; nothing was added`,
    };
  }
  if (isRecord(data) && data['sfnOutcome'] !== undefined) {
    return {
      ok: false,
      error: 'FieldNotAddable',
      message:
        "data.sfnOutcome: written by sfn-bullmq when a task ends; a job added with one would report it as the handler's. Leave it out; nothing was added",
    };
  }
  const options = body['options'] ?? {};
  if (!isRecord(options)) {
    return {
      ok: false,
      error: 'InvalidRequestBody',
      message: `options: must be a JSON object, got ${kindOf(options)}; nothing was added`,
    };
  }
  const jobId = jobIdForToken(taskToken);
  if (options['jobId'] !== undefined && options['jobId'] !== jobId) {
    return {
      ok: false,
      error: 'JobIdNotAddable',
      message: `options.jobId: a task's job id is derived from its token (${jobId}); leave it out; nothing was added`,
    };
  }
  return { ok: true, body: { ...body, options: { ...options, jobId } } };
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
  const board = serverAdapter.getRouter() as Router;
  // Read-only: Bull Board refuses every edit itself (405), before it looks at the body.
  if (readOnly) return board;

  // Bull Board registers a queue under its adapter's name: the queue's name, as no prefix is set here.
  const byName = new Map(queues.map((queue) => [queue.name, queue]));
  const router = express.Router();
  router.patch(
    UPDATE_DATA_ROUTE,
    express.json({ limit: EDIT_BODY_LIMIT }),
    guardJobDataEdit(byName),
    answerGuardError,
  );
  router.post(ADD_JOB_ROUTE, express.json({ limit: EDIT_BODY_LIMIT }), guardJobAdd(byName), answerGuardError);
  router.use(board);
  return router;
}

/** Lets through only an add that stores a runnable job under its token's id, or answers 400 and adds nothing. */
function guardJobAdd(queues: ReadonlyMap<string, Queue>): RequestHandler<{ queueName: string }> {
  return (request, response, next) => {
    // An unknown queue: Bull Board answers as it does (404).
    if (!queues.has(request.params.queueName)) return next();
    const check = checkJobAdd(request.body);
    if (!check.ok) {
      response.status(400).json({ error: check.error, message: check.message });
      return;
    }
    request.body = check.body;
    next();
  };
}

/** Puts the job's real token (and fixed fields) into the edit, or answers 400 and changes nothing. */
function guardJobDataEdit(
  queues: ReadonlyMap<string, Queue>,
): RequestHandler<{ queueName: string; jobId: string }> {
  return async (request, response, next) => {
    const queue = queues.get(request.params.queueName);
    // An unknown queue or job: Bull Board answers as it does (404).
    if (queue === undefined) return next();
    const job = await queue.getJob(request.params.jobId);
    if (job === undefined) return next();
    // A worker stores the task's outcome in the job's data while the job is active; an edit written then
    // would overwrite it, and a retry would run the handler again instead of re-sending the outcome.
    if (await job.isActive()) {
      response.status(409).json({
        error: 'JobIsActive',
        message: `job ${job.id ?? request.params.jobId} is being processed by a worker; edit its data while it is waiting, delayed or failed; nothing was changed`,
      });
      return;
    }
    const body: unknown = request.body;
    const check = checkJobDataEdit(job.data, isRecord(body) ? body['jobData'] : undefined);
    if (!check.ok) {
      response.status(400).json({ error: check.error, message: check.message });
      return;
    }
    // The token of a job never changes (the job id is derived from it), so putting it back is never stale.
    // The fixed fields could be only if a worker took the job and stored its outcome in the moment between
    // the isActive() check above and Bull Board's write (the handler runs in between, so hardly ever).
    request.body = { ...(body as Record<string, unknown>), jobData: check.jobData };
    next();
  };
}

/** A body that is not JSON, too large, or Redis failing while the guard reads the job: a JSON answer, nothing changed. */
const answerGuardError: ErrorRequestHandler = (error: unknown, _request, response, _next) => {
  const status = isRecord(error) && typeof error['status'] === 'number' ? error['status'] : 500;
  if (status === 413) {
    response.status(413).json({
      error: 'InvalidRequestBody',
      message: `the body is larger than ${EDIT_BODY_LIMIT}; nothing was changed`,
    });
  } else if (status >= 400 && status < 500) {
    // Not the parser's message: it may quote the body, token and all.
    response.status(400).json({
      error: 'InvalidRequestBody',
      message:
        'the body must be JSON ({"jobData": {...}} to edit, {"name", "data", "options"} to add); nothing was changed',
    });
  } else {
    response.status(500).json({
      error: 'JobDataEditFailed',
      message: `could not read the job to check the edit (${errorMessage(error)}); nothing was changed`,
    });
  }
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
