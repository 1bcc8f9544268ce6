import type * as pulumi from "@pulumi/pulumi";

export const PROJECT = "monitoring-hub";

/** What every concern needs to know about the stack it is part of. */
export interface StackContext {
  /** Environment suffix carried by every physical name, e.g. `dev`. */
  readonly suffix: string;
  /** The hub (monitoring) account, known once the provider has answered. */
  readonly accountId: pulumi.Output<string>;
  readonly region: string;
  readonly partition: string;
  /** Tags for every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
}

/** `monitoring-hub-<parts>-<suffix>`: a physical name that says what it is and which environment owns it. */
export function physicalName(suffix: string, ...parts: string[]): string {
  return [PROJECT, ...parts, suffix].join("-");
}

/** `/monitoring-hub/<suffix>/<parts>`: log groups of one environment share one prefix. */
export function logGroupName(suffix: string, ...parts: string[]): string {
  return ["", PROJECT, suffix, ...parts].join("/");
}

/** CloudWatch metric namespace of this environment's application metrics. */
export function metricNamespace(suffix: string): string {
  return `MonitoringHub/${suffix}/Application`;
}

/**
 * The role each member account gets from the StackSet. Its name is the contract of the original requirements
 * (`MonitoringRole-<AccountId>`), resolved by CloudFormation in each member account.
 */
export const MEMBER_ROLE_NAME = "MonitoringRole-${AWS::AccountId}";

/** Tags that say who owns a resource; extra tags from config win over nothing but these two. */
export function standardTags(suffix: string, extra: Readonly<Record<string, string>>): Record<string, string> {
  return { ...extra, project: PROJECT, environment: suffix };
}

/** The ARN partition of a region: China and GovCloud regions live outside `aws`. */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
