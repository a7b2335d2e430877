// State-machine helpers for contract files: create machines (deleted after each test), start executions,
// poll, wait for the end, read the whole history. Works on the emulator and on real AWS alike.
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { uniqueName } from '@sfn-bullmq/test-support';
import { afterEach, beforeEach } from 'vitest';
import { onAws, startTarget, type ContractTarget } from './target.js';

// On AWS a state machine needs a real role; without one these tests only run against the emulator.
export const roleArn = process.env['SFN_CONTRACT_ROLE_ARN'] ?? 'arn:aws:iam::123456789012:role/contract';
export const machinesRunnable = !onAws || process.env['SFN_CONTRACT_ROLE_ARN'] !== undefined;

export interface MachineKit {
  readonly target: ContractTarget;
  createMachine(definition: object): Promise<string>;
  start(stateMachineArn: string, input?: unknown): Promise<string>;
  /** Long-polls until a task arrives. */
  poll(activityArn: string, workerName?: string): Promise<{ token: string; input: string }>;
  finished(executionArn: string, timeoutMs?: number): Promise<DescribeExecutionCommandOutput>;
  history(executionArn: string): Promise<HistoryEvent[]>;
}

/** Call inside a `describe`: a fresh target per test, and its machines deleted after it. */
export function useMachines(): MachineKit {
  let target: ContractTarget | undefined;
  const machines: string[] = [];
  beforeEach(async () => {
    target = await startTarget();
  });
  afterEach(async () => {
    const current = target;
    if (!current) return;
    await Promise.allSettled(
      machines
        .splice(0)
        .map((stateMachineArn) => current.client.send(new DeleteStateMachineCommand({ stateMachineArn }))),
    );
    await current.close();
    target = undefined;
  });
  const get = (): ContractTarget => {
    if (!target) throw new Error('no target: use the kit inside a test');
    return target;
  };
  return {
    get target() {
      return get();
    },
    async createMachine(definition) {
      const out = await get().client.send(
        new CreateStateMachineCommand({
          name: uniqueName('machine').slice(0, 80),
          definition: JSON.stringify(definition),
          roleArn,
        }),
      );
      machines.push(out.stateMachineArn!);
      return out.stateMachineArn!;
    },
    async start(stateMachineArn, input = {}) {
      const out = await get().client.send(
        new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
      );
      return out.executionArn!;
    },
    async poll(activityArn, workerName) {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const out = await get().pollClient.send(new GetActivityTaskCommand({ activityArn, workerName }));
        if (out.taskToken) return { token: out.taskToken, input: out.input ?? '' };
      }
      throw new Error('no task arrived');
    },
    async finished(executionArn, timeoutMs = 15_000) {
      let last: DescribeExecutionCommandOutput | undefined;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        last = await get().client.send(new DescribeExecutionCommand({ executionArn }));
        if (last.status !== 'RUNNING') return last;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`execution still ${last?.status ?? 'unknown'}`);
    },
    async history(executionArn) {
      const events: HistoryEvent[] = [];
      let nextToken: string | undefined;
      do {
        const page = await get().client.send(
          new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
        );
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      return events;
    },
  };
}
