/**
 * The CloudWatch client and the two read commands the reconciliation sweep uses, and nothing else of the package (see
 * aws-secrets-manager.ts for why). Only the sweep's entry point loads it; the notification path never does.
 */
export { CloudWatchClient, DescribeAlarmsCommand, ListAlarmMuteRulesCommand } from "@aws-sdk/client-cloudwatch";
