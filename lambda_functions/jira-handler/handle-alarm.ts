import { randomUUID } from "node:crypto";
import type { LifecycleSettings } from "./config";
import { decide, type Action, type KnownTicket } from "./decide";
import { AlarmHandlingError, JiraNotFoundError, TicketBusyError } from "./errors";
import type { JiraTicketCreator } from "./jira-client";
import { describeError, type Log } from "./logger";
import type { AlarmNotification } from "./notification";
import { comment, description, labels, summary } from "./ticket-text";
import type { TicketStore } from "./ticket-store";

/** The JIRA operations the lifecycle uses (the JiraTicketCreator surface, narrowed for tests). */
export type JiraPort = Pick<JiraTicketCreator, "getIssue" | "findOpenTicket" | "createIssue" | "addComment" | "resolve" | "reopen">;

/** The tickets-table operations the lifecycle uses. */
export type StorePort = Pick<TicketStore, "get" | "claim" | "save" | "release">;

/**
 * Ids of issues this warm container created, per fingerprint. JIRA Cloud's search may miss a just-created issue
 * (FACTS 57), so when the table has lost its record the recovery search names these in `reconcileIssues`.
 */
export class RecentIssues {
  readonly #ids = new Map<string, string[]>();

  constructor(private readonly maxAlarms = 200) {}

  remember(fingerprint: string, issueId: string): void {
    const ids = [...(this.#ids.get(fingerprint) ?? []), issueId].slice(-5);
    this.#ids.delete(fingerprint);
    this.#ids.set(fingerprint, ids);
    if (this.#ids.size > this.maxAlarms) this.#ids.delete(this.#ids.keys().next().value as string);
  }

  idsFor(fingerprint: string): readonly string[] {
    return this.#ids.get(fingerprint) ?? [];
  }
}

/** Collaborators of {@link handleAlarm}; all injected so the orchestration is testable without AWS or JIRA. */
export interface HandleDeps {
  readonly store: StorePort;
  readonly jira: JiraPort;
  readonly settings: LifecycleSettings;
  readonly log: Log;
  /** Kept across warm invocations by the caller. */
  readonly recentIssues: RecentIssues;
  /** Milliseconds the invocation has left. */
  readonly remainingTimeMs: () => number;
  /** Kept free at the end of the invocation for the notice. */
  readonly safetyMarginMs: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** First wait between claim attempts; grows by half up to 1 s. @default 200 */
  readonly claimPollMs?: number;
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What happened for one notification. */
export interface Outcome {
  readonly action: Action;
  /** The alarm's ticket after the action, when it has one. */
  readonly issueKey?: string;
}

/** A claim outlives the invocation by this much, so a crashed holder's claim lapses soon after its timeout. */
const CLAIM_GRACE_MS = 5000;

/**
 * One alarm notification, end to end. Duplicates, replays, cooldowns and "OK without a ticket" are settled from the
 * table alone (no claim, no JIRA request). Anything else runs under the alarm's claim: re-read the record, ask JIRA
 * for the ticket's live state (404: forget it; nothing stored: recover by JQL), decide again, act, then write the
 * record and drop the claim in one conditional put.
 * @throws AlarmHandlingError naming what was attempted; the claim is released first.
 */
export async function handleAlarm(notification: AlarmNotification, deps: HandleDeps): Promise<Outcome> {
  const now = deps.now ?? Date.now;
  const n = notification;
  const fields = { alarmName: n.alarmName, fingerprint: n.fingerprint, state: n.state };
  let attempted = "read the tickets table";
  try {
    const early = settledByTable(n, await deps.store.get(n.fingerprint, now()), deps);
    if (early !== undefined) return early;
    attempted = "claim the alarm in the tickets table";
    const token = randomUUID();
    const claim = await claimAlarm(n, token, deps);
    if ("settled" in claim) return claim.settled;
    try {
      // The claim may have been won just after a concurrent duplicate recorded this very state change.
      const underClaim = settledByTable(n, claim.ticket, deps);
      if (underClaim !== undefined) {
        await deps.store.release(n.fingerprint, token);
        return underClaim;
      }
      attempted = "read the ticket's state in JIRA";
      const ticket = await liveTicket(n, claim.ticket, deps);
      const action = decide(n, ticket, now(), deps.settings);
      attempted = describeAction(action);
      const after = await act(n, action, ticket, deps);
      attempted = "record the ticket in the tickets table";
      const saved = await deps.store.save({ fingerprint: n.fingerprint, alarmName: n.alarmName, alarmArn: n.alarmArn, ticket: after }, token, now());
      if (!saved) deps.log.warn("Another invocation took the claim; this result was not recorded", { ...fields, issueKey: after?.key });
      deps.log.info("Handled alarm", { ...fields, action: action.type, reason: "reason" in action ? action.reason : undefined, issueKey: after?.key });
      return { action, issueKey: after?.key };
    } catch (error) {
      await deps.store.release(n.fingerprint, token).catch((releaseError: unknown) => {
        deps.log.warn("Could not release the claim; it lapses on its own", { ...fields, error: describeError(releaseError) });
      });
      throw error;
    }
  } catch (error) {
    if (error instanceof AlarmHandlingError) throw error;
    throw new AlarmHandlingError(attempted, error instanceof Error ? error : new Error(String(error)));
  }
}

type ClaimResult = { readonly ticket: KnownTicket | undefined } | { readonly settled: Outcome };

/**
 * Takes the alarm's claim. While another invocation holds it (a concurrent duplicate creating the ticket), waits
 * briefly and re-reads: once that one has recorded this state change, this one is a no-op.
 */
async function claimAlarm(n: AlarmNotification, token: string, deps: HandleDeps): Promise<ClaimResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let pollMs = deps.claimPollMs ?? 200;
  for (;;) {
    const until = now() + deps.remainingTimeMs() + CLAIM_GRACE_MS;
    const claim = await deps.store.claim(n.fingerprint, n.alarmName, token, until, now());
    if (claim.claimed) return { ticket: claim.ticket };
    if (deps.remainingTimeMs() - deps.safetyMarginMs < pollMs) {
      throw new TicketBusyError(`Alarm ${n.alarmName} (${n.fingerprint}) stayed claimed by another invocation until this one ran out of time.`);
    }
    deps.log.debug("Alarm claimed by another invocation; waiting", { alarmName: n.alarmName, fingerprint: n.fingerprint, waitMs: pollMs });
    await sleep(pollMs);
    pollMs = Math.min(1000, Math.round(pollMs * 1.5));
    const settled = settledByTable(n, await deps.store.get(n.fingerprint, now()), deps);
    if (settled !== undefined) return { settled };
  }
}

/** The outcome when the table's record alone says there is nothing to do (duplicate, stale, cooldown, no ticket). */
function settledByTable(n: AlarmNotification, stored: KnownTicket | undefined, deps: HandleDeps): Outcome | undefined {
  const action = decide(n, stored, (deps.now ?? Date.now)(), deps.settings);
  if (action.type !== "none") return undefined;
  deps.log.info("No JIRA action", { alarmName: n.alarmName, fingerprint: n.fingerprint, state: n.state, action: action.type, reason: action.reason, issueKey: stored?.key });
  return { action, issueKey: stored?.key };
}

/** The stored ticket overlaid with JIRA's current state; recovered by label search when nothing usable is stored. */
async function liveTicket(n: AlarmNotification, stored: KnownTicket | undefined, deps: HandleDeps): Promise<KnownTicket | undefined> {
  let ticket = stored;
  if (ticket !== undefined) {
    try {
      const issue = await deps.jira.getIssue(ticket.key);
      ticket = {
        ...ticket,
        open: issue.open,
        resolution: issue.open ? undefined : issue.resolution,
        resolvedAt: issue.open ? undefined : (issue.resolvedAt ?? ticket.resolvedAt),
      };
    } catch (error) {
      if (!(error instanceof JiraNotFoundError)) throw error;
      deps.log.warn("Stored ticket no longer exists in JIRA; forgetting it", { alarmName: n.alarmName, fingerprint: n.fingerprint, issueKey: ticket.key });
      ticket = undefined;
    }
  }
  // Only an ALARM may create, so only an ALARM needs the recovery search; OK and INSUFFICIENT_DATA never search.
  if (ticket === undefined && n.state === "ALARM") {
    const found = await deps.jira.findOpenTicket(n.fingerprint, deps.recentIssues.idsFor(n.fingerprint));
    if (found !== undefined) {
      deps.log.info("Recovered the open ticket by label search", { alarmName: n.alarmName, fingerprint: n.fingerprint, issueKey: found.key });
      ticket = { key: found.key, open: true, lastHandled: stored?.lastHandled };
    }
  }
  return ticket;
}

/**
 * Performs the action in JIRA and returns the ticket as the table should remember it. Comment and resolution times
 * are read after JIRA answered, so they are never earlier than JIRA's own timestamps and the cooldown holds there too.
 */
async function act(n: AlarmNotification, action: Action, ticket: KnownTicket | undefined, deps: HandleDeps): Promise<KnownTicket | undefined> {
  const now = deps.now ?? Date.now;
  const handled = { state: n.state, at: n.stateChangedAt };
  switch (action.type) {
    case "create": {
      const created = await deps.jira.createIssue({ summary: summary(n), description: description(n, action.successorOf), labels: labels(n) });
      deps.recentIssues.remember(n.fingerprint, created.id);
      deps.log.info("Created JIRA ticket", { alarmName: n.alarmName, fingerprint: n.fingerprint, issueKey: created.key, successorOf: action.successorOf });
      return { key: created.key, open: true, lastHandled: handled };
    }
    case "comment":
      await deps.jira.addComment(action.key, comment(n, action.why));
      return {
        key: action.key,
        open: true,
        lastAlarmCommentAt: action.why === "repeat" ? now() : ticket?.lastAlarmCommentAt,
        lastHandled: handled,
      };
    case "reopen": {
      const transition = await deps.jira.reopen(action.key);
      await deps.jira.addComment(action.key, comment(n, "reopen"));
      deps.log.info("Reopened JIRA ticket", { alarmName: n.alarmName, fingerprint: n.fingerprint, issueKey: action.key, transition: transition.name });
      return { key: action.key, open: true, lastAlarmCommentAt: ticket?.lastAlarmCommentAt, lastHandled: handled };
    }
    case "recover": {
      await deps.jira.addComment(action.key, comment(n, "recover", { resolving: action.resolve }));
      if (!action.resolve) return { key: action.key, open: true, lastAlarmCommentAt: ticket?.lastAlarmCommentAt, lastHandled: handled };
      const transition = await deps.jira.resolve(action.key);
      deps.log.info("Resolved JIRA ticket", { alarmName: n.alarmName, fingerprint: n.fingerprint, issueKey: action.key, transition: transition.name });
      return { key: action.key, open: false, resolvedAt: now(), lastAlarmCommentAt: ticket?.lastAlarmCommentAt, lastHandled: handled };
    }
    case "none":
      if (ticket === undefined || action.reason === "duplicate" || action.reason === "stale") return ticket;
      return { ...ticket, lastHandled: handled };
  }
}

function describeAction(action: Action): string {
  switch (action.type) {
    case "create":
      return action.successorOf === undefined ? "create a ticket" : `create a ticket succeeding ${action.successorOf}`;
    case "comment":
      return `comment on ${action.key}`;
    case "reopen":
      return `reopen ${action.key}`;
    case "recover":
      return action.resolve ? `comment on ${action.key} and resolve it` : `comment on ${action.key}`;
    case "none":
      return "record the state change";
  }
}
