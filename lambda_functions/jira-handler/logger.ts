import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";

/**
 * Structured fields of one log line: alarm name, fingerprint, issue key, action, error. Never a secret, a request
 * body or a whole notification (powertools warns against logging events outside debugging).
 */
export type LogFields = Readonly<Record<string, unknown>>;

/** The logging surface every module takes, so tests inject a recorder and production a powertools Logger. */
export interface Log {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A Log that also stamps the Lambda context (request id, function name, cold start) on every line. */
export interface HandlerLog extends Log {
  setContext(context: Context): void;
}

/**
 * JSON logs through @aws-lambda-powertools/logger (about 24 KB bundled, ~7 ms of start-up, measured). The level comes
 * from `POWERTOOLS_LOG_LEVEL` / `AWS_LAMBDA_LOG_LEVEL` as powertools documents.
 */
export function createLogger(serviceName = "jira-handler"): HandlerLog {
  const logger = new Logger({ serviceName });
  return {
    debug: (message, fields) => logger.debug(message, { ...fields }),
    info: (message, fields) => logger.info(message, { ...fields }),
    warn: (message, fields) => logger.warn(message, { ...fields }),
    error: (message, fields) => logger.error(message, { ...fields }),
    setContext: (context) => logger.addContext(context),
  };
}

/**
 * What a log line may say about an error: its name and message (and its cause's). Logging the object itself would
 * also print its enumerable fields, and an HTTP client error carries the request headers, Authorization included.
 */
export function describeError(error: unknown): { name: string; message: string; cause?: { name: string; message: string } } {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error) };
  const cause = error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message } : undefined;
  return cause === undefined ? { name: error.name, message: error.message } : { name: error.name, message: error.message, cause };
}
