import { loadConfig } from "./lib/config";
import { MonitoringStack } from "./lib/monitoring-stack";
import { PROJECT } from "./lib/naming";

const config = loadConfig();
const hub = new MonitoringStack(PROJECT, config);

export const alertTopicArn = hub.alertTopicArn;
export const noticeTopicArn = hub.noticeTopicArn;
export const jiraFunctionName = hub.jiraFunctionName;
export const reconcileFunctionName = hub.reconcileFunctionName;
export const ticketsTableName = hub.ticketsTableName;
export const failureQueueUrl = hub.failureQueueUrl;
export const redriveQueueUrl = hub.redriveQueueUrl;
export const jiraSecretArn = hub.jiraSecretArn;
export const alarmNames = hub.alarmNames;
export const compositeAlarmName = hub.compositeAlarmName;
export const dashboardUrl = hub.dashboardUrl;
export const sinkArn = hub.sinkArn;
export const stackSetName = hub.stackSetName;
