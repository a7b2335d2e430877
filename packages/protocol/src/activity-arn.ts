// Activity ARNs: parsed once at start so a typo fails loudly, not as a stream of poll errors.

export interface ActivityArnParts {
  partition: string;
  region: string;
  accountId: string;
  /** The activity's name, the last part of the ARN. */
  name: string;
}

/** Thrown for a string that is not an activity ARN. */
export class InvalidActivityArnError extends TypeError {
  override readonly name = 'InvalidActivityArnError';
}

const ACTIVITY_ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):activity:([^\s:]{1,80})$/;

/** Splits `arn:aws:states:<region>:<account>:activity:<name>`; throws `InvalidActivityArnError` naming the value. */
export function parseActivityArn(arn: string): ActivityArnParts {
  const match = ACTIVITY_ARN.exec(arn);
  if (match === null || arn.length > 256) {
    throw new InvalidActivityArnError(
      `not an activity ARN: '${arn}' (expected arn:aws:states:<region>:<12-digit account>:activity:<name>)`,
    );
  }
  const [, partition, region, accountId, name] = match as unknown as [string, string, string, string, string];
  return { partition, region, accountId, name };
}

/** Builds the ARN of an activity from its parts. */
export function activityArn(parts: ActivityArnParts): string {
  return `arn:${parts.partition}:states:${parts.region}:${parts.accountId}:activity:${parts.name}`;
}

// A region as AWS names them (`us-east-1`, `us-gov-west-1`, `eu-central-2`): the one copy of this rule.
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** True for a string shaped like an AWS region name; it does not say the region exists. */
export function isAwsRegion(region: string): boolean {
  return AWS_REGION.test(region);
}
