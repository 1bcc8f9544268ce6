import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { StackSetCaller } from "./config";
import { MEMBER_ROLE_NAME, physicalName, type StackContext } from "./naming";
import type { PolicyDocument } from "./policy-document";
import { withDependsOn } from "./resource-options";

/** Inputs to {@link createCrossAccount}. Values come from lib/config.ts, already validated. */
export interface CrossAccountArgs {
  readonly ctx: StackContext;
  /** Accounts allowed to link to the sink; the StackSet deploys only to these (12-digit ids, at least one). */
  readonly memberAccountIds: readonly string[];
  /** OUs (`ou-...`) or the organization root (`r-...`) holding the member accounts (at least one). */
  readonly organizationalUnitIds: readonly string[];
  /** What callers from the hub must present to assume `MonitoringRole-<AccountId>`. */
  readonly externalId: string;
  /** The management account (`SELF`) or a registered delegated administrator (`DELEGATED_ADMIN`). */
  readonly callAs: StackSetCaller;
}

/** What {@link createCrossAccount} created. */
export interface CrossAccount {
  readonly sink: aws.oam.Sink;
  readonly sinkPolicy: aws.oam.SinkPolicy;
  readonly stackSet: aws.cloudformation.StackSet;
  /** One per OU, in the order of `organizationalUnitIds`. */
  readonly instances: aws.cloudformation.StackSetInstance[];
  /** Physical name of the StackSet. */
  readonly stackSetName: string;
}

/**
 * Cross-account observability (DESIGN.md defect 5): an OAM sink in the hub, and a service-managed StackSet that gives
 * each member account `MonitoringRole-<AccountId>` (trusting the hub with an ExternalId) and an OAM link to the sink.
 *
 * Limits an operator must know:
 * - Service-managed StackSets never deploy to the organization's management account, even when it sits in a targeted
 *   OU (FACTS 45, PEERS D1). A member that is the management account gets neither role nor link from here.
 * - Hub alarms on member metrics fail ("Forbidden") until the member's link is active, which can take minutes after
 *   its stack instance completes (PEERS D6). Create such alarms in a later deployment, or let them be retried.
 * - Auto-deployment adds the stack to any account that later joins a targeted OU, but the sink policy only admits
 *   `memberAccountIds`: that account's link is refused (and its stack instance fails) until its id is added to the
 *   configuration and the stack is updated.
 * - The ExternalId is a `NoEcho` template parameter whose StackSet value is a Pulumi secret. CloudFormation describes
 *   NoEcho values as `****` and the provider keeps what it reads back, so a preview may show a `parameters` change on
 *   every run (pulumi-aws#2492 reports it for Stacks; not verified for StackSets); applying it rewrites the same
 *   value. It is deliberately not in `ignoreChanges`: the provider would then send the masked value back to AWS.
 */
export function createCrossAccount(name: string, args: CrossAccountArgs, opts: pulumi.CustomResourceOptions): CrossAccount {
  const { ctx } = args;
  if (args.organizationalUnitIds.length === 0) {
    throw new Error("createCrossAccount: organizationalUnitIds is empty, so the StackSet would reach no account");
  }

  const policy = oamSinkPolicy(args.memberAccountIds);

  const sink = new aws.oam.Sink(`${name}-sink`, { name: physicalName(ctx.suffix, "sink"), tags: ctx.tags }, { ...opts });

  const sinkPolicy = new aws.oam.SinkPolicy(
    `${name}-sink-policy`,
    { sinkIdentifier: sink.arn, policy: JSON.stringify(policy) },
    { ...opts },
  );

  const stackSetName = physicalName(ctx.suffix, "member-monitoring");
  const stackSet = new aws.cloudformation.StackSet(
    `${name}-member-stack-set`,
    {
      name: stackSetName,
      description: `MonitoringRole-<AccountId> and the OAM link to the monitoring-hub ${ctx.suffix} sink`,
      permissionModel: "SERVICE_MANAGED",
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ["CAPABILITY_NAMED_IAM"],
      callAs: args.callAs,
      operationPreferences: STACK_SET_OPERATION_PREFERENCES,
      // The sink ARN inside the template makes the StackSet depend on the sink, so on destroy the member links go
      // before the sink they point at.
      templateBody: pulumi
        .all([ctx.accountId, sink.arn])
        .apply(([hubAccountId, sinkArn]) =>
          JSON.stringify(memberAccountTemplate({ hubAccountId, partition: ctx.partition, sinkArn })),
        ),
      parameters: { [EXTERNAL_ID_PARAMETER]: pulumi.secret(args.externalId) },
      tags: ctx.tags,
    },
    {
      ...opts,
      // SERVICE_MANAGED StackSets use the Organizations service role, so we never set administrationRoleArn. Provider
      // builds without terraform-provider-aws#45992 read back the ARN CloudFormation reports and show a diff against
      // our unset input on every preview (PEERS D3); ignoring it cannot hide a change of ours.
      ignoreChanges: ["administrationRoleArn"],
    },
  );

  // One instance per OU (PEERS D4): adding an OU creates a resource instead of updating a target list in place.
  // The instances create the links, so they wait for the sink policy that admits them.
  const instances = args.organizationalUnitIds.map(
    (ou) =>
      new aws.cloudformation.StackSetInstance(
        `${name}-member-${ou}`,
        {
          stackSetName: stackSet.name,
          callAs: args.callAs,
          deploymentTargets: {
            organizationalUnitIds: [ou],
            accounts: [...args.memberAccountIds],
            accountFilterType: "INTERSECTION",
          },
          // IAM is global: a second region's stack would collide on the role name (FACTS 46). OAM links are
          // regional and must be in the sink's region, which is the hub's.
          stackSetInstanceRegion: ctx.region,
          operationPreferences: STACK_SET_OPERATION_PREFERENCES,
          retainStack: false,
        },
        withDependsOn(opts, [sinkPolicy]),
      ),
  );

  return { sink, sinkPolicy, stackSet, instances, stackSetName };
}

/**
 * Many accounts: work on up to a quarter of them at once (CloudFormation's default strict mode caps this at the
 * failure tolerance + 1) and keep going past a few broken accounts, so one member with a conflicting role does not
 * block the others; failures beyond 10% stop the operation. Auto-deployment ignores these preferences.
 */
const STACK_SET_OPERATION_PREFERENCES = { failureTolerancePercentage: 10, maxConcurrentPercentage: 25 } as const;

/** What members may share with the hub: metrics and log groups, nothing else (traces, Application Insights...). */
export const LINKED_RESOURCE_TYPES = ["AWS::CloudWatch::Metric", "AWS::Logs::LogGroup"] as const;

/** Name of the member template's parameter that carries the ExternalId. */
export const EXTERNAL_ID_PARAMETER = "ExternalId";

/** A CloudFormation intrinsic function as it appears in a JSON template. */
export type CfnIntrinsic = { readonly Ref: string } | { readonly "Fn::Sub": string } | { readonly "Fn::GetAtt": readonly [string, string] };

/** A policy document inside a template: its values may be intrinsics, which CloudFormation resolves at deploy time. */
export type TemplatePolicyDocument = PolicyDocument<string | CfnIntrinsic>;

/**
 * The sink policy: only the member accounts may create or update a link, and only to share metrics and log groups
 * (`ForAllValues:StringEquals` on `oam:ResourceTypes`, FACTS 42).
 */
export function oamSinkPolicy(memberAccountIds: readonly string[]): PolicyDocument {
  if (memberAccountIds.length === 0) {
    throw new Error("oamSinkPolicy: memberAccountIds is empty; a sink policy needs at least one principal");
  }
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "MemberAccountsLinkMetricsAndLogs",
        Effect: "Allow",
        Principal: { AWS: [...memberAccountIds] },
        Action: ["oam:CreateLink", "oam:UpdateLink"],
        // A sink policy is attached to one sink; "*" names that sink.
        Resource: "*",
        Condition: { "ForAllValues:StringEquals": { "oam:ResourceTypes": [...LINKED_RESOURCE_TYPES] } },
      },
    ],
  };
}

/** Plain inputs of {@link memberAccountTemplate}. */
export interface MemberTemplateArgs {
  /** The monitoring (hub) account, the only principal the member role trusts. */
  readonly hubAccountId: string;
  /** `aws`, `aws-cn` or `aws-us-gov`: members live in the hub's partition. */
  readonly partition: string;
  /** ARN of the hub's OAM sink. */
  readonly sinkArn: string;
}

interface CfnParameter {
  readonly Type: "String";
  readonly Description: string;
  readonly NoEcho: boolean;
  readonly MinLength: number;
  readonly MaxLength: number;
  readonly AllowedPattern: string;
}

interface CfnIamRole {
  readonly Type: "AWS::IAM::Role";
  readonly Properties: {
    readonly RoleName: CfnIntrinsic;
    readonly Description: string;
    readonly AssumeRolePolicyDocument: TemplatePolicyDocument;
    readonly MaxSessionDuration: number;
    readonly Policies: readonly { readonly PolicyName: string; readonly PolicyDocument: TemplatePolicyDocument }[];
  };
}

interface CfnOamLink {
  readonly Type: "AWS::Oam::Link";
  readonly Properties: {
    readonly SinkIdentifier: string;
    readonly ResourceTypes: readonly string[];
    readonly LabelTemplate: string;
  };
}

interface CfnOutput {
  readonly Description: string;
  readonly Value: CfnIntrinsic;
}

/** The CloudFormation template every member account receives from the StackSet. */
export interface MemberAccountTemplate {
  readonly AWSTemplateFormatVersion: "2010-09-09";
  readonly Description: string;
  readonly Parameters: { readonly ExternalId: CfnParameter };
  readonly Resources: { readonly MonitoringRole: CfnIamRole; readonly ObservabilityLink: CfnOamLink };
  readonly Outputs: { readonly MonitoringRoleArn: CfnOutput; readonly ObservabilityLinkArn: CfnOutput };
}

/**
 * The member template: `MonitoringRole-<AccountId>` that only the hub account may assume, with the ExternalId, for
 * read-only CloudWatch and Logs; and the OAM link that shares metrics and log groups with the hub's sink.
 *
 * The ExternalId is a `NoEcho` parameter (its value set on the StackSet), so it is not printed in the template.
 */
export function memberAccountTemplate(args: MemberTemplateArgs): MemberAccountTemplate {
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "monitoring-hub member account: MonitoringRole-<AccountId> and the OAM link to the hub's sink",
    Parameters: {
      ExternalId: {
        Type: "String",
        Description: "ExternalId that callers from the monitoring account must present to assume the role",
        NoEcho: true,
        // The constraints of sts:AssumeRole's ExternalId, so a bad value fails the stack instead of every AssumeRole.
        MinLength: 2,
        MaxLength: 1224,
        AllowedPattern: "[\\w+=,.@:/-]*",
      },
    },
    Resources: {
      MonitoringRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: { "Fn::Sub": MEMBER_ROLE_NAME },
          Description: "Read-only CloudWatch and Logs access for the monitoring-hub account",
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "MonitoringAccountWithExternalId",
                Effect: "Allow",
                Principal: { AWS: `arn:${args.partition}:iam::${args.hubAccountId}:root` },
                Action: ["sts:AssumeRole"],
                Condition: { StringEquals: { "sts:ExternalId": { Ref: EXTERNAL_ID_PARAMETER } } },
              },
            ],
          },
          MaxSessionDuration: 3600,
          Policies: [{ PolicyName: "cloudwatch-logs-read-only", PolicyDocument: memberReadOnlyPolicy() }],
        },
      },
      ObservabilityLink: {
        Type: "AWS::Oam::Link",
        Properties: {
          SinkIdentifier: args.sinkArn,
          ResourceTypes: [...LINKED_RESOURCE_TYPES],
          // Documented as optional, but CloudFormation rejects a link without it (PEERS D5, aws/aws-cdk#35367).
          LabelTemplate: "$AccountName",
        },
      },
    },
    Outputs: {
      MonitoringRoleArn: { Description: "Role the monitoring account assumes", Value: { "Fn::GetAtt": ["MonitoringRole", "Arn"] } },
      ObservabilityLinkArn: { Description: "OAM link to the hub's sink", Value: { "Fn::GetAtt": ["ObservabilityLink", "Arn"] } },
    },
  };
}

/**
 * Named read actions instead of `Describe*`/`Get*`/`List*`: the wildcards also grant whatever AWS adds under those
 * prefixes (they already cover actions such as `cloudwatch:GetSpaceCredentials`).
 */
const MEMBER_READ_ACTIONS = [
  "cloudwatch:DescribeAlarmHistory",
  "cloudwatch:DescribeAlarms",
  "cloudwatch:DescribeAlarmsForMetric",
  "cloudwatch:DescribeAnomalyDetectors",
  "cloudwatch:DescribeInsightRules",
  "cloudwatch:GetDashboard",
  "cloudwatch:GetInsightRuleReport",
  "cloudwatch:GetMetricData",
  "cloudwatch:GetMetricStatistics",
  "cloudwatch:GetMetricWidgetImage",
  "cloudwatch:ListDashboards",
  "cloudwatch:ListMetrics",
  "cloudwatch:ListTagsForResource",
  "logs:DescribeLogGroups",
  "logs:DescribeLogStreams",
  "logs:DescribeMetricFilters",
  "logs:DescribeQueries",
  "logs:DescribeQueryDefinitions",
  "logs:DescribeSubscriptionFilters",
  "logs:FilterLogEvents",
  "logs:GetLogEvents",
  "logs:GetLogGroupFields",
  "logs:GetLogRecord",
  "logs:GetQueryResults",
  "logs:ListTagsForResource",
  "logs:StartQuery",
  "logs:StopQuery",
] as const;

function memberReadOnlyPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadCloudWatchAndLogs",
        Effect: "Allow",
        Action: [...MEMBER_READ_ACTIONS],
        // Most of these reads (GetMetricData, ListMetrics, DescribeAlarms..., DescribeLogGroups, StartQuery...)
        // support no resource-level scoping, and the role's purpose is to read the whole account's monitoring data,
        // so the least privilege lies in the action list, not in the resources.
        Resource: "*",
      },
    ],
  };
}
