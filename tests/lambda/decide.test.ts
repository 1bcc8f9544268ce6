import { LIFECYCLE_DEFAULTS, type LifecycleSettings } from "../../lambda_functions/jira-handler/config";
import { decide, type Action, type KnownTicket } from "../../lambda_functions/jira-handler/decide";
import type { AlarmState } from "../../lambda_functions/jira-handler/notification";
import { alarm, metricAlarm } from "./test-helpers";

const MIN = 60_000;
const T0 = Date.UTC(2025, 0, 15, 10, 0, 0);
const SETTINGS: LifecycleSettings = { ...LIFECYCLE_DEFAULTS };

/** A notification of `state` whose StateChangeTime is `at`. */
function event(state: AlarmState, at: number) {
  return alarm(metricAlarm({ NewStateValue: state, StateChangeTime: new Date(at).toISOString().replace("Z", "+0000") }));
}

const open: KnownTicket = { key: "OPS-1", open: true, lastHandled: { state: "ALARM", at: T0 } };
const resolvedAt = (at: number, resolution?: string): KnownTicket => ({
  key: "OPS-1",
  open: false,
  resolution,
  resolvedAt: at,
  lastHandled: { state: "OK", at: at - MIN },
});

describe("decide", () => {
  const cases: [string, AlarmState, number, KnownTicket | undefined, number, Partial<LifecycleSettings>, Action][] = [
    // [case, state, state change time, known ticket, now, settings, expected]
    ["ALARM without a ticket creates one", "ALARM", T0, undefined, T0, {}, { type: "create" }],
    ["repeat ALARM on an open ticket comments", "ALARM", T0 + MIN, open, T0 + MIN, {}, { type: "comment", key: "OPS-1", why: "repeat" }],
    [
      "repeat ALARM inside the cooldown does nothing",
      "ALARM",
      T0 + 20 * MIN,
      { ...open, lastAlarmCommentAt: T0 + 10 * MIN },
      T0 + 20 * MIN,
      {},
      { type: "none", reason: "cooldown" },
    ],
    [
      "repeat ALARM once the cooldown has passed comments again",
      "ALARM",
      T0 + 30 * MIN,
      { ...open, lastAlarmCommentAt: T0 + 10 * MIN },
      T0 + 30 * MIN,
      {},
      { type: "comment", key: "OPS-1", why: "repeat" },
    ],
    [
      "a cooldown of 0 never suppresses",
      "ALARM",
      T0 + MIN,
      { ...open, lastAlarmCommentAt: T0 + MIN - 1 },
      T0 + MIN,
      { commentCooldownMinutes: 0 },
      { type: "comment", key: "OPS-1", why: "repeat" },
    ],
    ["the same state change again is a duplicate", "ALARM", T0, open, T0 + 5 * MIN, {}, { type: "none", reason: "duplicate" }],
    ["an older state change is stale", "OK", T0 - MIN, open, T0 + 5 * MIN, {}, { type: "none", reason: "stale" }],
    ["OK on an open ticket comments and resolves", "OK", T0 + 10 * MIN, open, T0 + 10 * MIN, {}, { type: "recover", key: "OPS-1", resolve: true }],
    [
      "OK with JIRA_RESOLVE_ON_OK=false only comments",
      "OK",
      T0 + 10 * MIN,
      open,
      T0 + 10 * MIN,
      { resolveOnOk: false },
      { type: "recover", key: "OPS-1", resolve: false },
    ],
    ["OK without a ticket does nothing (fresh deployment)", "OK", T0, undefined, T0, {}, { type: "none", reason: "no-open-ticket" }],
    ["OK on a closed ticket does nothing", "OK", T0 + 10 * MIN, resolvedAt(T0), T0 + 10 * MIN, {}, { type: "none", reason: "no-open-ticket" }],
    ["INSUFFICIENT_DATA on an open ticket comments", "INSUFFICIENT_DATA", T0 + MIN, open, T0 + MIN, {}, { type: "comment", key: "OPS-1", why: "insufficient-data" }],
    ["INSUFFICIENT_DATA without a ticket does nothing", "INSUFFICIENT_DATA", T0, undefined, T0, {}, { type: "none", reason: "no-open-ticket" }],
    ["INSUFFICIENT_DATA on a closed ticket does nothing", "INSUFFICIENT_DATA", T0 + MIN, resolvedAt(T0), T0 + MIN, {}, { type: "none", reason: "no-open-ticket" }],
    ["ALARM 59 minutes after resolution reopens", "ALARM", T0 + 59 * MIN, resolvedAt(T0), T0 + 59 * MIN, {}, { type: "reopen", key: "OPS-1" }],
    ["ALARM 60 minutes after resolution opens a successor", "ALARM", T0 + 60 * MIN, resolvedAt(T0), T0 + 60 * MIN, {}, { type: "create", successorOf: "OPS-1" }],
    ["a reopen window of 0 never reopens", "ALARM", T0 + MIN, resolvedAt(T0), T0 + MIN, { reopenWindowMinutes: 0 }, { type: "create", successorOf: "OPS-1" }],
    ["a won't-fix ticket is never reopened", "ALARM", T0 + MIN, resolvedAt(T0, "Won't Do"), T0 + MIN, {}, { type: "create", successorOf: "OPS-1" }],
    [
      "won't-fix matches case and apostrophe variants",
      "ALARM",
      T0 + MIN,
      resolvedAt(T0, "won\u2019t do"),
      T0 + MIN,
      {},
      { type: "create", successorOf: "OPS-1" },
    ],
    ["another resolution inside the window reopens", "ALARM", T0 + MIN, resolvedAt(T0, "Done"), T0 + MIN, {}, { type: "reopen", key: "OPS-1" }],
    [
      "a closed ticket with no known resolution time opens a successor",
      "ALARM",
      T0 + MIN,
      { key: "OPS-1", open: false },
      T0 + MIN,
      {},
      { type: "create", successorOf: "OPS-1" },
    ],
  ];

  it.each(cases)("%s", (_case, state, at, ticket, now, overrides, expected) => {
    expect(decide(event(state, at), ticket, now, { ...SETTINGS, ...overrides })).toEqual(expected);
  });

  it("treats the same time with a different state as a new state change", () => {
    expect(decide(event("OK", T0), open, T0, SETTINGS)).toEqual({ type: "recover", key: "OPS-1", resolve: true });
  });

  it("never comments for the reconciliation sweep on an open ticket, and otherwise decides for it as for a notification", () => {
    const sweep = (state: AlarmState, at: number) => ({ ...event(state, at), origin: "sweep" as const });

    expect(decide(sweep("ALARM", T0 + 30 * MIN), open, T0 + 30 * MIN, SETTINGS)).toEqual({ type: "none", reason: "already-ticketed" });
    expect(decide(sweep("ALARM", T0 + 30 * MIN), undefined, T0 + 30 * MIN, SETTINGS)).toEqual({ type: "create" });
    expect(decide(sweep("ALARM", T0 + 30 * MIN), resolvedAt(T0), T0 + 30 * MIN, SETTINGS)).toEqual({ type: "reopen", key: "OPS-1" });
    expect(decide(sweep("OK", T0 + 30 * MIN), open, T0 + 30 * MIN, SETTINGS)).toEqual({ type: "recover", key: "OPS-1", resolve: true });
    expect(decide(sweep("ALARM", T0), open, T0 + 30 * MIN, SETTINGS)).toEqual({ type: "none", reason: "duplicate" });
  });
});
