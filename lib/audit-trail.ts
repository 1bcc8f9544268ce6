import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { LOG_RETENTION_DAYS } from "./log-metrics";
import { physicalName, type StackContext } from "./naming";
import type { PolicyDocument } from "./policy-document";
import { withDependsOn } from "./resource-options";

export interface AuditTrailArgs {
  readonly ctx: StackContext;
}

export interface AuditTrail {
  readonly rule: aws.cloudwatch.EventRule;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly resourcePolicy: aws.cloudwatch.LogResourcePolicy;
  readonly target: aws.cloudwatch.EventTarget;
}

/** An EventBridge event pattern (only the fields this module matches on). */
export interface EventPattern {
  readonly source: readonly string[];
  readonly "detail-type": readonly string[];
}

/**
 * Creates the audit trail of alarm state changes: an EventBridge rule on the default bus, a log group under
 * `/aws/events/` kept 30 days, ONE CloudWatch Logs resource policy that lets EventBridge write to that group, and the
 * target. IaC does not get the policy the console creates automatically, so without it the trail stays empty
 * (DESIGN.md defect 4, FACT 24); the target depends on it explicitly so no event is delivered before EventBridge may
 * write. The rule sees the hub account's alarms only (FACT 15).
 */
export function createAuditTrail(name: string, args: AuditTrailArgs, opts: pulumi.CustomResourceOptions): AuditTrail {
  const { ctx } = args;
  // The /aws/events/ prefix is a convention, not a requirement, but it is the form AWS's examples and the console
  // use, and the one users report working (FACT 25).
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-log-group`,
    { name: `/aws/events/${physicalName(ctx.suffix, "alarm-audit")}`, retentionInDays: LOG_RETENTION_DAYS, tags: ctx.tags },
    { ...opts },
  );
  // Account-scoped policies are capped at 10 per account and Region (FACT 26): one per stack, never one per target.
  const resourcePolicy = new aws.cloudwatch.LogResourcePolicy(
    `${name}-log-policy`,
    {
      policyName: physicalName(ctx.suffix, "alarm-audit-events"),
      policyDocument: logGroup.arn.apply((arn) => JSON.stringify(auditLogResourcePolicy(arn))),
    },
    { ...opts },
  );
  const rule = new aws.cloudwatch.EventRule(
    `${name}-rule`,
    {
      name: physicalName(ctx.suffix, "alarm-state-changes"),
      description: "Every CloudWatch alarm state change of the hub account, kept in the alarm audit log group.",
      eventPattern: JSON.stringify(alarmStateChangePattern()),
      tags: ctx.tags,
    },
    { ...opts },
  );
  // No roleArn: CloudWatch Logs targets are authorized by the resource policy alone (FACT 24).
  const target = new aws.cloudwatch.EventTarget(
    `${name}-target`,
    { rule: rule.name, arn: logGroup.arn, targetId: "alarm-audit-log-group" },
    withDependsOn(opts, [resourcePolicy]),
  );
  return { rule, logGroup, resourcePolicy, target };
}

/**
 * Alarm state changes only. CloudWatch also sends configuration changes and contributor state changes from the same
 * source, so matching `source` alone would fill the trail with them (FACT 12).
 */
export function alarmStateChangePattern(): EventPattern {
  return { source: ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"] };
}

/**
 * Lets EventBridge create streams in and write to one log group, in the documented form: `events.amazonaws.com` and
 * `delivery.logs.amazonaws.com`, `logs:CreateLogStream` and `logs:PutLogEvents`, resource `<log group ARN>:*`
 * (FACT 24). No `aws:SourceArn`/`aws:SourceAccount` conditions: the EventBridge guide gives none for CloudWatch Logs
 * targets, and AWS's own sample had to limit an `aws:SourceArn` condition to PutLogEvents (aws-samples/
 * serverless-patterns#618), so a condition on both actions could leave the trail silently empty. The grant is
 * narrowed to this group's streams instead.
 */
export function auditLogResourcePolicy(logGroupArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EventBridgeWritesAlarmAudit",
        Effect: "Allow",
        Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:*`,
      },
    ],
  };
}
