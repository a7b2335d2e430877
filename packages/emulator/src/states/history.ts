// History events as GetExecutionHistory sends them (the SDK's `HistoryEvent` shape): stored wire-ready,
// append-only per execution, so a page is a slice.

/** One history event; `timestamp` in epoch seconds with a fraction, plus one `…EventDetails` field. */
export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [detailsField: string]: unknown;
}

interface DataDetails {
  truncated: boolean;
}

const NOT_TRUNCATED: DataDetails = Object.freeze({ truncated: false });
export { NOT_TRUNCATED };

/** The copy of an event sent when `includeExecutionData` is false: input and output removed from its details. */
export function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  let copy: HistoryEvent | undefined;
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || value === null || typeof value !== 'object') continue;
    const details = value as Record<string, unknown>;
    if (!('input' in details) && !('output' in details)) continue;
    const { input: _input, output: _output, inputDetails: _i, outputDetails: _o, ...rest } = details;
    copy ??= { ...event };
    copy[key] = rest;
  }
  return copy ?? event;
}
