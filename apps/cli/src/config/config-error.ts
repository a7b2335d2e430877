// The error a bad config file or environment override becomes: every issue names
// the field it is about, so a user can fix the file without reading our code.

/** One problem in the config, with the path of the field (`activities[1].polls`). */
export interface ConfigIssue {
  field: string;
  message: string;
}

/** Thrown when the config cannot be read or does not validate. The message lists every issue, one a line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly issues: readonly ConfigIssue[],
    readonly source?: string,
  ) {
    const where = source === undefined ? 'config' : `config ${source}`;
    const lines = issues.map((issue) => `  ${issue.field}: ${issue.message}`);
    super(`invalid ${where}:\n${lines.join('\n')}`);
  }
}
