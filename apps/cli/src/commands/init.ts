// `sfn-bullmq init`: writes a commented starter bridge.yaml into the current folder, copied from
// the example config the package ships (config/bridge.example.yaml), so `npx sfn-bullmq` users
// start from a file that the `bridge` command accepts as it is. Never overwrites without --force.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from '../usage-error.js';

/** The example config inside the package: `config/` is in the package's `files`. */
export const EXAMPLE_CONFIG_PATH = fileURLToPath(
  new URL('../../config/bridge.example.yaml', import.meta.url),
);

/** The file `init` writes, in the folder it runs in. */
export const STARTER_CONFIG_NAME = 'bridge.yaml';

export const INIT_HELP = `Usage: sfn-bullmq init [--force]

Writes a commented starter config, ${STARTER_CONFIG_NAME}, into the current folder
(a copy of the example config that ships in the package). Edit the activities and
the Redis URL, then run: sfn-bullmq bridge --config ${STARTER_CONFIG_NAME}

Options:
  --force      overwrite an existing ${STARTER_CONFIG_NAME}
  -h, --help   show this help
`;

export async function runInitCommand(argv: string[], cwd: string = process.cwd()): Promise<number> {
  const flags = parseFlags(argv, {
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help === true) {
    process.stdout.write(INIT_HELP);
    return 0;
  }
  const target = join(cwd, STARTER_CONFIG_NAME);
  const text = await readFile(EXAMPLE_CONFIG_PATH, 'utf8');
  try {
    // 'wx' fails if the file exists: no window between a check and the write.
    await writeFile(target, text, { flag: flags.force === true ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      process.stderr.write(
        `sfn-bullmq init: ${target} already exists; left unchanged (--force overwrites it)\n`,
      );
      return 1;
    }
    throw error;
  }
  process.stdout.write(
    `wrote ${target}\nnext: edit its activities and redis.url, then run: sfn-bullmq bridge --config ${STARTER_CONFIG_NAME}\n`,
  );
  return 0;
}
