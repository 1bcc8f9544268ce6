// Proves how maintenance windows become alarm mute rules: the pure expansion and chunking, and the resources, inputs,
// parents and dependency edges registered under mocks, with the real alarms of lib/alarms.ts. That CloudWatch accepts
// the schedule expressions, and that a muted alarm's actions stay silent, is not proven offline.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { createAlarms } from "../../lib/alarms";
import type { MaintenanceWindow } from "../../lib/config";
import { createMaintenanceWindows, MUTE_RULE_MAX_ALARMS, muteRuleDescription, muteRulePlans } from "../../lib/maintenance";
import { countByType, record, valueOf, type RecordingMonitor } from "../../scripts/recorder";
import { TEST_RUNBOOK_URL } from "../helpers/alarm-text";
import { TEST_STACK, TEST_TAGS, testContext, testParent } from "../helpers/stack-context";

const patching: MaintenanceWindow = { name: "patching", schedule: "cron(0 2 * * SUN)", duration: "PT2H", timezone: "Europe/Berlin", alarms: ["application-health"] };
const members = (n: number) => Array.from({ length: n }, (_, i) => `monitoring-hub-alarm-member-application-errors-${String(400000000000 + i)}-test`);

describe("muteRulePlans", () => {
  const byId = {
    "application-health": ["monitoring-hub-alarm-application-health-test"],
    "application-errors": ["monitoring-hub-alarm-application-errors-test"],
    "member-application-errors": members(250),
  };

  it("makes one rule named after the window for up to 100 alarms", () => {
    expect(muteRulePlans({ ...patching, alarms: ["application-health", "application-errors"] }, byId, "test")).toEqual([
      {
        key: "patching",
        name: "monitoring-hub-mute-patching-test",
        description:
          "Maintenance window patching: mutes the actions of application-health, application-errors on cron(0 2 * * SUN) for PT2H (Europe/Berlin). " +
          "The reconciliation sweep tickets what is still in ALARM once it closes.",
        alarmNames: ["monitoring-hub-alarm-application-health-test", "monitoring-hub-alarm-application-errors-test"],
      },
    ]);
  });

  it("expands the member alarm id to every member's alarm and splits past 100 names into numbered rules", () => {
    const plans = muteRulePlans({ ...patching, alarms: ["application-health", "member-application-errors"] }, byId, "test");

    expect(plans.map((p) => [p.key, p.name, p.alarmNames.length])).toEqual([
      ["patching-1", "monitoring-hub-mute-patching-1-test", 100],
      ["patching-2", "monitoring-hub-mute-patching-2-test", 100],
      ["patching-3", "monitoring-hub-mute-patching-3-test", 51],
    ]);
    expect(plans.flatMap((p) => p.alarmNames)).toEqual(["monitoring-hub-alarm-application-health-test", ...members(250)]);
    expect(plans.every((p) => p.alarmNames.length <= MUTE_RULE_MAX_ALARMS)).toBe(true);
    expect(plans[2].description).toContain("Maintenance window patching (part 3 of 3): mutes");
  });

  it("counts an alarm id named twice once", () => {
    expect(muteRulePlans({ ...patching, alarms: ["application-health", "application-health"] }, byId, "test")[0].alarmNames).toEqual([
      "monitoring-hub-alarm-application-health-test",
    ]);
  });

  it("refuses a window that would mute nothing, naming the window and the key", () => {
    expect(() => muteRulePlans({ ...patching, alarms: ["member-application-errors"] }, { "member-application-errors": [] }, "test")).toThrow(
      'maintenance window "patching" mutes no alarm: member-application-errors has no alarm in this stack (member-application-errors exists only with memberAccountAlarms: true)',
    );
  });

  it("refuses an id the alarm table does not know", () => {
    expect(() => muteRulePlans({ ...patching, alarms: ["nope"] }, byId, "test")).toThrow('maintenance window "patching" names unknown alarm ids: nope');
  });

  it("describes a one-time window", () => {
    expect(muteRuleDescription({ ...patching, schedule: "at(2026-03-01T22:00)", duration: "PT30M", timezone: "UTC" }, ["application-health"])).toBe(
      "Maintenance window patching: mutes the actions of application-health on at(2026-03-01T22:00) for PT30M (UTC). The reconciliation sweep tickets what is still in ALARM once it closes.",
    );
  });
});

describe("createMaintenanceWindows", () => {
  let monitor: RecordingMonitor;
  let parent: pulumi.ComponentResource;

  beforeAll(async () => {
    ({ monitor } = await record(() => {
      parent = testParent();
      const ctx = testContext();
      const topic = new aws.sns.Topic("topic", { name: "monitoring-hub-topic-test" }, { parent });
      const alarms = createAlarms(
        "alarms",
        {
          ctx,
          runbookUrl: TEST_RUNBOOK_URL,
          ticketTopicArn: topic.arn,
          noticeTopicArn: topic.arn,
          errorMetric: { namespace: "MonitoringHub/test/Application", name: "ApplicationErrors" },
          criticalMetric: { namespace: "MonitoringHub/test/Application", name: "ApplicationCriticalErrors" },
          jiraFunctionName: "monitoring-hub-jira-handler-test",
          reconcileFunctionName: "monitoring-hub-jira-reconcile-test",
          failureQueueName: "monitoring-hub-jira-failures-test",
          redriveQueueName: "monitoring-hub-jira-undelivered-test",
          memberAccountIds: ["444455556666", "555566667777", "666677778888"],
          memberAccountAlarms: true,
          memberMetricDependencies: [],
        },
        { parent },
      );
      createMaintenanceWindows(
        "maintenance",
        {
          ctx,
          windows: [patching, { name: "members-release", schedule: "at(2026-03-01T22:00)", duration: "PT30M", timezone: "UTC", alarms: ["member-application-errors"] }],
          alarmNamesById: alarms.alarmNamesById,
        },
        { parent },
      );
    }, TEST_STACK));
  });

  it("creates one mute rule per window, children of the caller's parent", async () => {
    const parentUrn = await valueOf(parent.urn);
    const rules = monitor.ofType("aws:cloudwatch/alarmMuteRule:AlarmMuteRule");

    expect(countByType(rules)).toEqual({ "aws:cloudwatch/alarmMuteRule:AlarmMuteRule": 2 });
    expect(rules.map((r) => [r.name, r.parent]).sort()).toEqual([
      ["maintenance-members-release", parentUrn],
      ["maintenance-patching", parentUrn],
    ]);
  });

  it("gives each rule its schedule, duration, time zone, alarms, description and tags", () => {
    expect(monitor.named("maintenance-patching").inputs).toEqual({
      name: "monitoring-hub-mute-patching-test",
      description: muteRuleDescription(patching, ["application-health"]),
      rule: { schedule: { expression: "cron(0 2 * * SUN)", duration: "PT2H", timezone: "Europe/Berlin" } },
      muteTargets: { alarmNames: ["monitoring-hub-alarm-application-health-test"] },
      tags: TEST_TAGS,
    });
    expect(monitor.named("maintenance-members-release").inputs).toMatchObject({
      name: "monitoring-hub-mute-members-release-test",
      rule: { schedule: { expression: "at(2026-03-01T22:00)", duration: "PT30M", timezone: "UTC" } },
      muteTargets: {
        alarmNames: ["444455556666", "555566667777", "666677778888"].map((id) => `monitoring-hub-alarm-member-application-errors-${id}-test`),
      },
    });
  });

  it("depends on the alarms it mutes, through their names", () => {
    expect(monitor.named("maintenance-patching").propertyDependencies.muteTargets).toEqual([monitor.named("alarms-application-health").urn]);
    expect(monitor.named("maintenance-members-release").dependencies).toEqual(
      expect.arrayContaining(["444455556666", "555566667777", "666677778888"].map((id) => monitor.named(`alarms-member-application-errors-${id}`).urn)),
    );
  });
});
