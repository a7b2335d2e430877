// The errors the emulator answers with, shaped as Step Functions sends them:
// `{"__type":"<namespace>#<Name>","message":"…"}` with HTTP 400 or the modelled status.

const SFN_NAMESPACE = 'com.amazonaws.swf.service.v2.model';
const VALIDATE_NAMESPACE = 'com.amazon.coral.validate';

/** An error the emulator sends to the client as an awsJson1_0 error body. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';

  constructor(
    /** The error's name as the SDK will read it, e.g. `TaskTimedOut`. */
    readonly errorName: string,
    message: string,
    /** HTTP status of the reply. */
    readonly httpStatus = 400,
    readonly namespace = SFN_NAMESPACE,
  ) {
    super(message);
  }

  /** The `__type` field of the reply body. */
  get type(): string {
    return `${this.namespace}#${this.errorName}`;
  }

  toBody(): { __type: string; message: string } {
    return { __type: this.type, message: this.message };
  }
}

/** Errors with the messages that real AWS sends (docs/step-functions.md#error-names). */
export const serviceErrors = {
  activityDoesNotExist: (arn: string) =>
    new ServiceError('ActivityDoesNotExist', `Activity Does Not Exist: '${arn}'`),
  invalidArn: (detail: string) => new ServiceError('InvalidArn', `Invalid Arn: '${detail}'`),
  invalidName: (name: string) => new ServiceError('InvalidName', `Invalid Name: '${name}'`),
  invalidToken: () => new ServiceError('InvalidToken', `Invalid Token: 'Invalid token'`),
  taskTimedOut: () =>
    new ServiceError('TaskTimedOut', `Task Timed Out: 'Provided task does not exist anymore'`),
  invalidOutput: (detail: string) => new ServiceError('InvalidOutput', `Invalid Output: '${detail}'`),
  activityWorkerLimitExceeded: () =>
    new ServiceError(
      'ActivityWorkerLimitExceeded',
      'The maximum number of workers concurrently polling for activity tasks has been reached.',
    ),
  executionDoesNotExist: (arn: string) =>
    new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`),
  executionAlreadyExists: (arn: string) =>
    new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`),
  stateMachineDoesNotExist: (arn: string) =>
    new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`),
  stateMachineAlreadyExists: (arn: string) =>
    new ServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`),
  invalidDefinition: (detail: string) =>
    new ServiceError('InvalidDefinition', `Invalid State Machine Definition: '${detail}'`),
  invalidExecutionInput: (detail: string) =>
    new ServiceError('InvalidExecutionInput', `Invalid Execution Input: '${detail}'`),
  validation: (message: string) => new ServiceError('ValidationException', message, 400, VALIDATE_NAMESPACE),
  serialization: (message: string) =>
    new ServiceError('SerializationException', message, 400, 'com.amazon.coral.service'),
  unknownOperation: (target: string) =>
    new ServiceError(
      'UnknownOperationException',
      `Unknown operation: '${target}'`,
      400,
      'com.amazon.coral.service',
    ),
  throttling: () =>
    new ServiceError('ThrottlingException', 'Rate exceeded', 400, 'com.amazon.coral.availability'),
  /**
   * An unexpected error inside the emulator (a bug, or a limit it does not check): HTTP 500, which the SDK
   * retries. Never says "injected": only the fault injector's answers do.
   */
  internalFailure: (cause: unknown) =>
    new ServiceError(
      'InternalFailure',
      `Internal failure: the emulator hit an unexpected error (${describeCause(cause)})`,
      500,
      'com.amazon.coral.service',
    ),
  /** Answered to every call while the emulator closes. */
  shuttingDown: () =>
    new ServiceError(
      'ServiceUnavailable',
      'Service unavailable: the emulator is shutting down',
      503,
      'com.amazon.coral.service',
    ),
  /** The `errorRate` fault's two answers. */
  injectedInternalFailure: () =>
    new ServiceError('InternalFailure', 'Internal failure (injected)', 500, 'com.amazon.coral.service'),
  injectedServiceUnavailable: () =>
    new ServiceError('ServiceUnavailable', 'Service unavailable (injected)', 503, 'com.amazon.coral.service'),
} as const;

/** `Name: message` of an unexpected error, short enough for a reply. */
export function describeCause(cause: unknown): string {
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
