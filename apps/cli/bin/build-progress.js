// Reads turbo's output (`--output-logs=new-only`, no colour) line by line and says what a person
// waiting for `pnpm dev` wants to know: which package is being built, and a total at the end.

const TASK = /^(\S+?):build: cache (miss|hit|bypass)/;

/** Keeps the counts; `line()` returns a progress line to show for a turbo line, or undefined. */
export class BuildProgress {
  constructor() {
    this.built = 0;
    this.cached = 0;
  }

  line(text) {
    const match = TASK.exec(text);
    if (match === null) return undefined;
    if (match[2] === 'hit') {
      this.cached += 1;
      return undefined;
    }
    this.built += 1;
    return `  building ${match[1]}`;
  }

  summary(elapsedMs) {
    const seconds = (elapsedMs / 1000).toFixed(1);
    return this.built === 0
      ? `packages up to date (${this.cached} cached, ${seconds} s)`
      : `built ${this.built} package(s) in ${seconds} s (${this.cached} cached)`;
  }
}
