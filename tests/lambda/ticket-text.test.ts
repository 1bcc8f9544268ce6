import {
  BODY_MAX_CHARS,
  comment,
  description,
  labels,
  summary,
  toAdf,
  toWiki,
  truncate,
  type AdfNode,
  type RichText,
} from "../../lambda_functions/jira-handler/ticket-text";
import { alarm, fixture, metricAlarm } from "./test-helpers";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const metric = alarm(metricAlarm());

function texts(nodes: readonly AdfNode[]): string[] {
  return nodes.flatMap((n) => [...(n.text === undefined ? [] : [n.text]), ...texts(n.content ?? [])]);
}

function links(nodes: readonly AdfNode[]): string[] {
  return nodes.flatMap((n) => [
    ...(n.marks ?? []).filter((m) => m.type === "link").map((m) => m.attrs?.href ?? ""),
    ...links(n.content ?? []),
  ]);
}

describe("labels", () => {
  it("are the hub label and alarm-<fingerprint>, without spaces", () => {
    const result = labels(alarm(metricAlarm({ AlarmName: "name with spaces" })));

    expect(result).toEqual(["cloudwatch-alarm", expect.stringMatching(/^alarm-[0-9a-f]{16}$/)]);
    for (const label of result) expect(label).toMatch(/^[^\s]{1,255}$/);
  });
});

describe("summary", () => {
  it("says what fired and where", () => {
    expect(summary(metric)).toBe("ALARM: monitoring-stack-app-error-count (111122223333, us-east-1)");
  });

  it("shortens a long name with emoji to 255 characters without splitting a surrogate pair, keeping the location", () => {
    const name = `${"a".repeat(208)}${"\u{1F525}".repeat(50)}`;
    const result = summary(alarm(metricAlarm({ AlarmName: name, AlarmArn: "arn:aws:cloudwatch:us-east-1:111122223333:alarm:x" })));

    expect(result.length).toBeLessThanOrEqual(255);
    expect(result).not.toMatch(LONE_SURROGATE);
    expect(result.endsWith("\u2026 (111122223333, us-east-1)")).toBe(true);
  });

  it("puts a multi-line name on one line", () => {
    expect(summary(alarm(metricAlarm({ AlarmName: "a\nb" })))).toBe("ALARM: a b (111122223333, us-east-1)");
  });
});

describe("truncate", () => {
  it.each([
    ["abc", 5, "abc"],
    ["abcdef", 4, "abc\u2026"],
    ["ab\u{1F600}cd", 4, "ab\u2026"],
    ["ab\u{1F600}cd", 5, "ab\u{1F600}\u2026"],
    ["abc", 0, ""],
  ])("cuts %j to %i units as %j", (text, max, expected) => {
    expect(truncate(text, max)).toBe(expected);
  });
});

describe("toAdf", () => {
  it("renders paragraphs, bullet lists, strong and link marks as ADF", () => {
    const doc: RichText = [
      { type: "paragraph", spans: [{ text: "Hello " }, { text: "world", strong: true }, { text: "" }] },
      { type: "list", items: [[{ text: "Link: ", strong: true }, { text: "here", href: "https://example.com/a" }]] },
    ];

    expect(toAdf(doc)).toEqual({
      type: "doc",
      version: 1,
      content: [
        { type: "paragraph", content: [{ type: "text", text: "Hello " }, { type: "text", text: "world", marks: [{ type: "strong" }] }] },
        {
          type: "bulletList",
          content: [
            {
              type: "listItem",
              content: [
                {
                  type: "paragraph",
                  content: [
                    { type: "text", text: "Link: ", marks: [{ type: "strong" }] },
                    { type: "text", text: "here", marks: [{ type: "link", attrs: { href: "https://example.com/a" } }] },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it("shortens the longest text until the serialised body fits the limit", () => {
    const doc: RichText = [{ type: "paragraph", spans: [{ text: "keep me " }, { text: "x".repeat(500) }] }];

    const adf = toAdf(doc, 300);

    expect(JSON.stringify(adf).length).toBeLessThanOrEqual(300);
    expect(texts(adf.content)[0]).toBe("keep me ");
    expect(texts(adf.content)[1]).toMatch(/^x+\u2026$/);
  });
});

describe("toWiki", () => {
  it("renders wiki markup and escapes markup characters in alarm text", () => {
    const doc: RichText = [
      { type: "paragraph", spans: [{ text: "Alarm " }, { text: "a*b_[c]", strong: true }] },
      { type: "list", items: [[{ text: "Console: ", strong: true }, { text: "open {it}", href: "https://example.com/x?y=1" }]] },
    ];

    expect(toWiki(doc)).toBe("Alarm *a\\*b\\_\\[c\\]*\n\n* *Console:* [open \\{it\\}|https://example.com/x?y=1]");
  });
});

describe("description", () => {
  it("says what happened and where, with the console and runbook links", () => {
    const n = alarm(
      metricAlarm({
        AlarmDescription: "Errors. Runbook: https://runbooks.example.com/app",
        NewStateReason: "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].",
      }),
    );

    const adf = toAdf(description(n));
    const text = texts(adf.content).join("");

    expect(text).toContain("CloudWatch alarm monitoring-stack-app-error-count went to ALARM in account 111122223333, region us-east-1, at 2025-01-15T10:30:12.436+0000.");
    expect(text).toContain("State: OK -> ALARM at 2025-01-15T10:30:12.436+0000");
    expect(text).toContain("Metric: MonitoringStack/Application ApplicationErrorCount, SUM over 300 s; GreaterThanOrEqualToThreshold 1, 1 of 1 periods, missing data breaching");
    expect(text).toContain("Missing data: yes: the alarm changed state because datapoints were missing (treat missing data: breaching)");
    expect(text).toContain("Description: Errors. Runbook: https://runbooks.example.com/app");
    expect(links(adf.content)).toEqual([n.consoleUrl, "https://runbooks.example.com/app", n.consoleUrl]);
  });

  it("names a composite alarm's rule and triggering children", () => {
    const n = alarm(JSON.parse(fixture("sns-composite-alarm-ALARM.json").Records[0].Sns.Message));

    const text = texts(toAdf(description(n)).content).join("");

    expect(text).toContain('Alarm rule: ALARM("monitoring-stack-app-error-count") OR ALARM("monitoring-stack-api-throttle-count")');
    expect(text).toContain("Triggered by: monitoring-stack-app-error-count (ALARM at 2025-01-15T10:30:12.436+0000)");
  });

  it("names the ticket it succeeds", () => {
    expect(texts(toAdf(description(metric, "OPS-7")).content).join("")).toContain("Follows: OPS-7 (closed earlier; this is a new occurrence)");
  });

  it("says (none) for a null AlarmDescription", () => {
    expect(texts(toAdf(description(alarm(metricAlarm({ AlarmDescription: null })))).content).join("")).toContain("Description: (none)");
  });

  it("fits 32,767 characters in both formats even with a huge composite rule", () => {
    const message = JSON.parse(fixture("sns-composite-alarm-ALARM.json").Records[0].Sns.Message) as Record<string, unknown>;
    const n = alarm({ ...message, AlarmRule: `ALARM("${"y".repeat(40_000)}")`, NewStateReason: "z".repeat(20_000) });

    const adf = toAdf(description(n));
    const wiki = toWiki(description(n));

    expect(JSON.stringify(adf).length).toBeLessThanOrEqual(BODY_MAX_CHARS);
    expect(wiki.length).toBeLessThanOrEqual(BODY_MAX_CHARS);
    expect(texts(adf.content).join("")).toContain("monitoring-stack-service-degraded");
  });
});

describe("comment", () => {
  it.each([
    ["repeat", {}, "Alarm is still in ALARM (state change at 2025-01-15T10:30:12.436+0000)."],
    ["insufficient-data", {}, "Alarm changed to INSUFFICIENT_DATA at 2025-01-15T10:30:12.436+0000: CloudWatch cannot tell whether it is healthy."],
    ["reopen", {}, "Reopened: the alarm went to ALARM again at 2025-01-15T10:30:12.436+0000."],
    ["recover", { resolving: true }, "Alarm returned to OK at 2025-01-15T10:30:12.436+0000. Resolving this ticket."],
    ["recover", { resolving: false }, "Alarm returned to OK at 2025-01-15T10:30:12.436+0000."],
  ] as const)("%s starts with its headline", (kind, options, headline) => {
    expect(texts(toAdf(comment(metric, kind, options)).content)[0]).toBe(headline);
  });
});
