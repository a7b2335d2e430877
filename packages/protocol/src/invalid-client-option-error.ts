// The error for a Step Functions client option that would break the long-poll contract.
import { InvalidOptionError } from './invalid-option-error.js';

/** Thrown for client options that would break the long-poll contract; names the option and the value. */
export class InvalidClientOptionError extends InvalidOptionError {
  override readonly name = 'InvalidClientOptionError';
}
