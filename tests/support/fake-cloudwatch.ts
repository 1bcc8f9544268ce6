import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListAlarmMuteRulesCommand,
  type CompositeAlarm,
  type DescribeAlarmsCommandInput,
  type DescribeAlarmsCommandOutput,
  type ListAlarmMuteRulesCommandInput,
  type ListAlarmMuteRulesCommandOutput,
  type MetricAlarm,
} from "@aws-sdk/client-cloudwatch";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { alarmArn } from "./events";

export const HUB_ACCOUNT = "111122223333";
export const HUB_REGION = "us-east-1";
/** The hub's ticket (alerts) topic in the sweep tests. */
export const TICKET_TOPIC_ARN = `arn:aws:sns:${HUB_REGION}:${HUB_ACCOUNT}:monitoring-hub-alerts-test`;
/** The hub's notice topic: alarms routed here are never the sweep's. */
export const NOTICE_TOPIC_ARN = `arn:aws:sns:${HUB_REGION}:${HUB_ACCOUNT}:monitoring-hub-notices-test`;

/** The sweep's variables (beside DESIGN.md's contract) for the test environment `test`. */
export const SWEEP_ENV = {
  TICKET_TOPIC_ARN,
  ALARM_NAME_PREFIX: "monitoring-hub-alarm-",
  ALARM_NAME_SUFFIX: "-test",
  RECONCILE_GRACE_MINUTES: "10",
  RECONCILE_MAX_JIRA_WRITES: "20",
} as const;

/** How an alarm is put into the fake. */
export interface FakeAlarmOptions {
  readonly state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  /** Epoch ms of the last state change (StateTransitionedTimestamp). */
  readonly since: number;
  /** @default "composite" for a name containing application-health, else "metric" */
  readonly kind?: "metric" | "composite";
  /** @default [TICKET_TOPIC_ARN] */
  readonly actions?: readonly string[];
  readonly reason?: string;
}

/**
 * CloudWatch as the sweep sees it: alarms with a state, answered through aws-sdk-client-mock's stub of the SDK client's
 * `send` (DescribeAlarms with AlarmNamePrefix, AlarmTypes and NextToken paging; ListAlarmMuteRules by AlarmName and
 * status). Any other command is rejected, so the sweep cannot write to CloudWatch unnoticed.
 */
export class FakeCloudWatch {
  readonly #alarms = new Map<string, MetricAlarm | CompositeAlarm>();
  readonly #kinds = new Map<string, "metric" | "composite">();
  readonly #muted = new Set<string>();
  readonly stub: AwsClientStub<CloudWatchClient>;
  /** DescribeAlarms answers at most this many alarms a page. */
  pageSize = 100;
  /** Every DescribeAlarms and ListAlarmMuteRules input, in order. */
  readonly describeCalls: DescribeAlarmsCommandInput[] = [];
  readonly muteCalls: ListAlarmMuteRulesCommandInput[] = [];

  constructor() {
    this.stub = mockClient(CloudWatchClient);
    this.reset();
  }

  /** Clears alarms, mutes and recorded calls, and re-installs the answers. */
  reset(): void {
    this.#alarms.clear();
    this.#kinds.clear();
    this.#muted.clear();
    this.describeCalls.length = 0;
    this.muteCalls.length = 0;
    this.pageSize = 100;
    this.stub.reset();
    // The catch-all first: set after the per-command answers, it would replace them.
    this.stub.onAnyCommand().rejects(new Error("FakeCloudWatch: only DescribeAlarms and ListAlarmMuteRules are answered"));
    this.stub.on(DescribeAlarmsCommand).callsFake((input: DescribeAlarmsCommandInput) => this.#describe(input));
    this.stub.on(ListAlarmMuteRulesCommand).callsFake((input: ListAlarmMuteRulesCommandInput) => this.#listMuteRules(input));
  }

  /** Puts (or updates) an alarm in the given state since the given time. */
  set(name: string, options: FakeAlarmOptions): void {
    const kind = options.kind ?? (name.includes("application-health") ? "composite" : "metric");
    const since = new Date(options.since);
    const common = {
      AlarmName: name,
      AlarmArn: alarmArn(HUB_REGION, HUB_ACCOUNT, name),
      AlarmDescription: `Test alarm ${name}.\nRunbook: https://wiki.example.com/runbooks/monitoring-hub#application-health`,
      ActionsEnabled: true,
      AlarmActions: [...(options.actions ?? [TICKET_TOPIC_ARN])],
      OKActions: [...(options.actions ?? [TICKET_TOPIC_ARN])],
      InsufficientDataActions: [],
      StateValue: options.state,
      StateReason: options.reason ?? `${options.state} as the test says`,
      StateUpdatedTimestamp: since,
      StateTransitionedTimestamp: since,
    };
    this.#kinds.set(name, kind);
    if (kind === "composite") {
      this.#alarms.set(name, {
        ...common,
        AlarmRule: 'ALARM("monitoring-hub-alarm-application-errors-test") OR ALARM("monitoring-hub-alarm-application-critical-errors-test")',
        StateReasonData: JSON.stringify({
          triggeringAlarms: [
            { arn: alarmArn(HUB_REGION, HUB_ACCOUNT, "monitoring-hub-alarm-application-errors-test"), state: { value: options.state, timestamp: since.toISOString() } },
          ],
        }),
      });
    } else {
      this.#alarms.set(name, {
        ...common,
        Namespace: "MonitoringHub/test/Application",
        MetricName: "ApplicationErrors",
        Dimensions: [],
        Statistic: "Sum",
        Period: 300,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        Threshold: 5,
        ComparisonOperator: "GreaterThanThreshold",
        TreatMissingData: "breaching",
      });
    }
  }

  /** An ACTIVE mute rule now targets the alarm (a maintenance window is open). */
  mute(name: string): void {
    this.#muted.add(name);
  }

  /** The window closed: the rule is no longer ACTIVE. */
  unmute(name: string): void {
    this.#muted.delete(name);
  }

  #describe(input: DescribeAlarmsCommandInput): Partial<DescribeAlarmsCommandOutput> {
    this.describeCalls.push(input);
    const types = input.AlarmTypes ?? ["MetricAlarm"];
    const names = [...this.#alarms.keys()]
      .filter((n) => input.AlarmNamePrefix === undefined || n.startsWith(input.AlarmNamePrefix))
      .filter((n) => types.includes(this.#kinds.get(n) === "composite" ? "CompositeAlarm" : "MetricAlarm"))
      .sort();
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken.replace("page-", ""));
    const size = Math.min(this.pageSize, input.MaxRecords ?? 50);
    const page = names.slice(start, start + size);
    const next = start + size < names.length ? `page-${start + size}` : undefined;
    return {
      CompositeAlarms: page.filter((n) => this.#kinds.get(n) === "composite").map((n) => this.#alarms.get(n) as CompositeAlarm),
      MetricAlarms: page.filter((n) => this.#kinds.get(n) === "metric").map((n) => this.#alarms.get(n) as MetricAlarm),
      NextToken: next,
    };
  }

  #listMuteRules(input: ListAlarmMuteRulesCommandInput): Partial<ListAlarmMuteRulesCommandOutput> {
    this.muteCalls.push(input);
    const active = input.AlarmName !== undefined && this.#muted.has(input.AlarmName) && (input.Statuses ?? ["ACTIVE"]).includes("ACTIVE");
    return {
      AlarmMuteRuleSummaries: active
        ? [{ AlarmMuteRuleArn: `arn:aws:cloudwatch:${HUB_REGION}:${HUB_ACCOUNT}:alarm-mute-rule:monitoring-hub-mute-patching-test`, Status: "ACTIVE", MuteType: "SCHEDULED" }]
        : [],
    };
  }
}
