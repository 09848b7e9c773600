import { ensureMilvusLite } from "../src/backends/local/processes/milvus-lite-install.js";
import { actionNodeSupported, ensureActionNode } from "./helpers/action-node.js";

/**
 * Install, once before any test worker starts, Milvus Lite (for the labs) and the Node the Action runs
 * on (for test/action.test.ts). Both installs are idempotent.
 */
export default async function setup(): Promise<void> {
  await ensureMilvusLite((m) => console.log(m));
  if (actionNodeSupported) await ensureActionNode((m) => console.log(m));
}
