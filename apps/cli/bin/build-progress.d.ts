// Types of build-progress.js (plain JS: it runs before anything is built).
export declare class BuildProgress {
  built: number;
  cached: number;
  /** A progress line for one line of turbo's output, or undefined when it says nothing new. */
  line(text: string): string | undefined;
  summary(elapsedMs: number): string;
}
