// The state-machine half of the emulator's API: CreateStateMachine … GetExecutionHistory as handlers keyed
// by operation name, over in-memory state machines and executions (insertion-ordered, paged by position).

import { randomUUID } from 'node:crypto';
import { buildArn, parseArn } from '../arn.js';
import { AWS_LIMITS } from '../aws-limits.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../json-depth.js';
import type { OperationHandler } from '../operation.js';
import { serviceErrors } from '../service-error.js';
import type { StateMachineServiceOptions } from './state-machine-service-options.js';
import { compileStateMachineServiceOptions } from './state-machine-service-options.js';
import type { Definition } from './definition/index.js';
import { parseDefinition } from './definition/index.js';
import type { ExecutionHost, ExecutionStatus } from './execution/execution.js';
import { Execution } from './execution/execution.js';
import { withoutExecutionData } from './history.js';
import type { JsonValue } from './json-path.js';
import { RequestValidator, assertValidResourceName } from '../validation.js';
import { decodePageToken, encodePageToken } from '../page-token.js';

export type { StateMachineServiceOptions };

export interface ExecutionCounts {
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
}

interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  readonly definitionText: string;
  readonly definition: Definition;
  readonly roleArn: string;
  readonly creationDateMs: number;
  /** Position in `machineList`, cleared to a hole on delete. */
  readonly position: number;
  /** Every execution in start order (holes where forgotten); ListExecutions pages from the end (newest first). */
  readonly executions: (Execution | undefined)[];
}

const STATUSES: readonly ExecutionStatus[] = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const MAX_DEFINITION_CHARS = 1_048_576;

export class StateMachineService {
  readonly operations: ReadonlyMap<string, OperationHandler>;

  private readonly region: string;
  private readonly accountId: string;
  private readonly now: () => number;
  private readonly host: ExecutionHost;
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly machineList: (StateMachineRecord | undefined)[] = [];
  private readonly executions = new Map<string, Execution>();
  private readonly running = new Set<Execution>();
  private readonly counts: ExecutionCounts = { running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0 };
  private closed = false;
  private readonly maxFinished: number;
  /** Finished executions in the order they finished, for forgetting the oldest; `finishedHead` is the first live slot. */
  private finished: { list: (Execution | undefined)[]; index: number; arn: string }[] = [];
  private finishedHead = 0;
  /** Where each execution sits in its machine's list, so that it can be forgotten in O(1). */
  private readonly slots = new WeakMap<Execution, { list: (Execution | undefined)[]; index: number }>();

  constructor(options: StateMachineServiceOptions) {
    const compiled = compileStateMachineServiceOptions(options);
    this.region = compiled.region;
    this.accountId = compiled.accountId;
    this.now = compiled.now;
    this.maxFinished = compiled.maxFinishedExecutions;
    const isClosed = () => this.closed;
    this.host = {
      scheduler: compiled.scheduler,
      now: this.now,
      onFinished: (execution) => this.onFinished(execution),
      onInternalError: (_execution, error) => compiled.onInternalError(error),
      get closed() {
        return isClosed();
      },
    };
    this.operations = new Map<string, OperationHandler>([
      ['CreateStateMachine', (input) => this.createStateMachine(input)],
      ['DescribeStateMachine', (input) => this.describeStateMachine(input)],
      ['DeleteStateMachine', (input) => this.deleteStateMachine(input)],
      ['ListStateMachines', (input) => this.listStateMachines(input)],
      ['StartExecution', (input) => this.startExecution(input)],
      ['DescribeExecution', (input) => this.describeExecution(input)],
      ['ListExecutions', (input) => this.listExecutions(input)],
      ['StopExecution', (input) => this.stopExecution(input)],
      ['GetExecutionHistory', (input) => this.getExecutionHistory(input)],
    ]);
  }

  stats(): ExecutionCounts {
    return { ...this.counts, running: this.running.size };
  }

  /** Clears every Wait and Retry timer; executions stay as they are. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const execution of this.running) execution.clearTimers();
  }

  private createStateMachine(input: Record<string, unknown>): unknown {
    const check = new RequestValidator(input);
    const name = check.requiredString('name', { min: 1, max: 80 });
    const definitionText = check.requiredString('definition', { min: 1, max: MAX_DEFINITION_CHARS });
    const roleArn = check.requiredString('roleArn', { min: 1, max: 256 });
    const type = check.optionalString('type', { min: 1, max: 16 }) ?? 'STANDARD';
    if (type === 'EXPRESS') {
      check.fail(
        'type',
        type,
        'this emulator runs STANDARD state machines only (activities exist only in Standard workflows)',
      );
    } else if (type !== 'STANDARD') {
      check.fail('type', type, 'Member must satisfy enum value set: [STANDARD, EXPRESS]');
    }
    check.throwIfInvalid();
    assertValidResourceName(name);
    const definition = parseDefinition(definitionText);
    const arn = this.stateMachineArn(name);
    const existing = this.machines.get(arn);
    if (existing) {
      // Idempotent on name + definition (+ type, always STANDARD here); a different roleArn is ignored like AWS does.
      if (existing.definitionText === definitionText) {
        return { stateMachineArn: arn, creationDate: existing.creationDateMs / 1000 };
      }
      throw serviceErrors.stateMachineAlreadyExists(arn);
    }
    const record: StateMachineRecord = {
      arn,
      name,
      definitionText,
      definition,
      roleArn,
      creationDateMs: this.now(),
      position: this.machineList.length,
      executions: [],
    };
    this.machines.set(arn, record);
    this.machineList.push(record);
    return { stateMachineArn: arn, creationDate: record.creationDateMs / 1000 };
  }

  private describeStateMachine(input: Record<string, unknown>): unknown {
    const check = new RequestValidator(input);
    const arn = check.requiredString('stateMachineArn', { min: 1, max: 2048 });
    check.throwIfInvalid();
    const machine = this.machine(arn);
    return {
      stateMachineArn: machine.arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definitionText,
      roleArn: machine.roleArn,
      type: 'STANDARD',
      creationDate: machine.creationDateMs / 1000,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  /** Deleting answers 200 even when the machine is gone; running executions carry on (AWS lets them finish). */
  private deleteStateMachine(input: Record<string, unknown>): unknown {
    const check = new RequestValidator(input);
    const arn = check.requiredString('stateMachineArn', { min: 1, max: 2048 });
    check.throwIfInvalid();
    this.checkArn(arn, 'stateMachine');
    const machine = this.machines.get(arn);
    if (machine) {
      this.machines.delete(arn);
      this.machineList[machine.position] = undefined;
    }
    return {};
  }

  private listStateMachines(input: Record<string, unknown>): unknown {
    const check = new RequestValidator(input);
    const size = check.pageSize();
    const token = check.optionalString('nextToken', { min: 1, max: 1024 });
    check.throwIfInvalid();
    let position = token === undefined ? 0 : decodePageToken(token);
    const stateMachines: unknown[] = [];
    while (position < this.machineList.length && stateMachines.length < size) {
      const machine = this.machineList[position++];
      if (machine) {
        stateMachines.push({
          stateMachineArn: machine.arn,
          name: machine.name,
          type: 'STANDARD',
          creationDate: machine.creationDateMs / 1000,
        });
      }
    }
    return position < this.machineList.length
      ? { stateMachines, nextToken: encodePageToken(position) }
      : { stateMachines };
  }

  private startExecution(input: Record<string, unknown>): unknown {
    const check = new RequestValidator(input);
    const machineArn = check.requiredString('stateMachineArn', { min: 1, max: 2048 });
    const givenName = check.optionalString('name', { min: 1, max: 80 });
    const inputText = check.optionalString('input', { min: 1 }) ?? '{}';
    if (Buffer.byteLength(inputText, 'utf8') > AWS_LIMITS.inputMaxBytes) {
      check.fail(
        'input',
        inputText,
        `Member must have length less than or equal to ${AWS_LIMITS.inputMaxBytes}`,
      );
    }
    check.throwIfInvalid();
    const machine = this.machine(machineArn);
    if (givenName !== undefined) assertValidResourceName(givenName);
    const name = givenName ?? randomUUID();
    let inputValue: JsonValue;
    try {
      inputValue = JSON.parse(inputText) as JsonValue;
    } catch (err) {
      throw serviceErrors.invalidExecutionInput(err instanceof Error ? err.message : 'not JSON');
    }
    // Refused before the execution exists, so a deep input never half-starts one (see MAX_JSON_DEPTH).
    if (nestsDeeperThan(inputText, MAX_JSON_DEPTH)) {
      throw serviceErrors.invalidExecutionInput(
        `Input nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    const arn = buildArn(this.region, this.accountId, 'execution', `${machine.name}:${name}`);
    const existing = this.executions.get(arn);
    if (existing) {
      // AWS: idempotent only while the earlier execution runs with the same input; otherwise it exists.
      if (existing.status === 'RUNNING' && existing.input === inputText) {
        return { executionArn: arn, startDate: existing.startDateMs / 1000 };
      }
      throw serviceErrors.executionAlreadyExists(arn);
    }
    const execution = new Execution(this.host, machine, arn, name, inputText, this.now());
    this.executions.set(arn, execution);
    this.slots.set(execution, { list: machine.executions, index: machine.executions.length });
    machine.executions.push(execution);
    this.running.add(execution);
    execution.start(inputValue);
    return { executionArn: arn, startDate: execution.startDateMs / 1000 };
  }

  private describeExecution(input: Record<string, unknown>): unknown {
    const check = new RequestValidator(input);
    const arn = check.requiredString('executionArn', { min: 1, max: 2048 });
    check.throwIfInvalid();
    const execution = this.execution(arn);
    return {
      executionArn: execution.arn,
      stateMachineArn: execution.machine.arn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDateMs / 1000,
      ...(execution.stopDateMs !== undefined && { stopDate: execution.stopDateMs / 1000 }),
      input: execution.input,
      inputDetails: { included: true },
      ...(execution.output !== undefined && { output: execution.output, outputDetails: { included: true } }),
      ...(execution.error !== undefined && { error: execution.error }),
      ...(execution.cause !== undefined && { cause: execution.cause }),
    };
  }

  private listExecutions(input: Record<string, unknown>): unknown {
    const check = new RequestValidator(input);
    const arn = check.requiredString('stateMachineArn', { min: 1, max: 2048 });
    const status = check.optionalString('statusFilter', { min: 1, max: 16 });
    if (status !== undefined && !STATUSES.includes(status as ExecutionStatus)) {
      check.fail('statusFilter', status, `Member must satisfy enum value set: [${STATUSES.join(', ')}]`);
    }
    const size = check.pageSize();
    const token = check.optionalString('nextToken', { min: 1, max: 1024 });
    check.throwIfInvalid();
    const machine = this.machine(arn);
    // Positions count from the newest: page k starts `skip` executions back from the end.
    const list = machine.executions;
    let skip = token === undefined ? 0 : decodePageToken(token);
    const executions: unknown[] = [];
    while (skip < list.length && executions.length < size) {
      const execution = list[list.length - 1 - skip++];
      if (execution === undefined || (status !== undefined && execution.status !== status)) continue;
      executions.push({
        executionArn: execution.arn,
        stateMachineArn: machine.arn,
        name: execution.name,
        status: execution.status,
        startDate: execution.startDateMs / 1000,
        ...(execution.stopDateMs !== undefined && { stopDate: execution.stopDateMs / 1000 }),
      });
    }
    return skip < list.length ? { executions, nextToken: encodePageToken(skip) } : { executions };
  }

  /** Stopping a closed execution answers its existing stopDate and changes nothing (our choice). */
  private stopExecution(input: Record<string, unknown>): unknown {
    const check = new RequestValidator(input);
    const arn = check.requiredString('executionArn', { min: 1, max: 2048 });
    const error = check.optionalString('error', { min: 1, max: 256 });
    const cause = check.optionalString('cause', { min: 1, max: 32_768 });
    check.throwIfInvalid();
    const execution = this.execution(arn);
    execution.stop(error, cause);
    return { stopDate: (execution.stopDateMs ?? this.now()) / 1000 };
  }

  private getExecutionHistory(input: Record<string, unknown>): unknown {
    const check = new RequestValidator(input);
    const arn = check.requiredString('executionArn', { min: 1, max: 2048 });
    const size = check.pageSize();
    const reverse = check.optionalBoolean('reverseOrder') ?? false;
    const includeData = check.optionalBoolean('includeExecutionData') ?? true;
    const token = check.optionalString('nextToken', { min: 1, max: 1024 });
    check.throwIfInvalid();
    const execution = this.execution(arn);
    const history = execution.history;
    const skip = token === undefined ? 0 : decodePageToken(token);
    const end = Math.min(history.length, skip + size);
    const events = reverse
      ? history.slice(Math.max(0, history.length - end), history.length - skip).reverse()
      : history.slice(skip, end);
    return {
      events: includeData ? events : events.map(withoutExecutionData),
      ...(end < history.length && { nextToken: encodePageToken(end) }),
    };
  }

  private onFinished(execution: Execution): void {
    this.running.delete(execution);
    this.remember(execution);
    switch (execution.status) {
      case 'SUCCEEDED':
        this.counts.succeeded++;
        break;
      case 'FAILED':
        this.counts.failed++;
        break;
      case 'TIMED_OUT':
        this.counts.timedOut++;
        break;
      case 'ABORTED':
        this.counts.aborted++;
        break;
      case 'RUNNING':
        break;
    }
  }

  /** Keeps the newest `maxFinished` finished executions; O(1) amortised. */
  private remember(execution: Execution): void {
    const slot = this.slots.get(execution);
    this.finished.push({ list: slot?.list ?? [], index: slot?.index ?? -1, arn: execution.arn });
    while (this.finished.length - this.finishedHead > this.maxFinished) {
      const oldest = this.finished[this.finishedHead++];
      if (!oldest) break;
      this.executions.delete(oldest.arn);
      if (oldest.index >= 0) oldest.list[oldest.index] = undefined;
    }
    if (this.finishedHead > 1024 && this.finishedHead * 2 > this.finished.length) {
      this.finished = this.finished.slice(this.finishedHead);
      this.finishedHead = 0;
    }
  }

  private stateMachineArn(name: string): string {
    return buildArn(this.region, this.accountId, 'stateMachine', name);
  }

  private machine(arn: string): StateMachineRecord {
    this.checkArn(arn, 'stateMachine');
    const machine = this.machines.get(arn);
    if (!machine) throw serviceErrors.stateMachineDoesNotExist(arn);
    return machine;
  }

  private execution(arn: string): Execution {
    this.checkArn(arn, 'execution');
    const execution = this.executions.get(arn);
    if (!execution) throw serviceErrors.executionDoesNotExist(arn);
    return execution;
  }

  /** InvalidArn unless `arn` is a `resourceType` ARN: `<name>` for a state machine, `<machine>:<name>` for an execution. */
  private checkArn(arn: string, resourceType: 'stateMachine' | 'execution'): void {
    const { resource } = parseArn(arn, resourceType);
    const names = resource.split(':').length;
    if (names !== (resourceType === 'stateMachine' ? 1 : 2)) {
      throw serviceErrors.invalidArn(`Resource name not valid: ${arn}`);
    }
  }
}
