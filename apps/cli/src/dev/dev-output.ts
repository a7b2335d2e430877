// Dev's own lines ("redis  …", "bridge  …"): above the progress line once the display runs,
// straight to stdout before it and after it.
import type { DevStack } from './dev-stack.js';

/** Writes one line of dev's output. */
export type Say = (text: string) => void;

export function devSay(out: NodeJS.WritableStream, stack: DevStack): Say {
  return (text) => {
    if (stack.display) stack.display.message(text);
    else out.write(`${text}\n`);
  };
}
