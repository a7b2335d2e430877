// The child process of the emulator throughput benchmark: drives the emulator over HTTP from another
// process (bare awsJson requests, or @aws-sdk/client-sfn as workers call it), so the server's cost is measured alone.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { GetActivityTaskCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sdkPollingClient, sdkSendClient } from '../sdk-activity-clients.js';
import type { ChildMessage, DriveCommand, DriveResult } from './driver-protocol.js';

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

/** The three calls the driver makes. */
interface DriverClient {
  getActivityTask(
    activityArn: string,
  ): Promise<{ taskToken?: string | undefined; input?: string | undefined }>;
  sendTaskSuccess(taskToken: string, output: string): Promise<void>;
  startExecution(stateMachineArn: string, input: string): Promise<void>;
  destroy(): void;
}

function sdkClient(command: DriveCommand): DriverClient {
  const connection = { endpoint: command.endpoint, region: command.region, credentials };
  const pollClient = sdkPollingClient(connection, command.pollers);
  const sendClient = sdkSendClient(connection, Math.max(64, command.pollers));
  return {
    getActivityTask: (activityArn) => pollClient.send(new GetActivityTaskCommand({ activityArn })),
    async sendTaskSuccess(taskToken, output) {
      await sendClient.send(new SendTaskSuccessCommand({ taskToken, output }));
    },
    async startExecution(stateMachineArn, input) {
      await sendClient.send(new StartExecutionCommand({ stateMachineArn, input }));
    },
    destroy() {
      pollClient.destroy();
      sendClient.destroy();
    },
  };
}

/**
 * Bare awsJson 1.0 requests (unsigned: the emulator does not check signatures) on keep-alive sockets.
 * The SDK costs its caller several times what the emulator spends on the same call, so an SDK driver
 * sharing these cores measures the SDK more than the emulator.
 */
function httpClient(command: DriveCommand): DriverClient {
  const url = new URL(command.endpoint);
  const agent = new HttpAgent({ keepAlive: true, maxSockets: command.pollers + 64 });
  const call = (operation: string, body: object): Promise<{ taskToken?: string; input?: string }> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const request = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          agent,
          headers: {
            'Content-Type': 'application/x-amz-json-1.0',
            'X-Amz-Target': `AWSStepFunctions.${operation}`,
            'Content-Length': Buffer.byteLength(payload),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const parsed = (text === '' ? {} : JSON.parse(text)) as {
              taskToken?: string;
              input?: string;
              message?: string;
              __type?: string;
            };
            if (response.statusCode === 200) {
              resolve(parsed);
              return;
            }
            const error = new Error(parsed.message ?? `HTTP ${response.statusCode}`);
            error.name = String(parsed['__type'] ?? 'HttpError')
              .split('#')
              .pop()!;
            reject(error);
          });
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  return {
    getActivityTask: (activityArn) => call('GetActivityTask', { activityArn }),
    async sendTaskSuccess(taskToken, output) {
      await call('SendTaskSuccess', { taskToken, output });
    },
    async startExecution(stateMachineArn, input) {
      await call('StartExecution', { stateMachineArn, input });
    },
    destroy() {
      agent.destroy();
    },
  };
}

async function drive(command: DriveCommand): Promise<DriveResult> {
  const client = command.driver === 'http' ? httpClient(command) : sdkClient(command);
  const errors: Record<string, number> = {};
  const count = (error: unknown): void => {
    const name = error instanceof Error ? error.name : 'unknown';
    errors[name] = (errors[name] ?? 0) + 1;
  };
  let completed = 0;
  let started = 0;
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const deadline = startedAt + command.durationMs;
  const running = (): boolean => performance.now() < deadline;

  const poller = async (): Promise<void> => {
    while (running()) {
      try {
        const task = await client.getActivityTask(command.activityArn);
        if (task.taskToken === undefined) continue;
        await client.sendTaskSuccess(task.taskToken, task.input ?? '{}');
        if (running()) completed += 1;
      } catch (error) {
        count(error);
      }
    }
  };

  const starter = async (machineArn: string, maxInFlight: number): Promise<void> => {
    let index = 0;
    while (running()) {
      if (started - completed >= maxInFlight) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        continue;
      }
      try {
        await client.startExecution(machineArn, JSON.stringify({ index: index++ }));
        if (running()) started += 1;
      } catch (error) {
        count(error);
      }
    }
  };

  const loops: Promise<void>[] = Array.from({ length: command.pollers }, () => poller());
  if (command.stateMachineArn !== undefined) {
    const maxInFlight = command.maxInFlight ?? 1000;
    for (let index = 0; index < (command.starters ?? 16); index += 1) {
      loops.push(starter(command.stateMachineArn, maxInFlight));
    }
  }
  await Promise.all(loops);
  const elapsedMs = Math.min(performance.now(), deadline) - startedAt;
  const cpu = process.cpuUsage(cpuBefore);
  client.destroy();
  return { type: 'result', completed, started, errors, elapsedMs, cpuMicros: cpu.user + cpu.system };
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

process.on('message', (message: DriveCommand) => {
  if (message.type !== 'drive') return;
  drive(message).then(
    (result) => {
      send(result);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
});
send({ type: 'ready' });
