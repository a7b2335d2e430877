#!/usr/bin/env node
// The `sfn-bullmq` command line: picks the command and turns errors into exit
// codes (2 for a bad command line or config, 1 for a failure while running).
// A command's module is imported only when it runs, so --help and --version load almost nothing.
import { readFileSync } from 'node:fs';
import { CommandError } from './command-error.js';
import { ConfigError } from './config/config-error.js';
import { guardStdout } from './stdout-guard.js';
import { UsageError } from './usage-error.js';

const USAGE = `Usage: sfn-bullmq <command> [options]

Run AWS Step Functions activity workers as BullMQ processors.

Options:
  -h, --help             show this help
  -v, --version          print the version

Commands:
  init [--force]         write a commented starter bridge.yaml into the current folder
  bridge --config FILE   run the bridge: long polls per activity, each task a BullMQ job
  emulator [options]     run the Step Functions activity emulator on HTTP
  dev [options]          everything at once, no AWS account: Redis, emulator, bridge,
                         example worker, sample executions, dashboard

Run 'sfn-bullmq <command> --help' for a command's options; 'sfn-bullmq --version' for the version.
`;

type Command = (argv: string[]) => Promise<number>;

/** Help texts, apart from the command modules; a command without one here handles --help itself. */
const HELP: Record<string, () => Promise<string>> = {
  bridge: async () => (await import('./commands/help-texts.js')).BRIDGE_HELP,
  emulator: async () => (await import('./commands/help-texts.js')).EMULATOR_HELP,
  dev: async () => (await import('./commands/help-texts.js')).DEV_HELP,
};

const COMMANDS: Record<string, () => Promise<Command>> = {
  bridge: async () => (await import('./commands/bridge.js')).runBridgeCommand,
  emulator: async () => (await import('./commands/emulator.js')).runEmulatorCommand,
  dev: async () => (await import('./commands/dev.js')).runDevCommand,
  init: async () => (await import('./commands/init.js')).runInitCommand,
};

// The AWS SDK warns on Node 20 about releases after January 2027; the repository holds its SDK below
// those releases, so the warning is noise in every command's output (and the workers dev mode spawns
// inherit this). Set before any command module, and so the SDK, is loaded.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

function version(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? process.stderr : process.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  const help = HELP[name];
  if (load === undefined) {
    process.stderr.write(
      `sfn-bullmq: unknown command '${name}'\nRun 'sfn-bullmq --help' for the commands.\n`,
    );
    return 2;
  }
  if (help !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(await help());
    return 0;
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
    if (error instanceof CommandError) {
      // Already says what failed where, and what to change.
      process.stderr.write(`sfn-bullmq ${name}: ${error.message}\n`);
      return 1;
    }
    // The libraries' own option checks (option, value, rule) are config mistakes too. The predicate is
    // loaded here, on the error path, so --help and --version stay free of the SDK it brings.
    const { isInvalidOptionError } = await import('@sfn-bullmq/protocol');
    if (error instanceof ConfigError || isInvalidOptionError(error)) {
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

// A closed stdout (`| head`, a `| tee` gone on Ctrl-C) must not crash a command before it has drained.
guardStdout();
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Everything is closed by now; if a stray handle still holds the loop, do not hang the shell.
setTimeout(() => process.exit(code), 5_000).unref();
