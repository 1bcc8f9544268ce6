// dynalite 4 ships no type declarations; this covers the one factory the tests use.
declare module "dynalite" {
  import type { Server } from "node:http";

  interface DynaliteOptions {
    /** ms a table stays CREATING. @default 500 */
    createTableMs?: number;
    /** ms a table stays DELETING. @default 500 */
    deleteTableMs?: number;
    /** ms a table stays UPDATING. @default 500 */
    updateTableMs?: number;
  }

  /** An in-memory DynamoDB as an unstarted HTTP server; closing it also closes its store. */
  function dynalite(options?: DynaliteOptions): Server;
  export = dynalite;
}
