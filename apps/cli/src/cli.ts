#!/usr/bin/env node
// The `sfn-bullmq` command line: picks the command and turns errors into exit
// codes (2 for a bad command line or config, 1 for a failure while running).
import { createRequire } from 'node:module';
import { ConfigError } from './config/config-error.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: sfn-bullmq <command> [options]

Run AWS Step Functions activity workers as BullMQ processors.

Commands:
  init [--force]         write a commented starter bridge.yaml into the current folder
  bridge --config FILE   run the bridge: long polls per activity, each task a BullMQ job
  emulator [options]     run the Step Functions activity emulator on HTTP
  dev [options]          everything at once, no AWS account: Redis, emulator, bridge,
                         example worker, sample executions, dashboard

Run 'sfn-bullmq <command> --help' for a command's options; 'sfn-bullmq --version' for the version.
`;

/** The version of the installed package (package.json sits beside dist/ when packed and when deployed). */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  bridge: async () => (await import('./commands/bridge.js')).runBridgeCommand,
  emulator: async () => (await import('./commands/emulator.js')).runEmulatorCommand,
  dev: async () => (await import('./commands/dev.js')).runDevCommand,
  init: async () => (await import('./commands/init.js')).runInitCommand,
};

// The AWS SDK warns on Node 20 about releases after January 2027; the repository pins its SDK version,
// so the warning is noise in every command's output (and the workers dev mode spawns inherit this).
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(
      `sfn-bullmq: unknown command '${name}'\nRun 'sfn-bullmq --help' for the commands.\n`,
    );
    return 2;
  }
  try {
    const command = await load();
    return await command(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `sfn-bullmq ${name}: ${error.message}\nRun 'sfn-bullmq ${name} --help' for usage.\n`,
      );
      return 2;
    }
    // The libraries' own option checks (TypeErrors naming the option) are config mistakes too.
    if (
      error instanceof ConfigError ||
      (error instanceof TypeError && /^Invalid\w*(Option|Fault)Error$/.test(error.name))
    ) {
      process.stderr.write(`sfn-bullmq ${name}: ${error.message}\n`);
      return 2;
    }
    // The reason in one line; the stack only when asked for (LOG_LEVEL=debug or trace).
    const verbose = ['debug', 'trace'].includes(process.env['LOG_LEVEL'] ?? '');
    const text =
      error instanceof Error
        ? verbose
          ? (error.stack ?? error.message)
          : `${error.name}: ${error.message}`
        : String(error);
    process.stderr.write(`sfn-bullmq ${name}: ${text}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Everything is closed by now; if a stray handle still holds the loop, do not hang the shell.
setTimeout(() => process.exit(code), 5_000).unref();
