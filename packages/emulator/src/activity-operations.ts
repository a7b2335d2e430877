// The activity and task operations of the Step Functions API: request validation,
// limits and response shapes, on top of the ActivityBroker.
import type { ActivityBroker, ActivityDescription, PollSink } from './activity-broker.js';
import { AWS_LIMITS } from './aws-limits.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import { NO_RESPONSE, type OperationHandler } from './operation.js';
import { serviceErrors } from './service-error.js';
import { RequestValidator, assertValidResourceName } from './validation.js';

export function activityOperations(broker: ActivityBroker): Map<string, OperationHandler> {
  const operations = new Map<string, OperationHandler>();

  operations.set('CreateActivity', (body) => {
    const check = new RequestValidator(body);
    const name = check.requiredString('name', { min: 1, max: AWS_LIMITS.nameMaxChars });
    check.throwIfInvalid();
    assertValidResourceName(name);
    const activity = broker.createActivity(name);
    return { activityArn: activity.activityArn, creationDate: epochSeconds(activity.creationDate) };
  });

  operations.set('DeleteActivity', (body) => {
    const check = new RequestValidator(body);
    const arn = check.requiredString('activityArn', { min: 1, max: AWS_LIMITS.arnMaxChars });
    check.throwIfInvalid();
    broker.deleteActivity(arn);
    return {};
  });

  operations.set('DescribeActivity', (body) => {
    const check = new RequestValidator(body);
    const arn = check.requiredString('activityArn', { min: 1, max: AWS_LIMITS.arnMaxChars });
    check.throwIfInvalid();
    return activityBody(broker.describeActivity(arn));
  });

  operations.set('ListActivities', (body) => {
    const check = new RequestValidator(body);
    const pageSize = check.pageSize();
    const nextToken = check.optionalString('nextToken', { min: 1, max: 1024 });
    check.throwIfInvalid();
    const offset = nextToken === undefined ? 0 : decodePageToken(nextToken);
    const all = broker.listActivities();
    const page = all.slice(offset, offset + pageSize);
    const result: { activities: unknown[]; nextToken?: string } = { activities: page.map(activityBody) };
    if (offset + pageSize < all.length) result.nextToken = encodePageToken(offset + pageSize);
    return result;
  });

  operations.set('GetActivityTask', (body, context) => {
    const check = new RequestValidator(body);
    const arn = check.requiredString('activityArn', { min: 1, max: AWS_LIMITS.arnMaxChars });
    const workerName = check.optionalString('workerName', { min: 1, max: AWS_LIMITS.nameMaxChars });
    check.throwIfInvalid();
    return new Promise<unknown>((resolve) => {
      const sink: PollSink = {
        answer: (reply) =>
          resolve(reply === undefined ? {} : new PollAnswer(reply.taskToken, reply.input, reply.lost)),
        drop: () => resolve(NO_RESPONSE),
      };
      const poll = broker.poll(arn, workerName, sink);
      context.onClientGone(() => poll.clientGone());
    });
  });

  operations.set('SendTaskSuccess', (body) => {
    const check = new RequestValidator(body);
    const token = check.requiredString('taskToken', { min: 1, max: AWS_LIMITS.taskTokenMaxChars });
    const output = check.requiredString('output', { max: AWS_LIMITS.outputMaxBytes });
    check.throwIfInvalid();
    if (Buffer.byteLength(output, 'utf8') > AWS_LIMITS.outputMaxBytes) {
      throw serviceErrors.invalidOutput(
        `Output exceeds the maximum size of ${AWS_LIMITS.outputMaxBytes} bytes`,
      );
    }
    try {
      JSON.parse(output);
    } catch {
      throw serviceErrors.invalidOutput('Output is not valid JSON');
    }
    // Refused while the task is still open, so the worker can report again (see MAX_JSON_DEPTH).
    if (nestsDeeperThan(output, MAX_JSON_DEPTH)) {
      throw serviceErrors.invalidOutput(
        `Output nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    broker.sendTaskSuccess(token, output);
    return {};
  });

  operations.set('SendTaskFailure', (body) => {
    const check = new RequestValidator(body);
    const token = check.requiredString('taskToken', { min: 1, max: AWS_LIMITS.taskTokenMaxChars });
    const error = check.optionalString('error', { max: AWS_LIMITS.errorMaxChars });
    const cause = check.optionalString('cause', { max: AWS_LIMITS.causeMaxChars });
    check.throwIfInvalid();
    broker.sendTaskFailure(token, error, cause);
    return {};
  });

  operations.set('SendTaskHeartbeat', (body) => {
    const check = new RequestValidator(body);
    const token = check.requiredString('taskToken', { min: 1, max: AWS_LIMITS.taskTokenMaxChars });
    check.throwIfInvalid();
    broker.sendTaskHeartbeat(token);
    return {};
  });

  return operations;
}

/** A poll's reply carrying a token; the server calls `lost()` if it cannot be written. */
export class PollAnswer {
  constructor(
    readonly taskToken: string,
    readonly input: string,
    readonly lost: () => void,
  ) {}

  toJSON(): { taskToken: string; input: string } {
    return { taskToken: this.taskToken, input: this.input };
  }
}

/** Timestamps in bodies are epoch seconds with a fraction (docs/step-functions.md#wire-protocol). */
function epochSeconds(ms: number): number {
  return ms / 1000;
}

function activityBody(activity: ActivityDescription): Record<string, unknown> {
  return {
    activityArn: activity.activityArn,
    name: activity.name,
    creationDate: epochSeconds(activity.creationDate),
  };
}
