// Reads the config file (YAML, or JSON which YAML also reads) and compiles it
// with the environment. Parse errors name the file, line and column.
import { readFile } from 'node:fs/promises';
import { parse, YAMLParseError } from 'yaml';
import { ConfigError } from './config-error.js';
import { compileConfig, type ConfigEnv } from './compile-config.js';
import type { ServiceConfig } from './service-config.js';

/** Reads and validates `path`; throws ConfigError naming the field, or the line of a syntax error. */
export async function loadConfig(path: string, env: ConfigEnv = {}): Promise<ServiceConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([{ field: '(file)', message: `cannot read ${path} (${code})` }], path);
  }
  return compileConfig(parseConfigText(text, path), env, path);
}

/** Parses YAML or JSON text; a syntax error becomes a ConfigError with the line and column. */
export function parseConfigText(text: string, source?: string): unknown {
  try {
    return parse(text) ?? {};
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const at = error.linePos?.[0];
      const where = at === undefined ? '' : ` at line ${at.line}, column ${at.col}`;
      throw new ConfigError(
        [{ field: '(syntax)', message: `${error.code}${where}: ${error.message}` }],
        source,
      );
    }
    throw error;
  }
}
