import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { LifecycleSettings, SweepSettings } from "./config";
import type { KnownTicket } from "./decide";
import { AlarmHandlingError } from "./errors";
import { handleAlarm, type HandleDeps, type JiraPort, type Outcome } from "./handle-alarm";
import { describeError } from "./logger";
import { fromDescribedAlarm, type AlarmNotification, type DescribedAlarm } from "./notification";
import type { SweepFailure } from "./notices";

/**
 * The reconciliation sweep: notifications are events, and events get lost (a lost delivery, a failure nobody replayed,
 * a state change muted by a maintenance window). On a schedule, the sweep compares the hub's ticketing alarms, as
 * CloudWatch describes them now, with the tickets table, and runs what is missing through the same lifecycle code as a
 * notification (claims, de-duplication, cooldowns): an alarm in ALARM without an open ticket gets one, and the open
 * ticket of an alarm that has been OK for longer than the grace period is resolved.
 */

/** The `source` of the scheduler's input; any other event is not a sweep request. */
export const RECONCILE_EVENT_SOURCE = "monitoring-hub.reconcile";

/** DescribeAlarms returns at most 100 alarms a page; 50 pages are 5,000 alarms under the prefix, far above the hub's. */
export const MAX_DESCRIBE_PAGES = 50;
/** A new alarm is only started with at least this much of the invocation left (a JIRA call may retry for a while). */
export const MIN_TIME_PER_ALARM_MS = 20_000;

const MINUTE_MS = 60_000;

/** One page of `DescribeAlarms`. */
export interface AlarmPage {
  readonly compositeAlarms: readonly DescribedAlarm[];
  readonly metricAlarms: readonly DescribedAlarm[];
  readonly nextToken?: string;
}

/** The CloudWatch reads of the sweep; it never writes to CloudWatch. */
export interface AlarmSource {
  /** One page of the metric and composite alarms whose names start with `prefix`. */
  describeAlarms(prefix: string, nextToken?: string): Promise<AlarmPage>;
  /** True when an ACTIVE mute rule (a maintenance window that is open now) targets the alarm. */
  isMuted(alarmName: string): Promise<boolean>;
}

/** {@link AlarmSource} over the CloudWatch API (`DescribeAlarms`, `ListAlarmMuteRules`). */
export function cloudWatchAlarmSource(client: () => Promise<CloudWatchClient>): AlarmSource {
  return {
    async describeAlarms(prefix, nextToken) {
      const { DescribeAlarmsCommand } = await import("./aws-cloudwatch");
      const out = await (await client()).send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: prefix, AlarmTypes: ["CompositeAlarm", "MetricAlarm"], MaxRecords: 100, NextToken: nextToken }),
      );
      return { compositeAlarms: out.CompositeAlarms ?? [], metricAlarms: out.MetricAlarms ?? [], nextToken: out.NextToken };
    },
    async isMuted(alarmName) {
      const { ListAlarmMuteRulesCommand } = await import("./aws-cloudwatch");
      const cw = await client();
      let token: string | undefined;
      do {
        const out = await cw.send(new ListAlarmMuteRulesCommand({ AlarmName: alarmName, Statuses: ["ACTIVE"], NextToken: token }));
        if ((out.AlarmMuteRuleSummaries ?? []).some((rule) => rule.Status === undefined || rule.Status === "ACTIVE")) return true;
        token = out.NextToken;
      } while (token !== undefined && token !== "");
      return false;
    },
  };
}

/**
 * The sweep's own alarms: named `<prefix>...<suffix>` (this environment's alarm names) AND sending ALARM to the ticket
 * topic, which are exactly the alarms that open tickets. Anything else the prefix returns (other environments, the
 * notice-routed alarms) is never touched.
 */
export function ownsAlarm(alarm: Pick<DescribedAlarm, "AlarmName" | "AlarmActions">, settings: Pick<SweepSettings, "alarmNamePrefix" | "alarmNameSuffix" | "ticketTopicArn">): boolean {
  const name = alarm.AlarmName ?? "";
  return (
    name.length > settings.alarmNamePrefix.length + settings.alarmNameSuffix.length &&
    name.startsWith(settings.alarmNamePrefix) &&
    name.endsWith(settings.alarmNameSuffix) &&
    (alarm.AlarmActions ?? []).includes(settings.ticketTopicArn)
  );
}

/** Why the sweep leaves an alarm alone. */
export type SkipReason =
  /** In ALARM, and the table knows its open ticket. */
  | "ticketed"
  /** OK (or INSUFFICIENT_DATA) and no open ticket: nothing to resolve. */
  | "no-open-ticket"
  /** OK, but for less than the grace period: the OK notification may still be on its way. */
  | "in-grace"
  /** The table already records this state change (or a later one) as handled. */
  | "handled"
  /** CloudWatch cannot tell; a notification of it comments, the sweep does not. */
  | "insufficient-data";

/** What the sweep does for one of its alarms. */
export type SweepStep = { readonly kind: "open" } | { readonly kind: "resolve" } | { readonly kind: "skip"; readonly reason: SkipReason };

/**
 * Pure: the sweep's verdict for an alarm's current state and the table's record of its ticket. ALARM without an open
 * ticket opens one (create, reopen or successor, as the lifecycle decides); OK for longer than `graceMinutes` with an
 * open ticket resolves it; a state change the table already handled is left alone (a person may have closed the ticket
 * since, and the sweep does not fight people).
 */
export function sweepStep(
  alarm: Pick<AlarmNotification, "state" | "stateChangedAt">,
  stored: KnownTicket | undefined,
  now: number,
  graceMinutes: number,
): SweepStep {
  const handled = stored?.lastHandled;
  if (handled !== undefined && handled.at >= alarm.stateChangedAt && (handled.at > alarm.stateChangedAt || handled.state === alarm.state)) {
    return { kind: "skip", reason: "handled" };
  }
  switch (alarm.state) {
    case "ALARM":
      return stored?.open === true ? { kind: "skip", reason: "ticketed" } : { kind: "open" };
    case "OK":
      if (stored?.open !== true) return { kind: "skip", reason: "no-open-ticket" };
      return now - alarm.stateChangedAt > graceMinutes * MINUTE_MS ? { kind: "resolve" } : { kind: "skip", reason: "in-grace" };
    case "INSUFFICIENT_DATA":
      return { kind: "skip", reason: "insufficient-data" };
  }
}

/**
 * Pure: the most JIRA writes (create, comment, transition) the lifecycle can make for a step, so a run never passes its
 * cap: opening is one create, or a reopen (transition and comment) when the table knows a closed ticket; resolving is a
 * comment and, with `resolveOnOk`, the resolve transition.
 */
export function worstCaseWrites(step: Exclude<SweepStep, { kind: "skip" }>, stored: KnownTicket | undefined, lifecycle: Pick<LifecycleSettings, "resolveOnOk">): number {
  if (step.kind === "open") return stored === undefined ? 1 : 2;
  return lifecycle.resolveOnOk ? 2 : 1;
}

/** Collaborators of {@link runSweep}; the lifecycle's are passed on to `handleAlarm` unchanged. */
export interface SweepDeps extends Omit<HandleDeps, "settings"> {
  readonly alarms: AlarmSource;
  readonly lifecycle: LifecycleSettings;
  readonly settings: SweepSettings;
  /** Names the run in logs and in the synthesized notifications' message ids. */
  readonly runId: string;
}

/** What one sweep did. Failures are reported here; the caller sends the notice and fails the invocation. */
export interface SweepReport {
  /** DescribeAlarms pages read. */
  readonly pages: number;
  /** The sweep's own alarms seen (see {@link ownsAlarm}). */
  readonly owned: number;
  /** Alarms under the prefix that are not the sweep's (another environment, or not routed to the ticket topic). */
  readonly ignored: number;
  /** Tickets created or reopened. */
  readonly opened: number;
  /** Open tickets commented and resolved (or only commented, without `resolveOnOk`) for an alarm that is OK. */
  readonly resolved: number;
  /** Alarms worked whose ticket turned out to be in line already (a concurrent notification, a ticket found by search). */
  readonly inSync: number;
  /** Alarms in ALARM without a ticket that an open maintenance window mutes: left alone until it closes. */
  readonly muted: number;
  /** Alarms that needed work but were left for the next sweep (JIRA write cap or time budget reached). */
  readonly remaining: number;
  /** JIRA writes made (create, comment, transition), never more than `maxJiraWrites`. */
  readonly jiraWrites: number;
  readonly failures: readonly SweepFailure[];
}

/**
 * One sweep: pages through the prefix's alarms, keeps its own, reads each one's record, and works those that need it
 * through `handleAlarm` while the JIRA write cap and the time budget allow; the rest is counted and left for the next
 * run. A failure on one alarm is recorded and the sweep goes on; a failed DescribeAlarms ends the listing (what was
 * done stays done).
 */
export async function runSweep(deps: SweepDeps): Promise<SweepReport> {
  const now = deps.now ?? Date.now;
  const { settings, log } = deps;
  const counter = { writes: 0 };
  const jira = countingWrites(deps.jira, counter);
  const failures: SweepFailure[] = [];
  const tally = { pages: 0, owned: 0, ignored: 0, opened: 0, resolved: 0, inSync: 0, muted: 0, remaining: 0 };

  const work = async (described: DescribedAlarm): Promise<void> => {
    const alarmName = described.AlarmName ?? "(unnamed alarm)";
    if (!ownsAlarm(described, settings)) {
      tally.ignored += 1;
      return;
    }
    tally.owned += 1;
    const parsed = fromDescribedAlarm(described, `${deps.runId}/${alarmName}`);
    if (parsed.kind === "not-an-alarm") {
      failures.push({ alarmName, state: described.StateValue, attempted: "read the alarm's description", error: new Error(parsed.reason) });
      return;
    }
    const fields = { alarmName, fingerprint: parsed.fingerprint, state: parsed.state };
    let stored: KnownTicket | undefined;
    try {
      stored = await deps.store.get(parsed.fingerprint, now());
    } catch (error) {
      failures.push({ alarmName, state: parsed.state, attempted: "read the tickets table", error: asError(error) });
      return;
    }
    const step = sweepStep(parsed, stored, now(), settings.graceMinutes);
    if (step.kind === "skip") {
      log.debug("Sweep: nothing to do", { ...fields, reason: step.reason, issueKey: stored?.key });
      return;
    }
    const needs = worstCaseWrites(step, stored, deps.lifecycle);
    if (needs > settings.maxJiraWrites) {
      log.warn("Sweep: this step needs more JIRA writes than one run may make; raise RECONCILE_MAX_JIRA_WRITES (reconcileMaxJiraWrites)", {
        ...fields,
        step: step.kind,
        needs,
        maxJiraWrites: settings.maxJiraWrites,
      });
    }
    if (counter.writes + needs > settings.maxJiraWrites || deps.remainingTimeMs() < MIN_TIME_PER_ALARM_MS) {
      tally.remaining += 1;
      return;
    }
    if (step.kind === "open") {
      let muted: boolean;
      try {
        muted = await deps.alarms.isMuted(alarmName);
      } catch (error) {
        failures.push({ alarmName, state: parsed.state, attempted: "list the alarm's active mute rules", error: asError(error) });
        return;
      }
      if (muted) {
        tally.muted += 1;
        log.info("Sweep: alarm in ALARM without a ticket is muted by an open maintenance window; ticketed once it closes", fields);
        return;
      }
    }
    let outcome: Outcome;
    try {
      outcome = await handleAlarm(parsed, { ...deps, jira, settings: deps.lifecycle });
    } catch (error) {
      const attempted = error instanceof AlarmHandlingError ? error.attempted : "handle the alarm";
      const cause = error instanceof AlarmHandlingError ? error.cause : asError(error);
      log.error("Sweep: alarm not brought in line with JIRA", { ...fields, step: step.kind, attempted, error: describeError(cause) });
      failures.push({ alarmName, state: parsed.state, attempted, error: cause });
      return;
    }
    const type = outcome.action.type;
    if (type === "create" || type === "reopen") tally.opened += 1;
    else if (type === "recover") tally.resolved += 1;
    else tally.inSync += 1;
    log.info("Sweep: worked alarm", { ...fields, step: step.kind, action: type, issueKey: outcome.issueKey });
  };

  let token: string | undefined;
  do {
    let page: AlarmPage;
    try {
      page = await deps.alarms.describeAlarms(settings.alarmNamePrefix, token);
    } catch (error) {
      failures.push({ alarmName: `${settings.alarmNamePrefix}*`, attempted: "list the hub's alarms (DescribeAlarms)", error: asError(error) });
      break;
    }
    tally.pages += 1;
    for (const described of [...page.compositeAlarms, ...page.metricAlarms]) await work(described);
    token = page.nextToken === "" ? undefined : page.nextToken;
    if (token !== undefined && tally.pages >= MAX_DESCRIBE_PAGES) {
      log.warn("Sweep: stopped listing alarms at the page limit; the rest waits for the next sweep", { pages: tally.pages });
      break;
    }
  } while (token !== undefined);

  const report: SweepReport = { ...tally, jiraWrites: counter.writes, failures };
  const summary = { ...tally, jiraWrites: counter.writes, maxJiraWrites: settings.maxJiraWrites, failed: failures.length };
  if (tally.remaining > 0) {
    log.warn("Sweep: alarms left for the next sweep (JIRA write cap or time budget of this run reached)", summary);
  } else {
    log.info("Sweep done", summary);
  }
  return report;
}

/** The JIRA port with every write counted before it is sent (a write that fails may still have reached JIRA). */
function countingWrites(jira: JiraPort, counter: { writes: number }): JiraPort {
  return {
    getIssue: (key) => jira.getIssue(key),
    findOpenTicket: (fingerprint, reconcileIds) => jira.findOpenTicket(fingerprint, reconcileIds),
    createIssue: (input) => {
      counter.writes += 1;
      return jira.createIssue(input);
    },
    addComment: (key, body) => {
      counter.writes += 1;
      return jira.addComment(key, body);
    },
    resolve: (key) => {
      counter.writes += 1;
      return jira.resolve(key);
    },
    reopen: (key) => {
      counter.writes += 1;
      return jira.reopen(key);
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
