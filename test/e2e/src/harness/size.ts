// The suite's size: reduced by default (`pnpm test`), full with SFN_FAULTS_SIZE=full (`pnpm test:faults`).

export const SUITE_SIZE: 'reduced' | 'full' = process.env['SFN_FAULTS_SIZE'] === 'full' ? 'full' : 'reduced';

/** `reduced` at the default size, `full` with SFN_FAULTS_SIZE=full. */
export function bySize<T>(reduced: T, full: T): T {
  return SUITE_SIZE === 'full' ? full : reduced;
}
