/**
 * The DynamoDB client and the commands the tickets table uses, and nothing else of the package. The handler loads
 * this module with `import()` on first use, and `import()` of the package itself would take all of it: every command,
 * its schema and error class (about 21 KB of the minified bundle), built on first use and kept in the 128 MB function's heap.
 * Named re-exports let esbuild keep only these.
 */
export { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
