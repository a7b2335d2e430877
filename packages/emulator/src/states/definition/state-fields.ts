// Which fields each state type allows (anything else is refused, naming the field), and the top level's.
import type { State } from './types.js';

const COMMON_FIELDS = ['Type', 'Comment'];
const IO_FIELDS = ['InputPath', 'OutputPath'];
export const FIELDS: Record<State['type'], readonly string[]> = {
  Task: [
    ...COMMON_FIELDS,
    ...IO_FIELDS,
    'Next',
    'End',
    'Resource',
    'TimeoutSeconds',
    'HeartbeatSeconds',
    'Parameters',
    'ResultSelector',
    'ResultPath',
    'Retry',
    'Catch',
  ],
  Pass: [...COMMON_FIELDS, ...IO_FIELDS, 'Next', 'End', 'Result', 'ResultPath', 'Parameters'],
  Choice: [...COMMON_FIELDS, ...IO_FIELDS, 'Choices', 'Default'],
  Wait: [
    ...COMMON_FIELDS,
    ...IO_FIELDS,
    'Next',
    'End',
    'Seconds',
    'SecondsPath',
    'Timestamp',
    'TimestampPath',
  ],
  Succeed: [...COMMON_FIELDS, ...IO_FIELDS],
  Fail: [...COMMON_FIELDS, 'Error', 'Cause'],
  Map: [
    ...COMMON_FIELDS,
    ...IO_FIELDS,
    'Next',
    'End',
    'ItemsPath',
    'ItemSelector',
    'Parameters',
    'ItemProcessor',
    'Iterator',
    'MaxConcurrency',
    'ResultPath',
    'ResultSelector',
    'Retry',
    'Catch',
    'ToleratedFailureCount',
    'ToleratedFailurePercentage',
    // Distributed mode only: named so that the refusal says so (map.ts), not "not supported by Step Functions".
    'ItemReader',
    'ItemBatcher',
    'ResultWriter',
    'Label',
  ],
  Parallel: [
    ...COMMON_FIELDS,
    ...IO_FIELDS,
    'Next',
    'End',
    'Branches',
    'Parameters',
    'ResultPath',
    'ResultSelector',
    'Retry',
    'Catch',
  ],
};
export const TOP_FIELDS = ['StartAt', 'States', 'Comment', 'Version', 'TimeoutSeconds', 'QueryLanguage'];
export const RETRIER_FIELDS = [
  'ErrorEquals',
  'IntervalSeconds',
  'MaxAttempts',
  'BackoffRate',
  'MaxDelaySeconds',
  'JitterStrategy',
  'Comment',
];
/** A Map's ItemProcessor (Iterator has no ProcessorConfig) and a Parallel's branch. */
export const GRAPH_FIELDS = ['StartAt', 'States', 'Comment', 'ProcessorConfig'];
export const CATCHER_FIELDS = ['ErrorEquals', 'Next', 'ResultPath', 'Comment'];
