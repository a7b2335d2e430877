// Contract: activity operations (Create, Describe, List, Delete) and their errors.
import {
  CreateActivityCommand,
  DeleteActivityCommand,
  DescribeActivityCommand,
  GetActivityTaskCommand,
  ListActivitiesCommand,
} from '@aws-sdk/client-sfn';
import { uniqueName } from '@sfn-bullmq/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTarget, type ContractTarget } from './target.js';

describe('activities', () => {
  let target: ContractTarget;
  beforeEach(async () => {
    target = await startTarget();
  });
  afterEach(async () => {
    await target.close();
  });

  it('creates an activity idempotently: same ARN and creation date', async () => {
    const name = uniqueName('idem');
    const first = await target.client.send(new CreateActivityCommand({ name }));
    const second = await target.client.send(new CreateActivityCommand({ name }));
    expect(first.activityArn).toMatch(/^arn:aws:states:[a-z0-9-]+:\d{12}:activity:/);
    expect(first.activityArn!.endsWith(`:activity:${name}`)).toBe(true);
    expect(second.activityArn).toBe(first.activityArn);
    expect(second.creationDate!.getTime()).toBe(first.creationDate!.getTime());
    await target.client.send(new DeleteActivityCommand({ activityArn: first.activityArn }));
  });

  it('describes an activity with its name and creation date', async () => {
    const arn = await target.createActivity('describe');
    const described = await target.client.send(new DescribeActivityCommand({ activityArn: arn }));
    expect(described.activityArn).toBe(arn);
    expect(arn.endsWith(`:activity:${described.name!}`)).toBe(true);
    expect(described.creationDate).toBeInstanceOf(Date);
    expect(Math.abs(described.creationDate!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('deletes idempotently, after which the activity does not exist', async () => {
    const arn = await target.createActivity('delete');
    await target.client.send(new DeleteActivityCommand({ activityArn: arn }));
    await target.client.send(new DeleteActivityCommand({ activityArn: arn }));
    await expect(target.client.send(new DescribeActivityCommand({ activityArn: arn }))).rejects.toMatchObject(
      {
        name: 'ActivityDoesNotExist',
        message: `Activity Does Not Exist: '${arn}'`,
      },
    );
    await expect(
      target.pollClient.send(new GetActivityTaskCommand({ activityArn: arn })),
    ).rejects.toMatchObject({
      name: 'ActivityDoesNotExist',
    });
  });

  it('refuses a malformed ARN with InvalidArn', async () => {
    await expect(
      target.client.send(new DescribeActivityCommand({ activityArn: 'not-an-arn' })),
    ).rejects.toMatchObject({ name: 'InvalidArn', message: "Invalid Arn: 'Invalid ARN prefix: not-an-arn'" });
    await expect(
      target.client.send(new DeleteActivityCommand({ activityArn: 'nope' })),
    ).rejects.toMatchObject({
      name: 'InvalidArn',
    });
    await expect(
      target.pollClient.send(new GetActivityTaskCommand({ activityArn: 'x' })),
    ).rejects.toMatchObject({
      name: 'InvalidArn',
    });
  });

  it('refuses names with forbidden characters (InvalidName) and over 80 characters (ValidationException)', async () => {
    await expect(target.client.send(new CreateActivityCommand({ name: 'has space' }))).rejects.toMatchObject({
      name: 'InvalidName',
      message: "Invalid Name: 'has space'",
    });
    await expect(
      target.client.send(new CreateActivityCommand({ name: 'x'.repeat(81) })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'name' failed to satisfy constraint") as unknown,
    });
  });

  it('lists activities in pages with maxResults and nextToken', async () => {
    const arns = [
      await target.createActivity('page'),
      await target.createActivity('page'),
      await target.createActivity('page'),
    ];
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await target.client.send(new ListActivitiesCommand({ maxResults: 1, nextToken }));
      expect(page.activities!.length).toBeLessThanOrEqual(1);
      seen.push(...page.activities!.map((activity) => activity.activityArn!));
      nextToken = page.nextToken;
      pages += 1;
    } while (nextToken !== undefined && pages < 10_000);
    for (const arn of arns) expect(seen).toContain(arn);
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('refuses a nextToken it did not issue with InvalidToken', async () => {
    await expect(
      target.client.send(new ListActivitiesCommand({ nextToken: 'garbage-token' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
  });
});
