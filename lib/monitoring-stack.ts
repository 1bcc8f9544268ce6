import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createAlarms } from "./alarms";
import { createAlerting } from "./alerting";
import { createAuditTrail } from "./audit-trail";
import type { MonitoringConfig } from "./config";
import { createCrossAccount } from "./cross-account";
import { createDashboard } from "./dashboard";
import { createContributorInsights } from "./insights";
import { createJiraLambda } from "./jira-lambda";
import { createLogMetrics } from "./log-metrics";
import { createMaintenanceWindows } from "./maintenance";
import { partitionOf, standardTags, type StackContext } from "./naming";
import { createReconcile } from "./reconcile";

/** Inputs of {@link MonitoringStack}: the validated configuration from `lib/config.ts`. */
export type MonitoringStackArgs = MonitoringConfig;

/**
 * The monitoring hub: alarms of the application become JIRA tickets, humans are told by email, and member accounts
 * share their metrics and logs with the hub. Children are created in dependency order, one concern per line.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  readonly alertTopicArn: pulumi.Output<string>;
  readonly noticeTopicArn: pulumi.Output<string>;
  readonly jiraFunctionName: pulumi.Output<string>;
  readonly reconcileFunctionName: pulumi.Output<string>;
  readonly ticketsTableName: pulumi.Output<string>;
  readonly failureQueueUrl: pulumi.Output<string>;
  readonly redriveQueueUrl: pulumi.Output<string>;
  readonly jiraSecretArn: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string[]>;
  readonly compositeAlarmName: pulumi.Output<string>;
  readonly dashboardUrl: pulumi.Output<string>;
  readonly sinkArn: pulumi.Output<string>;
  readonly stackSetName: pulumi.Output<string>;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("monitoring-hub:index:MonitoringStack", name, {}, opts);
    const child = { parent: this };
    const identity = aws.getCallerIdentityOutput({}, child);
    const ctx: StackContext = {
      suffix: args.environmentSuffix,
      accountId: identity.accountId,
      region: args.region,
      partition: partitionOf(args.region),
      tags: standardTags(args.environmentSuffix, args.tags),
    };

    const alerting = createAlerting(`${name}-alerting`, { ctx, alertEmails: args.alertEmails, kmsKeyArn: args.kmsKeyArn }, child);
    const jira = createJiraLambda(
      `${name}-jira`,
      {
        ctx,
        alertTopic: alerting.alertTopic,
        noticeTopic: alerting.noticeTopic,
        keyArn: alerting.keyArn,
        jira: args.jira,
        jiraCredentials: args.jiraCredentials,
        reservedConcurrency: args.jiraLambdaReservedConcurrency,
      },
      child,
    );
    const reconcile = createReconcile(
      `${name}-reconcile`,
      {
        ctx,
        jiraLambda: jira,
        alertTopic: alerting.alertTopic,
        noticeTopic: alerting.noticeTopic,
        keyArn: alerting.keyArn,
        jira: args.jira,
        settings: args.reconcile,
      },
      child,
    );
    const logs = createLogMetrics(`${name}-logs`, { ctx }, child);
    // Before the alarms: member alarms read member metrics through the links this creates.
    const crossAccount = createCrossAccount(
      `${name}-members`,
      {
        ctx,
        memberAccountIds: args.memberAccountIds,
        organizationalUnitIds: args.organizationalUnitIds,
        organizationId: args.organizationId,
        externalId: args.externalId,
        callAs: args.stackSetCallAs,
      },
      child,
    );
    const alarms = createAlarms(
      `${name}-alarms`,
      {
        ctx,
        runbookUrl: args.runbookUrl,
        ticketTopicArn: alerting.alertTopic.arn,
        noticeTopicArn: alerting.noticeTopic.arn,
        errorMetric: logs.errorMetric,
        criticalMetric: logs.criticalMetric,
        jiraFunctionName: jira.function.name,
        reconcileFunctionName: reconcile.function.name,
        failureQueueName: jira.failureQueue.name,
        redriveQueueName: jira.redriveQueue.name,
        memberAccountIds: args.memberAccountIds,
        memberAccountAlarms: args.memberAccountAlarms,
        memberMetricDependencies: [crossAccount.sinkPolicy, ...crossAccount.instances],
      },
      { ...child, dependsOn: logs.filters },
    );
    createMaintenanceWindows(`${name}-maintenance`, { ctx, windows: args.maintenanceWindows, alarmNamesById: alarms.alarmNamesById }, child);
    const dashboard = createDashboard(
      `${name}-dashboard`,
      {
        ctx,
        memberAccountIds: args.memberAccountIds,
        namespace: logs.namespace,
        errorMetricName: logs.errorMetric.name,
        alarmArns: alarms.alarmArns,
      },
      child,
    );
    createContributorInsights(`${name}-insights`, { ctx, apiAccessLogGroupName: logs.apiAccessLogGroup.name }, child);
    createAuditTrail(`${name}-audit`, { ctx }, child);

    this.alertTopicArn = alerting.alertTopic.arn;
    this.noticeTopicArn = alerting.noticeTopic.arn;
    this.jiraFunctionName = jira.function.name;
    this.reconcileFunctionName = reconcile.function.name;
    this.ticketsTableName = jira.table.name;
    this.failureQueueUrl = jira.failureQueue.url;
    this.redriveQueueUrl = jira.redriveQueue.url;
    this.jiraSecretArn = jira.secret.arn;
    this.alarmNames = pulumi.all(alarms.alarmNames);
    this.compositeAlarmName = alarms.composite.alarmName;
    this.dashboardUrl = dashboard.url;
    this.sinkArn = crossAccount.sink.arn;
    this.stackSetName = crossAccount.stackSet.name;
    this.registerOutputs({
      alertTopicArn: this.alertTopicArn,
      noticeTopicArn: this.noticeTopicArn,
      jiraFunctionName: this.jiraFunctionName,
      reconcileFunctionName: this.reconcileFunctionName,
      ticketsTableName: this.ticketsTableName,
      failureQueueUrl: this.failureQueueUrl,
      redriveQueueUrl: this.redriveQueueUrl,
      jiraSecretArn: this.jiraSecretArn,
      alarmNames: this.alarmNames,
      compositeAlarmName: this.compositeAlarmName,
      dashboardUrl: this.dashboardUrl,
      sinkArn: this.sinkArn,
      stackSetName: this.stackSetName,
    });
  }
}
