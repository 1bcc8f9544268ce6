import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { AlarmsArgs } from "../../lib/alarms";
import { TEST_RUNBOOK_URL } from "./alarm-text";
import { testContext } from "./stack-context";

/**
 * The arguments the alarm tests give `createAlarms`: real ticket and notice topics under `parent` (so the edges to
 * them can be checked) and fixed names for the JIRA Lambda, the sweep and their queues; `members` says what the test
 * does with member accounts.
 */
export function testAlarmsArgs(
  parent: pulumi.Resource,
  members: Pick<AlarmsArgs, "memberAccountIds" | "memberAccountAlarms" | "memberMetricDependencies">,
): AlarmsArgs {
  const tickets = new aws.sns.Topic("tickets", { name: "monitoring-hub-tickets-test" }, { parent });
  const notices = new aws.sns.Topic("notices", { name: "monitoring-hub-notices-test" }, { parent });
  return {
    ctx: testContext(),
    runbookUrl: TEST_RUNBOOK_URL,
    ticketTopicArn: tickets.arn,
    noticeTopicArn: notices.arn,
    errorMetric: { namespace: "MonitoringHub/test/Application", name: "ApplicationErrors" },
    criticalMetric: { namespace: "MonitoringHub/test/Application", name: "ApplicationCriticalErrors" },
    jiraFunctionName: "monitoring-hub-jira-test",
    reconcileFunctionName: "monitoring-hub-jira-reconcile-test",
    failureQueueName: "monitoring-hub-jira-failures-test",
    redriveQueueName: "monitoring-hub-jira-redrive-test",
    ...members,
  };
}
