/**
 * Typed failures of the JIRA handler. The handler maps every one of them to "send one human notice, then fail the
 * invocation" so the record lands in the on-failure destination; the classes only differ in what the log and the
 * notice can tell a human.
 */

/** An environment variable is missing or invalid; the message names the variable, never a secret value. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** The JIRA secret could not be read or does not have the documented shape; the message names the field. */
export class CredentialsError extends Error {
  override readonly name = "CredentialsError";
}

/** Base class of everything the JIRA client throws. */
export class JiraError extends Error {
  override readonly name: string = "JiraError";
}

/** JIRA could not be reached or kept failing (network, timeouts, 429, 5xx) until the time budget ran out. */
export class JiraUnavailableError extends JiraError {
  override readonly name: string = "JiraUnavailableError";

  constructor(
    message: string,
    /** Requests made for this operation, the failed ones included. */
    readonly attempts: number,
    /** HTTP status of the last answer, when there was one. */
    readonly lastStatus?: number,
  ) {
    super(message);
  }
}

/** JIRA answered with a 4xx that a retry cannot fix (bad issue type, missing field, 404, credentials). */
export class JiraRejectedError extends JiraError {
  override readonly name: string = "JiraRejectedError";

  constructor(
    message: string,
    readonly status: number,
    /** JIRA's own `errorMessages` plus `errors` rendered as `field: message`. */
    readonly jiraMessages: readonly string[],
  ) {
    super(message);
  }
}

/** 401/403: the credential is wrong, expired or lacks permission; the cached secret is dropped so the next run re-reads it. */
export class JiraAuthError extends JiraRejectedError {
  override readonly name = "JiraAuthError";
}

/** 404: the issue (or the endpoint) does not exist. A stored ticket key answering 404 is forgotten and recovered from. */
export class JiraNotFoundError extends JiraRejectedError {
  override readonly name = "JiraNotFoundError";
}

/** No transition leads where we need to go (resolve: a done status, reopen: a not-done status). */
export class JiraTransitionNotFoundError extends JiraError {
  override readonly name = "JiraTransitionNotFoundError";

  constructor(
    message: string,
    /** What the workflow offered, as `name -> target status (category)`, for the log line and the notice. */
    readonly available: readonly string[],
  ) {
    super(message);
  }
}

/** Another invocation held the alarm's claim for longer than this one could wait. */
export class TicketBusyError extends Error {
  override readonly name = "TicketBusyError";
}

/** Wraps whatever stopped an alarm from being recorded, with what the handler was attempting, for the notice. */
export class AlarmHandlingError extends Error {
  override readonly name = "AlarmHandlingError";

  constructor(
    /** e.g. "create a ticket", "comment on OPS-12 and resolve it". */
    readonly attempted: string,
    override readonly cause: Error,
  ) {
    super(`Could not ${attempted}: ${cause.name}: ${cause.message}`, { cause });
  }
}
