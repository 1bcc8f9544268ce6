import type { AlarmNotification, MetricQuery, MetricRef, ThresholdRule } from "./notification";

/** JIRA's summary limit (PEERS A15). */
export const SUMMARY_MAX_CHARS = 255;
/** JIRA's limit for description and comment bodies (PEERS A15); checked against the serialised body. */
export const BODY_MAX_CHARS = 32_767;
/** The label every ticket of this hub carries. */
export const HUB_LABEL = "cloudwatch-alarm";
/** How a ticket or comment written for a state the reconciliation sweep found begins. */
export const SWEEP_OPENER = "Opened by the reconciliation sweep";

/** A run of text; `href` makes it a link. */
export interface Span {
  readonly text: string;
  readonly strong?: boolean;
  readonly href?: string;
}

/** Format-neutral body, rendered to ADF (cloud) or wiki markup (datacenter) by the JIRA client. */
export type Block =
  | { readonly type: "paragraph"; readonly spans: readonly Span[] }
  | { readonly type: "list"; readonly items: readonly (readonly Span[])[] };
export type RichText = readonly Block[];

/** Atlassian Document Format, the subset this module writes. */
export interface AdfDoc {
  readonly type: "doc";
  readonly version: 1;
  readonly content: readonly AdfNode[];
}
export interface AdfNode {
  readonly type: string;
  readonly text?: string;
  readonly marks?: readonly { readonly type: string; readonly attrs?: Readonly<Record<string, string>> }[];
  readonly content?: readonly AdfNode[];
}

/** The reason a comment is written. */
export type CommentKind = "repeat" | "insufficient-data" | "reopen" | "recover";

/** Labels that identify the alarm's tickets (DESIGN.md "Ticket identity"); never contain spaces. */
export function labels(notification: Pick<AlarmNotification, "fingerprint">): string[] {
  return [HUB_LABEL, `alarm-${notification.fingerprint}`];
}

/** `ALARM: <name> (<account>, <region>)`, the name shortened so the whole fits 255 characters. */
export function summary(notification: AlarmNotification): string {
  const prefix = "ALARM: ";
  const suffix = ` (${notification.accountId}, ${notification.region})`;
  return prefix + truncate(oneLine(notification.alarmName), SUMMARY_MAX_CHARS - prefix.length - suffix.length) + suffix;
}

/** The ticket description: what fired, where, why, and where to look. */
export function description(notification: AlarmNotification, successorOf?: string): RichText {
  const n = notification;
  const sweep = n.origin === "sweep";
  const intro: Span[] = sweep
    ? [
        { text: `${SWEEP_OPENER}: CloudWatch alarm ` },
        { text: n.alarmName, strong: true },
        { text: ` has been in ${n.state} since ${n.stateChangeTime} in account ${n.accountId}, region ${n.region}, and no notification of it was handled (lost, or muted by a maintenance window).` },
      ]
    : [
        { text: "CloudWatch alarm " },
        { text: n.alarmName, strong: true },
        { text: ` went to ${n.state} in account ${n.accountId}, region ${n.region}, at ${n.stateChangeTime}.` },
      ];
  const items: Span[][] = [
    field("Alarm", { text: n.alarmName, href: n.consoleUrl }),
    field("State", { text: sweep ? `${n.state} since ${n.stateChangeTime}` : `${n.previousState ?? "?"} -> ${n.state} at ${n.stateChangeTime}` }),
    ...(sweep ? [field("Opened by", { text: "the reconciliation sweep, which compares the hub's alarms with their tickets on a schedule" })] : []),
    field("Account", { text: n.accountId }),
    field("Region", { text: n.region }),
    field("Reason", { text: n.reason === "" ? "(none given)" : n.reason }),
    ...triggerItems(n),
    ...missingDataItems(n),
    field("Description", { text: n.description ?? "(none)" }),
  ];
  if (n.runbookUrl !== undefined) items.push(field("Runbook", { text: n.runbookUrl, href: n.runbookUrl }));
  items.push(field("Console", { text: "open the alarm in the CloudWatch console", href: n.consoleUrl }));
  if (n.alarmArn !== undefined) items.push(field("Alarm ARN", { text: n.alarmArn }));
  if (successorOf !== undefined) items.push(field("Follows", { text: `${successorOf} (closed earlier; this is a new occurrence)` }));
  return [
    { type: "paragraph", spans: intro },
    { type: "list", items },
  ];
}

/** A comment for a later state change of the same alarm. */
export function comment(notification: AlarmNotification, kind: CommentKind, options: { resolving?: boolean } = {}): RichText {
  const n = notification;
  const resolving = options.resolving === true ? " Resolving this ticket." : "";
  const headline: Record<CommentKind, string> =
    n.origin === "sweep"
      ? {
          repeat: `Found by the reconciliation sweep: the alarm is still in ALARM (since ${n.stateChangeTime}).`,
          "insufficient-data": `Found by the reconciliation sweep: the alarm is in INSUFFICIENT_DATA since ${n.stateChangeTime}.`,
          reopen: `Reopened by the reconciliation sweep: the alarm has been in ALARM again since ${n.stateChangeTime}, and no notification of it was handled.`,
          recover: `Found by the reconciliation sweep: the alarm has been OK since ${n.stateChangeTime}, and no notification of it was handled.${resolving}`,
        }
      : {
          repeat: `Alarm is still in ALARM (state change at ${n.stateChangeTime}).`,
          "insufficient-data": `Alarm changed to INSUFFICIENT_DATA at ${n.stateChangeTime}: CloudWatch cannot tell whether it is healthy.`,
          reopen: `Reopened: the alarm went to ALARM again at ${n.stateChangeTime}.`,
          recover: `Alarm returned to OK at ${n.stateChangeTime}.${resolving}`,
        };
  const items: Span[][] = [
    field("Reason", { text: n.reason === "" ? "(none given)" : n.reason }),
    ...(kind === "recover" ? [] : [...triggerItems(n), ...missingDataItems(n)]),
    field("Console", { text: "open the alarm in the CloudWatch console", href: n.consoleUrl }),
  ];
  return [
    { type: "paragraph", spans: [{ text: headline[kind] }] },
    { type: "list", items },
  ];
}

/** Renders for JIRA Cloud (REST v3); the longest texts are shortened until the JSON fits `maxChars`. */
export function toAdf(doc: RichText, maxChars = BODY_MAX_CHARS): AdfDoc {
  return renderAdf(fit(doc, (d) => JSON.stringify(renderAdf(d)).length, maxChars));
}

/** Renders wiki markup for JIRA Data Center (REST v2), escaped so alarm text cannot inject markup. */
export function toWiki(doc: RichText, maxChars = BODY_MAX_CHARS): string {
  return renderWiki(fit(doc, (d) => renderWiki(d).length, maxChars));
}

/** Cuts to at most `max` UTF-16 units with a trailing ellipsis, never between the halves of a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}\u2026`;
}

function field(label: string, value: Span): Span[] {
  return [{ text: `${label}: `, strong: true }, value];
}

function triggerItems(n: AlarmNotification): Span[][] {
  switch (n.kind) {
    case "metric":
      return n.metric === undefined ? [] : [field("Metric", { text: `${describeMetric(n.metric)}${describeRule(n.rule)}` })];
    case "metric-math":
      return [
        field("Metric math", { text: describeRule(n.rule).replace(/^; /, "") || "threshold not given" }),
        ...n.queries.map((q) => field(`Query ${q.id}${q.returnData ? " (alarmed on)" : ""}`, { text: describeQuery(q) })),
      ];
    case "composite":
      return [
        field("Alarm rule", { text: n.alarmRule }),
        n.triggeringChildren.length === 0
          ? field("Triggered by", { text: "(CloudWatch named no child alarm)" })
          : field("Triggered by", {
              text: n.triggeringChildren
                .map((c) => `${c.name}${c.state === undefined ? "" : ` (${c.state}${c.timestamp === undefined ? "" : ` at ${c.timestamp}`})`}`)
                .join(", "),
            }),
      ];
  }
}

function missingDataItems(n: AlarmNotification): Span[][] {
  if (!n.missingData) return [];
  const treatment = n.kind === "composite" || n.rule.treatMissingData === undefined ? "" : ` (treat missing data: ${n.rule.treatMissingData})`;
  return [field("Missing data", { text: `yes: the alarm changed state because datapoints were missing${treatment}` })];
}

function describeMetric(m: MetricRef): string {
  const dims = m.dimensions.length === 0 ? "" : ` [${m.dimensions.map((d) => `${d.name}=${d.value}`).join(", ")}]`;
  const stat = m.statistic === undefined ? "" : `, ${m.statistic}`;
  const period = m.period === undefined ? "" : ` over ${m.period} s`;
  return `${m.namespace} ${m.metricName}${dims}${stat}${period}`;
}

function describeQuery(q: MetricQuery): string {
  const body = q.expression ?? (q.metric === undefined ? "(no metric)" : describeMetric(q.metric));
  return q.label === undefined ? body : `${body} (label ${q.label})`;
}

function describeRule(rule: ThresholdRule): string {
  const parts: string[] = [];
  if (rule.comparisonOperator !== undefined) parts.push(`${rule.comparisonOperator} ${rule.threshold ?? "?"}`);
  if (rule.evaluationPeriods !== undefined) {
    parts.push(`${rule.datapointsToAlarm ?? rule.evaluationPeriods} of ${rule.evaluationPeriods} periods`);
  }
  if (rule.treatMissingData !== undefined) parts.push(`missing data ${rule.treatMissingData}`);
  return parts.length === 0 ? "" : `; ${parts.join(", ")}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ");
}

function renderAdf(doc: RichText): AdfDoc {
  const paragraph = (spans: readonly Span[]): AdfNode => ({ type: "paragraph", content: spans.filter((s) => s.text !== "").map(adfText) });
  return {
    type: "doc",
    version: 1,
    content: doc.map((block) =>
      block.type === "paragraph"
        ? paragraph(block.spans)
        : { type: "bulletList", content: block.items.map((item) => ({ type: "listItem", content: [paragraph(item)] })) },
    ),
  };
}

function adfText(span: Span): AdfNode {
  const marks = [
    ...(span.strong === true ? [{ type: "strong" }] : []),
    ...(span.href === undefined ? [] : [{ type: "link", attrs: { href: span.href } }]),
  ];
  return marks.length === 0 ? { type: "text", text: oneLine(span.text) } : { type: "text", text: oneLine(span.text), marks };
}

function renderWiki(doc: RichText): string {
  const spans = (list: readonly Span[]) => list.map(wikiSpan).join("");
  return doc
    .map((block) => (block.type === "paragraph" ? spans(block.spans) : block.items.map((item) => `* ${spans(item)}`).join("\n")))
    .join("\n\n");
}

function wikiSpan(span: Span): string {
  const text = wikiEscape(oneLine(span.text));
  if (span.href !== undefined) return `[${text}|${span.href}]`;
  if (span.strong !== true) return text;
  // Wiki bold needs a non-space before the closing `*`, so trailing space moves outside it.
  const inner = text.trimEnd();
  return `*${inner}*${text.slice(inner.length)}`;
}

/** Characters that start wiki markup (bold, italics, links, macros, tables, images, lists) are backslash-escaped. */
function wikiEscape(text: string): string {
  return text.replace(/[\\{}[\]|*_^~+?!#-]/g, (c) => `\\${c}`);
}

/** Shortens the longest text span until `measure` fits; spans are the only variable part of a body. */
function fit(doc: RichText, measure: (doc: RichText) => number, maxChars: number): RichText {
  let current = doc;
  for (let size = measure(current); size > maxChars; size = measure(current)) {
    const longest = allSpans(current).reduce((a, b) => (b.text.length > a.text.length ? b : a));
    if (longest.text.length <= 1) break;
    const target = Math.max(1, longest.text.length - (size - maxChars) - 1);
    current = replaceSpan(current, longest, { ...longest, text: truncate(longest.text, target) });
  }
  return current;
}

function allSpans(doc: RichText): Span[] {
  return doc.flatMap((block) => (block.type === "paragraph" ? [...block.spans] : block.items.flat()));
}

function replaceSpan(doc: RichText, from: Span, to: Span): RichText {
  const swap = (spans: readonly Span[]) => spans.map((s) => (s === from ? to : s));
  return doc.map((block) => (block.type === "paragraph" ? { ...block, spans: swap(block.spans) } : { ...block, items: block.items.map(swap) }));
}
