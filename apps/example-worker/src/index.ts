// The example worker's handlers, for users who import them rather than copy them.
export { MAX_CHARGE_CENTS, chargeCard, createHandlers, resizeImage } from './handlers.js';
export type {
  ChargeCardInput,
  ChargeCardOutput,
  HandlerOptions,
  ResizeImageInput,
  ResizeImageOutput,
} from './handlers.js';
export { ConfigError, loadConfig } from './config.js';
export type { ExampleWorkerConfig } from './config.js';
