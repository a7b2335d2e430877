// ARNs the emulator hands out and parses: `arn:aws:states:<region>:<account>:<type>:<name>`.
// Parsing answers `InvalidArn` with the messages AWS uses for a bad prefix or a wrong resource type.
import { serviceErrors } from './service-error.js';

export type ResourceType = 'activity' | 'stateMachine' | 'execution';

export interface ParsedArn {
  partition: string;
  region: string;
  accountId: string;
  resourceType: string;
  /** Everything after the resource type (an execution ARN has `<machine>:<name>`). */
  resource: string;
}

const ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):([A-Za-z]+):(.+)$/;

/** Parses a Step Functions ARN of the expected type, or throws `InvalidArn`. */
export function parseArn(arn: string, expected: ResourceType): ParsedArn {
  const match = ARN.exec(arn);
  if (match === null) throw serviceErrors.invalidArn(`Invalid ARN prefix: ${arn}`);
  const [, partition, region, accountId, resourceType, resource] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (resourceType !== expected) {
    throw serviceErrors.invalidArn(`Resource type not valid in this context: ${resourceType}`);
  }
  return { partition, region, accountId, resourceType, resource };
}

export function buildArn(region: string, accountId: string, type: ResourceType, resource: string): string {
  return `arn:aws:states:${region}:${accountId}:${type}:${resource}`;
}
