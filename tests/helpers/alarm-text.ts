/** The runbook base URL the alarm tests configure; each alarm links `<url>#<alarm id>`. */
export const TEST_RUNBOOK_URL = "https://wiki.example.com/runbooks/monitoring-hub";

/**
 * The exact description (the ticket text) of the application-errors alarm with {@link TEST_RUNBOOK_URL}, written out
 * rather than computed so a change of wording shows up as a failing test.
 */
export const APPLICATION_ERRORS_TICKET_TEXT = [
  "Application errors: The application logged more ERROR events than usual, or stopped sending logs at all.",
  "Condition: Sum above 5 in 2 of 3 5-minute periods; no data counts as breaching.",
  "Why it matters: Users are probably seeing failed requests; a silent log group means the application or its log shipping is down.",
  "First steps: Search the application log group for ERROR around the alarm time. If it has no recent events, check that the application runs and ships its logs.",
  "Runbook: https://wiki.example.com/runbooks/monitoring-hub#application-errors",
].join("\n");
