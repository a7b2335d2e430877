// Evaluates a parsed intrinsic call: arguments first (paths read from the state's data, nested calls
// inside out), then the function; a bad argument becomes the States.IntrinsicFailure error.
import type { JsonPath, JsonValue } from '../json-path.js';
import type { IntrinsicCall } from './intrinsic-call.js';
import { IntrinsicFailure, callIntrinsic } from './intrinsic-functions.js';

/** Raised for States.IntrinsicFailure; the runner maps it to its own StatesError. */
export { IntrinsicFailure };

export function evaluateIntrinsic(call: IntrinsicCall, read: (path: JsonPath) => JsonValue): JsonValue {
  const args = call.args.map((arg): JsonValue => {
    switch (arg.kind) {
      case 'literal':
        return arg.value;
      case 'path':
        return read(arg.path);
      case 'call':
        return evaluateIntrinsic(arg.call, read);
    }
  });
  const first = call.args[0];
  const formatTemplate =
    call.name === 'States.Format' && first?.kind === 'literal' ? first.template : undefined;
  return callIntrinsic(call.name, args, formatTemplate);
}
