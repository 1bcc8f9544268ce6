import * as fs from "fs";
import * as path from "path";
import {
  ALARM_SPECS,
  COMPOSITE_ALARM,
  MEMBER_ALARM_SPECS,
  alarmDescription,
  alarmKey,
  alarmName,
  alarmNameAffixes,
  compositeAlarmDescription,
  compositeAlarmRule,
  conditionText,
  fillZeroQueries,
  memberMetricQueries,
  thresholdValue,
  validateAlarmSpecs,
  type AlarmSpec,
} from "../../lib/alarm-specs";
import { APPLICATION_ERRORS_TICKET_TEXT, TEST_RUNBOOK_URL } from "../helpers/alarm-text";

const runbookUrl = TEST_RUNBOOK_URL;
const context = { suffix: "test", runbookUrl };
const spec = (id: string): AlarmSpec => {
  const found = ALARM_SPECS.find((s) => s.id === id);
  if (!found) throw new Error(`no spec ${id}`);
  return found;
};

describe("ALARM_SPECS", () => {
  it("passes its own validator", () => {
    expect(validateAlarmSpecs(ALARM_SPECS, context)).toEqual([]);
  });

  it("says per alarm which quiet case of DESIGN.md defect 3 it is", () => {
    expect(ALARM_SPECS.map((s) => [s.id, s.metric.kind, s.quietBehaviour.case])).toEqual([
      ["application-errors", "log-filter", "silence-is-outage"],
      ["application-critical-errors", "log-filter", "silence-is-outage"],
      ["jira-lambda-errors", "service", "sparse-filled-with-zero"],
      ["jira-lambda-throttles", "service", "sparse-filled-with-zero"],
      ["jira-failure-queue-messages", "service", "sparse-filled-with-zero"],
      ["jira-redrive-queue-messages", "service", "sparse-filled-with-zero"],
      ["jira-reconcile-errors", "service", "sparse-filled-with-zero"],
    ]);
  });

  it("routes every metric alarm to the notice topic and makes only the application alarms composite children", () => {
    expect(ALARM_SPECS.map((s) => [s.id, s.route, s.compositeChild, s.severity])).toEqual([
      ["application-errors", "notice", true, "warning"],
      ["application-critical-errors", "notice", true, "critical"],
      ["jira-lambda-errors", "notice", false, "critical"],
      ["jira-lambda-throttles", "notice", false, "warning"],
      ["jira-failure-queue-messages", "notice", false, "critical"],
      ["jira-redrive-queue-messages", "notice", false, "critical"],
      ["jira-reconcile-errors", "notice", false, "warning"],
    ]);
  });

  it("keeps every description within 1,024 characters even with a long runbook URL", () => {
    const longUrl = `https://wiki.example.com/${"a".repeat(200)}`;

    for (const s of ALARM_SPECS) {
      const description = alarmDescription(s, longUrl);
      expect(description.length).toBeLessThanOrEqual(1024);
      expect(description.endsWith(`\nRunbook: ${longUrl}#${s.id}`)).toBe(true);
    }
  });
});

describe("MEMBER_ALARM_SPECS", () => {
  const member = MEMBER_ALARM_SPECS[0];

  it("passes the validator, together with the hub's table", () => {
    expect(validateAlarmSpecs([...ALARM_SPECS, ...MEMBER_ALARM_SPECS], context)).toEqual([]);
  });

  it("reads the member's error filter metric, treats silence as that member's outage and raises its own ticket", () => {
    expect(MEMBER_ALARM_SPECS.map((s) => [s.id, s.metric, s.quietBehaviour.case, s.route, s.compositeChild])).toEqual([
      ["member-application-errors", { kind: "member-log-filter", filter: "errors" }, "silence-is-outage", "ticket", false],
    ]);
  });

  it("alarms on the same condition as the hub's application-errors alarm", () => {
    const hub = spec("application-errors");
    const condition = (s: AlarmSpec) => [s.statistic, s.periodSeconds, s.evaluationPeriods, s.datapointsToAlarm, s.threshold, s.comparison];

    expect(condition(member)).toEqual(condition(hub));
  });

  it("names the account in the ticket text and keeps it within 1,024 characters with a long runbook URL", () => {
    const longUrl = `https://wiki.example.com/${"a".repeat(200)}`;
    const description = alarmDescription(member, longUrl, "444455556666");

    expect(description.startsWith("Member account application errors in account 444455556666: ")).toBe(true);
    expect(description.endsWith(`\nRunbook: ${longUrl}#member-application-errors`)).toBe(true);
    expect(description.length).toBeLessThanOrEqual(1024);
  });

  it("is refused as a composite child", () => {
    expect(validateAlarmSpecs([{ ...member, route: "notice", compositeChild: true }], context)).toEqual([
      "member-application-errors: a member-account alarm cannot be a composite child: a composite takes at most 100 children, and each member's outage is its own incident",
    ]);
  });

  it("is checked for name length with a 12-digit account id in the name", () => {
    expect(validateAlarmSpecs([member], { suffix: "s".repeat(200), runbookUrl })).toEqual(["member-application-errors: name is 260 characters, more than 255"]);
  });
});

describe("RUNBOOK.md", () => {
  it("has a section for every alarm id the descriptions link to", () => {
    const runbook = fs.readFileSync(path.join(__dirname, "..", "..", "RUNBOOK.md"), "utf8");
    const sections = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((m) => m[1]));
    const ids = [...ALARM_SPECS, ...MEMBER_ALARM_SPECS, COMPOSITE_ALARM].map((s) => s.id);

    expect(ids.filter((id) => !sections.has(id))).toEqual([]);
  });
});

describe("alarmNameAffixes", () => {
  it("is what every alarm name of the environment starts and ends with", () => {
    expect(alarmNameAffixes("dev")).toEqual({ start: "monitoring-hub-alarm-", end: "-dev" });
    expect(alarmNameAffixes("team-dev")).toEqual({ start: "monitoring-hub-alarm-", end: "-team-dev" });
    const { start, end } = alarmNameAffixes("qa");
    expect(`${start}application-health${end}`).toBe(alarmName("qa", "application-health"));
  });
});

describe("alarmKey and memberMetricQueries", () => {
  it("appends the member account to the spec id, only for member alarms", () => {
    expect([alarmKey("application-errors"), alarmKey("member-application-errors", "444455556666")]).toEqual([
      "application-errors",
      "member-application-errors-444455556666",
    ]);
  });

  it("returns the member's metric itself with its accountId, returned and unfilled", () => {
    expect(memberMetricQueries({ namespace: "MonitoringHub/test/Application", metricName: "ApplicationErrors" }, "Sum", 300, "444455556666")).toEqual([
      {
        id: "m",
        accountId: "444455556666",
        label: "ApplicationErrors of 444455556666",
        returnData: true,
        metric: { namespace: "MonitoringHub/test/Application", metricName: "ApplicationErrors", period: 300, stat: "Sum" },
      },
    ]);
  });
});

describe("validateAlarmSpecs", () => {
  const base = spec("application-errors");
  const problemsOf = (overrides: Partial<AlarmSpec>, ctx = context) => validateAlarmSpecs([{ ...base, ...overrides }], ctx);

  it.each<[string, Partial<AlarmSpec>, string]>([
    ["more datapoints than periods", { datapointsToAlarm: 4 }, "application-errors: datapointsToAlarm (4) must be between 1 and evaluationPeriods (3)"],
    ["zero datapoints", { datapointsToAlarm: 0 }, "application-errors: datapointsToAlarm (0) must be between 1 and evaluationPeriods (3)"],
    ["an invalid period", { periodSeconds: 45 }, "application-errors: periodSeconds (45) must be 10, 20, 30 or a multiple of 60"],
    [
      "an evaluation range over a day",
      { periodSeconds: 3600, evaluationPeriods: 25, datapointsToAlarm: 1 },
      "application-errors: periodSeconds x evaluationPeriods must not exceed 86400 s",
    ],
    ["a threshold against its comparison", { comparison: "LessThanThreshold" }, "application-errors: threshold maxAllowed does not match comparison LessThanThreshold"],
    [
      "a quiet case that does not fit the metric",
      { quietBehaviour: { case: "sparse-filled-with-zero", note: "n" } },
      "application-errors: a log-filter metric must have quiet behaviour silence-is-outage",
    ],
    ["a composite child routed to tickets", { route: "ticket" }, "application-errors: a composite child routes to notice: only the composite raises the ticket"],
    ["a non-kebab id", { id: "Application_Errors" }, "Application_Errors: id must be kebab-case"],
    ["a description over 1,024 characters", { firstSteps: "x".repeat(1000) }, "application-errors: description is 1404 characters, more than 1024"],
  ])("reports %s", (_, overrides, problem) => {
    expect(problemsOf(overrides)).toEqual([problem]);
  });

  it("reports an alarm about the ticketing path that would page through the ticket topic", () => {
    expect(validateAlarmSpecs([{ ...spec("jira-lambda-errors"), route: "ticket" }], context)).toEqual([
      "jira-lambda-errors: an alarm about the ticketing path routes to notice: the JIRA Lambda must not report its own failure",
    ]);
  });

  it("reports a name over 255 characters", () => {
    expect(problemsOf({}, { suffix: "s".repeat(230), runbookUrl })).toEqual(["application-errors: name is 270 characters, more than 255"]);
  });

  it("reports repeated ids and a runbook URL with a fragment", () => {
    expect(validateAlarmSpecs([base, base], { suffix: "test", runbookUrl: `${runbookUrl}#alarms` })).toEqual([
      `runbookUrl "${runbookUrl}#alarms" must not contain a fragment: each alarm appends its own anchor`,
      "application-errors: id is used twice",
    ]);
  });
});

describe("alarmDescription", () => {
  it("writes ticket text: what happened, the condition, why it matters, first steps, the runbook anchor", () => {
    expect(alarmDescription(spec("application-errors"), runbookUrl)).toBe(APPLICATION_ERRORS_TICKET_TEXT);
  });

  it("describes the composite with the titles of its children", () => {
    expect(compositeAlarmDescription(["Application errors", "Critical application errors"], runbookUrl)).toBe(
      [
        "Application health: At least one application health alarm is in ALARM: Application errors, Critical application errors.",
        "Condition: Any child alarm in ALARM.",
        "Why it matters: This is the one ticket for the incident; each triggering alarm also went to the notice email.",
        "First steps: Open the triggering alarm named in this ticket and follow its section of the runbook.",
        "Runbook: https://wiki.example.com/runbooks/monitoring-hub#application-health",
      ].join("\n"),
    );
  });
});

describe("conditionText and thresholdValue", () => {
  it("words both directions and second-based periods", () => {
    expect(conditionText({ ...spec("jira-failure-queue-messages"), threshold: { minRequired: 2 }, comparison: "LessThanThreshold", periodSeconds: 30 })).toBe(
      "Maximum below 2 in 1 of 1 30-second periods; no data counts as breaching.",
    );
    expect([thresholdValue({ maxAllowed: 5 }), thresholdValue({ minRequired: 2 })]).toEqual([5, 2]);
  });
});

describe("fillZeroQueries", () => {
  it("returns the raw metric unreturned and FILL(m, 0) as the evaluated series", () => {
    const s = spec("jira-lambda-errors");
    if (s.metric.kind !== "service") throw new Error("service metric expected");

    expect(fillZeroQueries(s.metric, "Sum", 300, "monitoring-hub-jira-test")).toEqual([
      {
        id: "m",
        returnData: false,
        metric: { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "monitoring-hub-jira-test" }, period: 300, stat: "Sum" },
      },
      { id: "e", expression: "FILL(m, 0)", label: "Errors (no data = 0)", returnData: true },
    ]);
  });
});

describe("compositeAlarmRule", () => {
  it("joins quoted children with OR for ANY and AND for ALL", () => {
    expect(compositeAlarmRule(["a", "b"], "ANY")).toBe('ALARM("a") OR ALARM("b")');
    expect(compositeAlarmRule(["a", "b", "c"], "ALL")).toBe('ALARM("a") AND ALARM("b") AND ALARM("c")');
    expect(compositeAlarmRule(["only"], "ANY")).toBe('ALARM("only")');
  });

  it("quotes names with spaces, parentheses and operator words, escaping quotes and backslashes", () => {
    expect(compositeAlarmRule(["CPU (high) OR NOT", 'say "hi"', "back\\slash"], "ANY")).toBe(
      'ALARM("CPU (high) OR NOT") OR ALARM("say \\"hi\\"") OR ALARM("back\\\\slash")',
    );
  });

  it("rejects an empty list, an empty name and more than 100 children", () => {
    expect(() => compositeAlarmRule([], "ANY")).toThrow("a composite alarm rule needs at least one child alarm");
    expect(() => compositeAlarmRule(["a", ""], "ANY")).toThrow("child alarm name 1 is empty");
    expect(() => compositeAlarmRule(Array.from({ length: 101 }, (_, i) => `a${i}`), "ANY")).toThrow(
      "a composite alarm rule takes at most 100 child alarms, got 101",
    );
  });

  it("accepts 100 children and rejects a rule over 10,240 characters", () => {
    expect(compositeAlarmRule(Array.from({ length: 100 }, (_, i) => `a${i}`), "ALL").split(" AND ")).toHaveLength(100);
    expect(() => compositeAlarmRule(Array.from({ length: 100 }, () => "n".repeat(100)), "ANY")).toThrow(
      "the composite alarm rule is 11296 characters, more than 10240",
    );
  });
});
