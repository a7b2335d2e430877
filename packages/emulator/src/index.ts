// The public API of @sfn-bullmq/emulator: start an emulated Step Functions activity
// service, inspect it and inject faults. Nothing else of the package is public.
export { Emulator, startEmulator } from './emulator.js';
export type { EmulatorState, EmulatorStats, ExecutionStats } from './emulator.js';
export type { ActivityStats } from './activity-broker.js';
export { InvalidEmulatorOptionError, MAX_REQUEST_BYTES, compileEmulatorOptions } from './emulator-options.js';
export { MAX_JSON_DEPTH } from './json-depth.js';
export { AWS_LIMITS } from './aws-limits.js';
export type { CompiledEmulatorOptions, EmulatorOptions } from './emulator-options.js';
export { InvalidFaultError } from './faults.js';
export type { EmulatorFaults } from './faults.js';
export type { BucketSpec, ThrottleOption } from './throttle.js';
// How a task closed: what scheduleTask()'s outcome resolves to.
export type { ActivityTaskOutcome } from './task-scheduler.js';
