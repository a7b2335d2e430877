// The child process of the emulator throughput benchmark: drives the emulator only through
// @aws-sdk/client-sfn over HTTP, as workers would, so the server's cost is measured across a process boundary.
import { GetActivityTaskCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { createPollingSfnClient, createSendSfnClient } from '@sfn-bullmq/shared';
import type { ChildMessage, DriveCommand, DriveResult } from './driver-protocol.js';

const credentials = { accessKeyId: 'bench', secretAccessKey: 'bench' };

async function drive(command: DriveCommand): Promise<DriveResult> {
  const connection = { endpoint: command.endpoint, region: command.region, credentials };
  const pollClient = createPollingSfnClient({ ...connection, maxConcurrentPolls: command.pollers });
  const sendClient = createSendSfnClient({ ...connection, maxSockets: Math.max(64, command.pollers) });
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
        const task = await pollClient.send(new GetActivityTaskCommand({ activityArn: command.activityArn }));
        if (task.taskToken === undefined) continue;
        await sendClient.send(
          new SendTaskSuccessCommand({ taskToken: task.taskToken, output: task.input ?? '{}' }),
        );
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
        await sendClient.send(
          new StartExecutionCommand({
            stateMachineArn: machineArn,
            input: JSON.stringify({ index: index++ }),
          }),
        );
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
  pollClient.destroy();
  sendClient.destroy();
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
