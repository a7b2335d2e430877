import {
  CreateActivityCommand,
  GetActivityTaskCommand,
  ListActivitiesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './cli-process.js';

const runs: CliRun[] = [];
const clients: SFNClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(runs.splice(0).map((run) => run.kill()));
});

describe('sfn-bullmq emulator', () => {
  it('prints its endpoint and ARNs, answers the SDK, and exits 0 on SIGTERM', async () => {
    const cli = runCli([
      'emulator',
      '--port',
      '0',
      '--poll-timeout-ms',
      '200',
      '--activity',
      'resize-image',
      '--activity',
      'charge-card',
      '--region',
      'eu-west-1',
    ]);
    runs.push(cli);
    const [, endpoint] = (await cli.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/)) as unknown as [
      string,
      string,
    ];
    await cli.waitFor(/activity arn:aws:states:eu-west-1:123456789012:activity:charge-card/);
    expect(cli.stdout()).toContain('activity arn:aws:states:eu-west-1:123456789012:activity:resize-image');
    // A line to paste: the endpoint, the region and credentials (the SDK needs some; any work).
    expect(cli.stdout()).toContain(
      `use it with: SFN_ENDPOINT=${endpoint} AWS_REGION=eu-west-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
    );

    const client = new SFNClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    clients.push(client);
    const listed = await client.send(new ListActivitiesCommand({}));
    expect(listed.activities?.map((a) => a.name).sort()).toEqual(['charge-card', 'resize-image']);
    const created = await client.send(new CreateActivityCommand({ name: 'more' }));
    expect(created.activityArn).toBe('arn:aws:states:eu-west-1:123456789012:activity:more');
    // A poll with no task comes back empty after the short poll timeout.
    const polled = await client.send(new GetActivityTaskCommand({ activityArn: created.activityArn }));
    expect(polled.taskToken).toBeUndefined();

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses a bad option value with exit code 2', async () => {
    const cli = runCli(['emulator', '--port', '0', '--region', 'mars']);
    runs.push(cli);
    expect((await cli.exited).code).toBe(2);
    expect(cli.stderr()).toContain('region');
  });
});
