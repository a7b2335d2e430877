// Creates the user's state machine on a running emulator over its own HTTP API (CreateStateMachine), so
// the emulator's definition checks answer exactly as they would for the SDK; a refusal names the file.
import { UsageError } from '../usage-error.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/sfn-bullmq-local';

export async function createStateMachine(
  endpoint: string,
  name: string,
  definition: object,
  path: string,
): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': 'AWSStepFunctions.CreateStateMachine',
    },
    body: JSON.stringify({ name, definition: JSON.stringify(definition), roleArn: ROLE_ARN }),
  });
  const body = (await response.json()) as { stateMachineArn?: string; message?: string; __type?: string };
  if (!response.ok || body.stateMachineArn === undefined) {
    throw new UsageError(
      `--definition: '${path}' was refused: ${body.__type?.split('#').pop() ?? 'error'}: ${body.message ?? ''}`,
    );
  }
  return body.stateMachineArn;
}
