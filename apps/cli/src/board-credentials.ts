// BOARD_USER / BOARD_PASSWORD from the environment: both or neither.
import { ConfigError } from './config/config-error.js';
import type { BoardCredentials } from './http/board-auth.js';

export function boardCredentialsFromEnv(env: NodeJS.ProcessEnv): BoardCredentials | undefined {
  const user = env['BOARD_USER'] ?? '';
  const password = env['BOARD_PASSWORD'] ?? '';
  if (user === '' && password === '') return undefined;
  if (user === '' || password === '') {
    const missing = user === '' ? 'BOARD_USER' : 'BOARD_PASSWORD';
    throw new ConfigError([
      { field: missing, message: 'must be set too: give both BOARD_USER and BOARD_PASSWORD, or neither' },
    ]);
  }
  if (user.includes(':'))
    throw new ConfigError([{ field: 'BOARD_USER', message: "must not contain ':' (Basic auth)" }]);
  return { user, password };
}
