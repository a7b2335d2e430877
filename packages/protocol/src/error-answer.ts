// Reads a Step Functions error answer (awsJson 1.0: the type in `x-amzn-errortype` or `__type`, the text in
// `message`) into an `SfnCallError` whose `name` is the service's error name, as the SDK does.
import type { RawResponse } from './http-exchange.js';
import { SfnCallError } from './sfn-call-errors.js';

/** The error for a non-2xx answer; an unreadable body (a proxy's page) gives `Http<status>`. */
export function callErrorFromAnswer(response: RawResponse, attempts: number): SfnCallError {
  let parsed: { __type?: unknown; code?: unknown; message?: unknown; Message?: unknown } = {};
  try {
    if (response.body.length > 0) parsed = JSON.parse(response.body) as typeof parsed;
  } catch {
    // A proxy's HTML error page, say: the status alone says what happened.
  }
  const type =
    response.errorType ??
    (typeof parsed.__type === 'string' ? parsed.__type : undefined) ??
    (typeof parsed.code === 'string' ? parsed.code : undefined);
  // awsJson: `aws.protocoltests#FooError:http://…` names FooError.
  const name = type?.split(':')[0]?.split('#').at(-1) || `Http${response.status}`;
  const message =
    typeof parsed.message === 'string'
      ? parsed.message
      : typeof parsed.Message === 'string'
        ? parsed.Message
        : `HTTP ${response.status}`;
  return new SfnCallError(name, message, response.status, response.requestId, attempts);
}
