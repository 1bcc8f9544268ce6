import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { StackSetCaller } from "./config";
import { LEVEL_FILTERS, LOG_RETENTION_DAYS, termPattern } from "./log-metrics";
import { logGroupName, MEMBER_ROLE_NAME, metricNamespace, physicalName, type StackContext } from "./naming";
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
  /**
   * The organization (`o-...`) the member accounts belong to. Set, the sink policy admits the accounts under the
   * targeted OUs of this organization (`aws:PrincipalOrgID` and `aws:PrincipalOrgPaths`), a document whose size does
   * not depend on the number of accounts. Unset, it lists `memberAccountIds`, which must then fit
   * {@link SINK_POLICY_LIMITS}.
   * @default undefined (not in the stack configuration yet)
   */
  readonly organizationId?: string;
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
 *   `memberAccountIds` (unless `organizationId` is given): that account's link is refused (and its stack instance
 *   fails) until its id is added to the configuration and the stack is updated.
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

  const organization = args.organizationId === undefined ? undefined : { id: args.organizationId, organizationalUnitIds: args.organizationalUnitIds };
  const policy = oamSinkPolicy(args.memberAccountIds, organization);
  const problems = sinkPolicyProblems(policy, args.memberAccountIds.length);
  if (problems.length > 0) throw new Error(`createCrossAccount: ${problems.join("; ")}`);

  const sink = new aws.oam.Sink(`${name}-sink`, { name: physicalName(ctx.suffix, "sink"), tags: ctx.tags }, { ...opts });

  const sinkPolicy = new aws.oam.SinkPolicy(
    `${name}-sink-policy`,
    { sinkIdentifier: sink.arn, policy: sinkPolicyText(policy) },
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
          JSON.stringify(memberAccountTemplate({ hubAccountId, partition: ctx.partition, sinkArn, suffix: ctx.suffix })),
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
 * How large a sink policy may be. OAM documents no size limit for it: not the PutSinkPolicy API reference, not the
 * SDK models (the `Policy` shape is a plain string, aws-sdk-js-v3 `oam.json`, botocore `oam/2022-06-10`), not
 * `AWS::Oam::Sink`. Resource policies of other services stop at 5,120 (CloudWatch Logs resource policies), 10,240
 * (EventBridge buses), 20,480 (S3, SQS, Lambda) or more characters. We assume 10,240: the account list of 500 members
 * (7,794 characters) fits, up to 663 members do, and a longer list fails the preview, naming `organizationId` as the
 * way out, instead of failing PutSinkPolicy at deploy time. If AWS enforces less, PutSinkPolicy fails visibly in
 * `pulumi up` and the same way out applies.
 */
export const SINK_POLICY_LIMITS = { assumedMaxCharacters: 10_240 } as const;

/** The organization and the OUs (or root) the StackSet targets, for an organization-wide sink policy. */
export interface SinkPolicyOrganization {
  /** `o-` followed by 10-32 lowercase letters or digits. */
  readonly id: string;
  readonly organizationalUnitIds: readonly string[];
}

/**
 * The sink policy: only the member accounts may create or update a link, and only to share metrics and log groups
 * (`ForAllValues:StringEquals` on `oam:ResourceTypes`, FACTS 42).
 *
 * Without `organization`, the members are listed by account id, so the document grows by 15 characters per member.
 * With it, any account of that organization under one of the targeted OUs (or the targeted root) may link, through
 * `aws:PrincipalOrgID` and `aws:PrincipalOrgPaths` (the pattern `<org>/<any>/<ou>/<any>` matches the OU and every OU
 * below it): the document grows with the OUs, not with the accounts. The StackSet, filtered to `memberAccountIds`,
 * still decides which accounts actually get a link.
 */
export function oamSinkPolicy(memberAccountIds: readonly string[], organization?: SinkPolicyOrganization): PolicyDocument {
  if (memberAccountIds.length === 0) {
    throw new Error("oamSinkPolicy: memberAccountIds is empty; a sink policy needs at least one principal");
  }
  const action = ["oam:CreateLink", "oam:UpdateLink"];
  const resourceTypes = { "ForAllValues:StringEquals": { "oam:ResourceTypes": [...LINKED_RESOURCE_TYPES] } };
  if (organization === undefined) {
    return {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "MemberAccountsLinkMetricsAndLogs",
          Effect: "Allow",
          Principal: { AWS: [...memberAccountIds] },
          Action: action,
          // A sink policy is attached to one sink; "*" names that sink.
          Resource: "*",
          Condition: resourceTypes,
        },
      ],
    };
  }
  if (!/^o-[a-z0-9]{10,32}$/.test(organization.id)) throw new Error(`oamSinkPolicy: "${organization.id}" is not an organization id (o-...)`);
  if (organization.organizationalUnitIds.length === 0) throw new Error("oamSinkPolicy: organizationalUnitIds is empty");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "TargetedOrganizationalUnitsLinkMetricsAndLogs",
        Effect: "Allow",
        Principal: "*",
        Action: action,
        Resource: "*",
        Condition: {
          ...resourceTypes,
          StringEquals: { "aws:PrincipalOrgID": organization.id },
          "ForAnyValue:StringLike": { "aws:PrincipalOrgPaths": organization.organizationalUnitIds.map((target) => orgPathPattern(organization.id, target)) },
        },
      },
    ],
  };
}

/** The `aws:PrincipalOrgPaths` pattern of the accounts under an OU (at any depth) or under the root itself. */
function orgPathPattern(organizationId: string, target: string): string {
  return target.startsWith("r-") ? `${organizationId}/${target}/*` : `${organizationId}/*/${target}/*`;
}

/** The policy as PutSinkPolicy receives it: compact JSON, no newlines. */
export function sinkPolicyText(policy: PolicyDocument): string {
  return JSON.stringify(policy);
}

/** Why the policy cannot be used as it is (empty when it can); `memberCount` only words the message. */
export function sinkPolicyProblems(policy: PolicyDocument, memberCount: number): string[] {
  const length = sinkPolicyText(policy).length;
  if (length <= SINK_POLICY_LIMITS.assumedMaxCharacters) return [];
  return [
    `the OAM sink policy listing ${memberCount} member accounts is ${length} characters, more than the ` +
      `${SINK_POLICY_LIMITS.assumedMaxCharacters} we assume a sink policy may have; give the organization id ` +
      "(organizationId) so that the policy admits the targeted OUs instead of listing every account",
  ];
}

/** Plain inputs of {@link memberAccountTemplate}. */
export interface MemberTemplateArgs {
  /** The monitoring (hub) account, the only principal the member role trusts. */
  readonly hubAccountId: string;
  /** `aws`, `aws-cn` or `aws-us-gov`: members live in the hub's partition. */
  readonly partition: string;
  /** ARN of the hub's OAM sink. */
  readonly sinkArn: string;
  /** Environment suffix: the member's application log group and metric namespace are the hub's. */
  readonly suffix: string;
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

interface CfnLogGroup {
  readonly Type: "AWS::Logs::LogGroup";
  readonly Properties: { readonly LogGroupName: string; readonly RetentionInDays: number };
}

interface CfnMetricFilter {
  readonly Type: "AWS::Logs::MetricFilter";
  readonly Properties: {
    readonly LogGroupName: CfnIntrinsic;
    readonly FilterName: string;
    readonly FilterPattern: string;
    readonly MetricTransformations: readonly {
      readonly MetricNamespace: string;
      readonly MetricName: string;
      readonly MetricValue: string;
      readonly DefaultValue: number;
      readonly Unit: "Count";
    }[];
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
  readonly Resources: {
    readonly MonitoringRole: CfnIamRole;
    readonly ObservabilityLink: CfnOamLink;
    readonly ApplicationLogGroup: CfnLogGroup;
  } & Record<string, CfnMetricFilter | CfnIamRole | CfnOamLink | CfnLogGroup>;
  readonly Outputs: { readonly MonitoringRoleArn: CfnOutput; readonly ObservabilityLinkArn: CfnOutput };
}

/**
 * The member template: `MonitoringRole-<AccountId>` that only the hub account may assume, with the ExternalId, for
 * read-only CloudWatch and Logs; the OAM link that shares metrics and log groups with the hub's sink; and the
 * application log group with the same ERROR and CRITICAL filters as the hub's (lib/log-metrics.ts), so every member
 * publishes the metrics the hub's per-member alarms and dashboard read through the link.
 *
 * The ExternalId is a `NoEcho` parameter (its value set on the StackSet), so it is not printed in the template.
 */
export function memberAccountTemplate(args: MemberTemplateArgs): MemberAccountTemplate {
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "monitoring-hub member account: MonitoringRole-<AccountId>, the OAM link to the hub's sink, and the application's log metrics",
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
      ApplicationLogGroup: {
        Type: "AWS::Logs::LogGroup",
        Properties: { LogGroupName: logGroupName(args.suffix, "application"), RetentionInDays: LOG_RETENTION_DAYS },
      },
      ...Object.fromEntries(
        LEVEL_FILTERS.map((level) => [
          `${level.metricName}Filter`,
          {
            Type: "AWS::Logs::MetricFilter",
            Properties: {
              LogGroupName: { Ref: "ApplicationLogGroup" },
              FilterName: physicalName(args.suffix, level.id),
              FilterPattern: termPattern(level.term),
              MetricTransformations: [
                { MetricNamespace: metricNamespace(args.suffix), MetricName: level.metricName, MetricValue: "1", DefaultValue: 0, Unit: "Count" },
              ],
            },
          } satisfies CfnMetricFilter,
        ]),
      ),
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
