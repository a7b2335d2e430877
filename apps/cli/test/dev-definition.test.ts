// `sfn-bullmq dev --definition`: the user's own machine, input and worker module, run once end to end
// (private Redis, embedded emulator, bridge, the user's handlers), and its bad inputs refused up front.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './cli-process.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const ORDERS = fixture('orders.asl.json');
const FLAGS = ['--port', '0', '--polls', '2', '--poll-timeout-ms', '1000'];

const runs: CliRun[] = [];
afterEach(async () => {
  await Promise.all(runs.splice(0).map((run) => run.kill()));
});

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sfn-dev-def-')), name);
  writeFileSync(file, text);
  return file;
}

describe('sfn-bullmq dev --definition', () => {
  // The same machine in JSONPath with intrinsics, and in JSONata with variables: one output.
  it.each([
    ['JSONPath: Map + Parallel + Choice + Retry/Catch + intrinsics', 'orders'],
    ['JSONata with variables: the same machine', 'orders-jsonata'],
  ])(
    'runs the definition once with the input through the user worker and prints its output (%s)',
    async (_, name) => {
      const input = tempFile(
        'input.json',
        JSON.stringify({
          orders: [
            { id: 'a', qty: 1 },
            { id: 'b', qty: 500 },
            { id: 'c', qty: 2 },
          ],
        }),
      );
      const cli = runCli(
        [
          'dev',
          ...FLAGS,
          '--definition',
          fixture(`${name}.asl.json`),
          '--input',
          input,
          '--worker',
          fixture('orders-worker.mjs'),
        ],
        { REDIS_URL: '' },
      );
      runs.push(cli);
      const exited = await cli.exited;
      const out = cli.stdout();
      expect(exited.code, `${out}\n${cli.stderr()}`).toBe(0);
      expect(out).toMatch(new RegExp(`execution {2}arn:aws:states:\\S+:execution:${name}:\\S+ SUCCEEDED`));
      const output = /^output {5}(.*)$/m.exec(out)?.[1];
      // Order a is charged; b is too big (Choice, States.Format); c is declined twice (one Retry), then caught.
      expect(JSON.parse(output ?? 'null')).toEqual({
        count: 3,
        results: [
          { charge: 'paid', label: '#a' },
          { id: 'b', status: 'rejected', note: 'order b asks for 500' },
          { charge: 'unpaid', label: '#c' },
        ],
      });
    },
  );

  it('exits 2 naming the file for input that is not JSON, a worker without a handler, a machine without activities or one the emulator refuses', async () => {
    const badInput = tempFile('input.json', '{"orders": [1, 2,]}');
    const notJson = runCli(['dev', ...FLAGS, '--definition', ORDERS, '--input', badInput], { REDIS_URL: '' });
    const wrongWorker = runCli(
      ['dev', ...FLAGS, '--definition', ORDERS, '--worker', fixture('wrong-worker.cjs')],
      { REDIS_URL: '' },
    );
    const noActivity = runCli(
      [
        'dev',
        ...FLAGS,
        '--definition',
        tempFile('pass.asl.json', '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}'),
      ],
      { REDIS_URL: '' },
    );
    const refusedFile = tempFile(
      'broken.asl.json',
      JSON.stringify({
        StartAt: 'A',
        States: {
          A: {
            Type: 'Task',
            Resource: 'arn:aws:states:us-east-1:123456789012:activity:charge-card',
            Next: 'Nowhere',
          },
        },
      }),
    );
    const refused = runCli(['dev', ...FLAGS, '--definition', refusedFile], { REDIS_URL: '' });
    runs.push(notJson, wrongWorker, noActivity, refused);
    expect((await notJson.exited).code).toBe(2);
    expect(notJson.stderr()).toMatch(
      new RegExp(`--input: '${badInput}' is not JSON: ValueExpected at line 1, column 18 \\(position 17\\)`),
    );
    expect((await wrongWorker.exited).code).toBe(2);
    expect(wrongWorker.stderr()).toContain(
      `--worker: '${fixture('wrong-worker.cjs')}' has no handler for 'charge-card'`,
    );
    expect(wrongWorker.stderr()).toContain('it exports: resize-image');
    // Nothing was started: no Redis line, no emulator line.
    expect(wrongWorker.stdout()).not.toContain('emulator');
    expect((await noActivity.exited).code).toBe(2);
    expect(noActivity.stderr()).toMatch(/--definition: '.*pass\.asl\.json' names no activity/);
    // The emulator's own check, after it started: its message and the file.
    expect((await refused.exited).code).toBe(2);
    expect(refused.stderr()).toContain(`--definition: '${refusedFile}' was refused: InvalidDefinition`);
    expect(refused.stderr()).toContain("Missing 'Next' target: Nowhere");
  });
});
