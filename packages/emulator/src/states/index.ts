// Public face of the state-machine engine: the service the HTTP router wires in, and its option/stat types.
// Everything else in this folder is internal.

export { StateMachineService } from './state-machine-service.js';
export type { ExecutionCounts } from './state-machine-service.js';
